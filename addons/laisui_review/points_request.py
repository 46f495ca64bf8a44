# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Points verification requests (积分核定申请): the first reviewable
document. The applicant's statement is reviewed indicator by indicator;
on approval the points the reviewers adjusted become adjustments of the
statement, with their reasons."""
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.laisui_base.state_guard import state_guard
from trytond.pool import Pool
from trytond.pyson import Eval

from .document import STATES as REVIEW_STATES, ReviewedDocumentMixin
from .exceptions import DecisionError

STATES = REVIEW_STATES + [
    ('approved', "Approved"),
    ('rejected', "Rejected"),
    ]


class PointsRequest(ReviewedDocumentMixin, Workflow, ModelSQL, ModelView):
    "Points verification request (积分核定申请)"
    __name__ = 'laisui.review.points_request'
    _review_label = '积分核定申请'

    applicant = fields.Many2One('laisui.applicant', "Applicant",
        required=True, ondelete='RESTRICT',
        states={'readonly': Eval('state') != 'draft'})
    state = fields.Selection(STATES, "State", required=True, readonly=True)
    state_string = state.translated('state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.applicant, Index.Equality())))

    @classmethod
    def check_modification(cls, mode, requests, values=None,
            external=False):
        super().check_modification(
            mode, requests, values=values, external=external)
        # People choose the applicant of a draft; the review does the rest.
        if external and mode != 'create' and (
                any(r.state != 'draft' for r in requests)
                or set(values or {}) - {'applicant'}):
            raise DecisionError(gettext(
                    'laisui_review.msg_request_readonly'))

    def get_rec_name(self, name):
        return f'积分核定 {self.applicant.rec_name}'

    @classmethod
    @state_guard('draft')
    @ModelView.button
    def submit(cls, requests):
        pool = Pool()
        Statement = pool.get('laisui.points.statement')
        for request in requests:
            request.applicant.check_can_apply('points', staff=True)
        open_ = cls.search([
                ('applicant', 'in', [r.applicant.id for r in requests]),
                ('state', 'in', ['review', 'returned']),
                ], limit=1)
        if open_:
            raise DecisionError(gettext(
                    'laisui_review.msg_request_open',
                    applicant=open_[0].applicant.rec_name))
        Statement.compute([r.applicant for r in requests])
        cls.submit_for_review(requests)

    def review_applicant(self):
        return self.applicant

    def review_line_values(self):
        statement = self.applicant.statement
        if not statement:
            return []
        return self.indicator_line_values(
            statement.lines, lambda l: l.computed)

    @classmethod
    def review_finished(cls, requests, outcome):
        pool = Pool()
        Adjustment = pool.get('laisui.points.adjustment')
        if outcome == 'approved':
            # The case's workflow gave these their second person.
            Adjustment.create_decided([{
                        'applicant': r.applicant.id,
                        'indicator': l.indicator.id,
                        'points': l.points,
                        'reason': f'审核调整：{l.reason}',
                        'decided_in': r.review_case.rec_name,
                        } for r in requests for l in r.review_case.lines
                    if l.state == 'adjusted'])
        super().review_finished(requests, outcome)
