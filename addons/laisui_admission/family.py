# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import PoolMeta

from .round import SCHOOL_RECORDS


class FamilyMember(metaclass=PoolMeta):
    __name__ = 'laisui.family.member'

    school_record = fields.Selection(SCHOOL_RECORDS, "School Record",
        help="What the child's school record (学籍) shows; the review "
        "checks it against the education system.")

    @classmethod
    def default_school_record(cls):
        return 'none'
