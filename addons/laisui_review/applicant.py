# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import PoolMeta


class Applicant(metaclass=PoolMeta):
    __name__ = 'laisui.applicant'

    # What department reviewers may see of a person follows from the cases
    # whose lines they review (security.xml).
    review_cases = fields.One2Many(
        'laisui.review.case', 'applicant', "Review Cases", readonly=True)
