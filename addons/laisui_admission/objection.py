# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Objections (复核申请) to a published admission result.

Within the round's objection window the applicant disputes specific lines
of the admission score, with the points claimed, the reason and evidence.
The objection is reviewed through its own workflow; when it is upheld the
reviewed points replace the application's, and the next allocation run (a
new version) shows what changed.
"""
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.laisui_base.state_guard import state_guard
from trytond.pool import Pool
from trytond.pyson import Eval

from trytond.modules.laisui_review.document import (
    STATES as REVIEW_STATES, ReviewedDocumentMixin)

STATES = REVIEW_STATES + [
    ('upheld', "Upheld"),
    ('dismissed', "Dismissed"),
    ]


class Objection(ReviewedDocumentMixin, Workflow, ModelSQL, ModelView):
    "Objection to an admission result (复核申请)"
    __name__ = 'laisui.admission.objection'
    _review_label = '积分入学复核申请'
    _review_outcomes = ('upheld', 'dismissed')
    _review_applicant = 'application.applicant'

    application = fields.Many2One('laisui.admission.application',
        "Application", required=True, ondelete='RESTRICT',
        states={'readonly': Eval('state') != 'draft'})
    lines = fields.One2Many('laisui.admission.objection.line', 'objection',
        "Disputed Lines", states={'readonly': Eval('state') != 'draft'})
    reason = fields.Text("Reason", required=True,
        states={'readonly': Eval('state') != 'draft'})
    state = fields.Selection(STATES, "State", required=True, readonly=True)
    state_string = state.translated('state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.application, Index.Equality())))

    def get_rec_name(self, name):
        return f'复核申请 {self.application.number}'

    @classmethod
    @state_guard('draft')
    @ModelView.button
    def submit(cls, objections):
        """Within the window, on a published result, with at least one
        line of the application, one open objection at a time"""
        pool = Pool()
        Run = pool.get('laisui.admission.run')
        for objection in objections:
            application = objection.application
            application.round.check_window('objection')
            if not Run.published_run(application.round) or (
                    application.state != 'eligible'):
                raise UserError(gettext(
                        'laisui_admission.msg_objection_not_published'))
            if not objection.lines or any(
                    l.score_line.application != application
                    for l in objection.lines):
                raise UserError(gettext(
                        'laisui_admission.msg_objection_lines'))
            if cls.search([
                        ('id', '!=', objection.id),
                        ('application', '=', application.id),
                        ('state', 'in', ['review', 'returned']),
                        ], limit=1):
                raise UserError(gettext(
                        'laisui_admission.msg_objection_open'))
        cls.submit_for_review(objections)

    # Review hooks ------------------------------------------------------
    def review_applicant(self):
        return self.application.applicant

    def review_line_values(self):
        return [{
                'indicator': l.score_line.indicator.id,
                'department': (l.score_line.department.id
                    if l.score_line.department else None),
                'sequence': l.score_line.sequence,
                'declared_points': l.claimed_points,
                'facts': f'{l.score_line.facts_used or ""}；申请人：'
                f'{l.reason or self.reason}',
                } for l in self.lines]

    @classmethod
    def review_finished(cls, objections, outcome):
        pool = Pool()
        Application = pool.get('laisui.admission.application')
        if outcome == 'approved':
            applications = []
            for objection in objections:
                objection._apply()
                applications.append(objection.application)
            Application.save(applications)
        super().review_finished(objections, outcome)

    def _apply(self):
        "The reviewed points of the disputed lines become the application's"
        self.application.apply_points({l.indicator.id: l.points
                for l in self.review_case.lines
                if l.state in {'confirmed', 'adjusted'}
                and l.points is not None})


class ObjectionLine(ModelSQL, ModelView):
    "Disputed line of an admission score"
    __name__ = 'laisui.admission.objection.line'

    objection = fields.Many2One('laisui.admission.objection', "Objection",
        required=True, ondelete='CASCADE')
    score_line = fields.Many2One('laisui.admission.score.line', "Line",
        required=True, ondelete='RESTRICT',
        domain=[('application', '=',
                Eval('_parent_objection', {}).get('application', -1))])
    claimed_points = fields.Numeric("Points Claimed", digits=(16, 2),
        required=True)
    reason = fields.Char("Reason")
