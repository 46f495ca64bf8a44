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
        # requests, and those of the modules above: admission applications
        # and objections) checks what they declared while under review.
        documents = super().documents_under_review()
        for _, Model in Pool().iterobject():
            if (not issubclass(Model, ReviewedDocumentMixin)
                    or not issubclass(Model, ModelSQL)
                    or not Model._review_applicant):
                continue
            for document in Model.search([
                        (Model._review_applicant, '=', self.id),
                        ('state', '=', 'review'),
                        ], order=[('id', 'ASC')]):
                number = getattr(document, 'number', None)
                documents.append(f'{Model._review_label} {number}'
                    if number else document.rec_name)
        return documents
