# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import ModelSQL, fields
from trytond.pool import Pool, PoolMeta

from .document import ReviewedDocumentMixin


class Applicant(metaclass=PoolMeta):
    __name__ = 'laisui.applicant'

    # What department reviewers may see of a person follows from the cases
    # whose lines they review (security.xml).
    review_cases = fields.One2Many(
        'laisui.review.case', 'applicant', "Review Cases", readonly=True)

    def documents_under_review(self):
        # Every reviewed document of the applicant's (points verification
        # requests, and those of the modules above: admission applications)
        # checks what they declared while it is under review.
        documents = super().documents_under_review()
        for _, Model in Pool().iterobject():
            if (not issubclass(Model, ReviewedDocumentMixin)
                    or not issubclass(Model, ModelSQL)
                    or 'applicant' not in Model._fields):
                continue
            for document in Model.search([
                        ('applicant', '=', self.id),
                        ('state', '=', 'review'),
                        ], order=[('id', 'ASC')]):
                documents.append(
                    f'{Model._review_label} {document.number}'.strip())
        return documents
