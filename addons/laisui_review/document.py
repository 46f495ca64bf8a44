# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What an applicant submits for review (points verification requests,
admission applications, objections, service applications): one lifecycle.

    draft → review ⇄ returned (for correction) → approved or rejected

The model names its two outcomes in `_review_outcomes`, and its `state`
selection is STATES with them and any states of its own. Every state change is
audited; what a return for correction asks for is kept for the applicant.
"""
from trytond.model import fields
from trytond.modules.laisui_base import clock
from trytond.pool import Pool
from trytond.pyson import Eval

from .reviewable import ReviewableMixin

# The states every reviewed document has; the model adds its outcomes.
STATES = [
    ('draft', "Draft"),
    ('review', "Under Review"),
    ('returned', "Returned for Correction"),
    ]


class ReviewedDocumentMixin(ReviewableMixin):
    __slots__ = ()
    # The states of an approved and of a rejected review.
    _review_outcomes = ('approved', 'rejected')
    # The button that submits a draft.
    _review_submit_button = 'submit'
    # The field path to the applicant whose declarations (profile, family,
    # facts, evidence) the review checks: they stay as they are while it
    # runs (laisui_review.applicant). None: the document has no applicant.
    _review_applicant = 'applicant'

    submitted_at = fields.Timestamp("Submitted At", readonly=True)
    corrections = fields.Text("Items to Correct", readonly=True,
        help="What the last return for correction asked for.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('id', 'DESC')]
        approved, rejected = cls._review_outcomes
        cls._transitions |= {
            ('draft', 'review'),
            ('review', 'returned'),
            ('returned', 'review'),
            ('review', approved),
            ('review', rejected),
            }
        cls._buttons.setdefault(cls._review_submit_button, {}).update({
                'invisible': Eval('state') != 'draft',
                'depends': ['state'],
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def _set_state(cls, documents, state, **values):
        "Move the documents to state with the values written, audited"
        AuditLog = Pool().get('laisui.audit.log')
        entries = [{'action': 'state', 'resource': str(d),
                'from_value': d.state, 'to_value': state}
            for d in documents if d.state != state]
        cls.write(documents, dict(values, state=state))
        AuditLog.log_many(entries)

    @classmethod
    def submit_for_review(cls, documents):
        "Submitted now: under review with a case of the active workflow"
        cls._set_state(documents, 'review', submitted_at=clock.now())
        return cls.start_review(documents)

    @classmethod
    def withdraw_review(cls, documents):
        "Withdrawn by the applicant: the open cases end with them"
        Case = Pool().get('laisui.review.case')
        cases = [d.review_case for d in documents
            if d.review_case and d.review_case.state in {'open', 'returned'}]
        if cases:
            Case.withdraw(cases)
        cls._set_state(documents, 'withdrawn')

    @classmethod
    def review_returned(cls, documents, items):
        cls.write(documents, {'corrections': '\n'.join(items)})
        cls._set_state(documents, 'returned')
        super().review_returned(documents, items)

    @classmethod
    def review_resumed(cls, documents):
        cls._set_state(documents, 'review')

    @classmethod
    def review_finished(cls, documents, outcome):
        approved, rejected = cls._review_outcomes
        cls._set_state(documents,
            approved if outcome == 'approved' else rejected)
