# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Points verification requests (积分核定申请): the first reviewable
document. The applicant's statement is reviewed indicator by indicator;
on approval the points the reviewers adjusted become adjustments of the
statement, with their reasons."""
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.identity import mask_id_number
from trytond.modules.laisui_base.state_guard import state_guard
from trytond.pool import Pool
from trytond.pyson import Eval

from .confirmation import ConfirmedSubmissionMixin
from .document import STATES as REVIEW_STATES, ReviewedDocumentMixin
from .exceptions import ConfirmationError, DecisionError

STATES = REVIEW_STATES + [
    ('approved', "Approved"),
    ('rejected', "Rejected"),
    ('withdrawn', "Withdrawn"),
    ]


class PointsRequest(ConfirmedSubmissionMixin, ReviewedDocumentMixin,
        Workflow, ModelSQL, ModelView):
    "Points verification request (积分核定申请)"
    __name__ = 'laisui.review.points_request'
    _review_label = '积分核定申请'

    number = fields.Function(fields.Char("Number"), 'get_number')
    applicant = fields.Many2One('laisui.applicant', "Applicant",
        required=True, ondelete='RESTRICT',
        states={'readonly': Eval('state') != 'draft'})
    indicators = fields.Many2Many(
        'laisui.review.points_request.indicator', 'request', 'indicator',
        "Indicators to Verify",
        states={'readonly': Eval('state') != 'draft'},
        help="Empty: every indicator that gives points.")
    state = fields.Selection(STATES, "State", required=True, readonly=True)
    state_string = state.translated('state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.applicant, Index.Equality())))
        cls._transitions |= {
            ('review', 'withdrawn'),
            ('returned', 'withdrawn'),
            }
        cls._buttons.update({
                'withdraw': {
                    'invisible': ~Eval('state').in_(['review', 'returned']),
                    'depends': ['state'],
                    },
                })

    @classmethod
    def check_modification(cls, mode, requests, values=None,
            external=False):
        super().check_modification(
            mode, requests, values=values, external=external)
        # People choose the applicant of a draft; the review does the rest.
        if external and mode != 'create' and (
                any(r.state != 'draft' for r in requests)
                or set(values or {}) - {'applicant', 'indicators'}):
            raise DecisionError(gettext(
                    'laisui_review.msg_request_readonly'))

    def get_number(self, name):
        "The number the applicant quotes: P, the year it was made, the id"
        made = self.submitted_at or self.create_date or clock.now()
        return f'P{clock.to_local(made).year}-{self.id:06d}'

    def get_rec_name(self, name):
        return f'积分核定申请 {self.number}'

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

    @classmethod
    @state_guard('review', 'returned')
    @ModelView.button
    def withdraw(cls, requests):
        cls.withdraw_review(requests)

    def statement_lines(self):
        "The lines of the applicant's statement this request verifies"
        statement = self.applicant.statement
        if not statement:
            return []
        chosen = set(self.indicators)
        return [l for l in statement.lines
            if l.computed and (not chosen or l.indicator in chosen)]

    def review_line_values(self):
        return self.indicator_line_values(
            self.statement_lines(), lambda l: l.computed)

    # Confirmation ------------------------------------------------------
    def missing_evidence(self):
        """(indicator, [evidence type]) of each line whose facts no
        external system backs and whose materials are not uploaded"""
        uploaded = {e.type for e in self.applicant.evidences}
        missing = []
        for line in self.statement_lines():
            if line.source == 'external':
                continue
            types = [t for t in line.indicator.evidence_types
                if t not in uploaded]
            if types:
                missing.append((line.indicator, types))
        return missing

    def prepare_confirmation(self):
        super().prepare_confirmation()
        Statement = Pool().get('laisui.points.statement')
        Statement.compute([self.applicant])

    def check_submittable(self):
        super().check_submittable()
        self.applicant.check_can_apply('points')
        if not self.indicators:
            raise ConfirmationError(gettext(
                    'laisui_review.msg_no_indicator'))
        for indicator, types in self.missing_evidence():
            raise ConfirmationError(gettext(
                    'laisui_review.msg_missing_evidence',
                    indicator=indicator.name,
                    types='、'.join(t.name for t in types)))

    def confirmation_summary(self):
        applicant = self.applicant
        evidences = applicant.evidences
        rows = [('申请人', applicant.name),
            ('身份证号', mask_id_number(applicant.id_number))]
        for line in self.statement_lines():
            text = f'{line.computed}分；依据：{line.facts_used or "—"}'
            files = [f'{e.type.name}（上传于 {_local(e.create_date)}）'
                for e in evidences
                if e.type in line.indicator.evidence_types]
            if files:
                text += f'；材料：{"、".join(files)}'
            rows.append((line.indicator.name, text))
        return rows

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


class PointsRequestIndicator(ModelSQL):
    "Indicator a points verification request verifies"
    __name__ = 'laisui.review.points_request.indicator'

    request = fields.Many2One('laisui.review.points_request', "Request",
        required=True, ondelete='CASCADE')
    indicator = fields.Many2One('laisui.points.indicator', "Indicator",
        required=True, ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.request, Index.Equality())))


def _local(timestamp):
    return clock.to_local(timestamp).strftime('%Y-%m-%d %H:%M:%S')
