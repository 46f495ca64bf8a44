# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.modules.laisui_review.reviewable import ReviewableMixin
from trytond.pool import Pool


class ReviewedDocumentMixin(ReviewableMixin):
    """An admission document under review (application, objection): its
    state changes audited, a return's corrections kept for the applicant.
    The model has `state` (with 'review' and 'returned') and
    `corrections`."""
    __slots__ = ()

    @classmethod
    def _set_state(cls, documents, state):
        AuditLog = Pool().get('laisui.audit.log')
        entries = [{'action': 'state', 'resource': str(d),
                'from_value': d.state, 'to_value': state}
            for d in documents if d.state != state]
        cls.write(documents, {'state': state})
        AuditLog.log_many(entries)

    @classmethod
    def review_returned(cls, documents, items):
        cls.write(documents, {'corrections': '\n'.join(items)})
        cls._set_state(documents, 'returned')
        super().review_returned(documents, items)

    @classmethod
    def review_resumed(cls, documents):
        cls._set_state(documents, 'review')
