# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Admission applications (积分入学申请).

An application is one parent applying for one child in one round. It is
submitted once every condition holds (each failing condition is reported
with its reason and the evidence that would fix it), then reviewed
through the workflow engine. Its score is frozen at submission from the
facts as of the round's points cut-off, and the review's adjustments are
applied to it when the review ends.
"""
from decimal import Decimal

from sql.operators import Equal

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import (
    Exclude, Index, ModelSQL, ModelView, Workflow, fields, sequence_ordered)
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.identity import mask_id_number
from trytond.modules.laisui_base.personal import PersonalDataMixin
from trytond.modules.laisui_base.state_guard import guard, state_guard
from trytond.modules.laisui_review.confirmation import (
    ConfirmedSubmissionMixin)
from trytond.modules.laisui_review.document import (
    STATES as REVIEW_STATES, ReviewedDocumentMixin)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .exceptions import EligibilityError, PreferenceError
from .school import STAGES
from .statement import admission_score

STATES = REVIEW_STATES + [
    ('eligible', "Eligible"),
    ('ineligible', "Not Eligible"),
    ('withdrawn', "Withdrawn"),
    ]
# States in which an application holds its child for the round.
ACTIVE_STATES = ('review', 'returned', 'eligible')


class Application(
        PersonalDataMixin, ConfirmedSubmissionMixin, ReviewedDocumentMixin,
        Workflow, ModelSQL, ModelView):
    "Admission application (积分入学申请)"
    __name__ = 'laisui.admission.application'
    # The child's number is copied at submission: the child's record
    # audits its changes.
    _identity_fields = ()
    _review_label = '积分入学申请'
    _review_outcomes = ('eligible', 'ineligible')
    _review_submit_button = 'submit_wizard'

    _draft = {'readonly': Eval('state') != 'draft'}

    number = fields.Function(fields.Char("Number"), 'get_number')
    round = fields.Many2One('laisui.admission.round', "Round",
        required=True, ondelete='RESTRICT', states=_draft,
        # New applications only in an open round; submitted ones keep
        # theirs when it closes.
        domain=[If(Eval('state') == 'draft', [('state', '=', 'open')], [])])
    applicant = fields.Many2One('laisui.applicant', "Applicant",
        required=True, ondelete='RESTRICT', states=_draft)
    child = fields.Many2One('laisui.family.member', "Child", required=True,
        ondelete='RESTRICT', states=_draft,
        domain=[
            ('applicant', '=', Eval('applicant', -1)),
            ('relation', '=', 'child'),
            ])
    child_id_number = fields.Char("Child ID Number", readonly=True,
        loading='lazy',
        help="Kept from submission: one application per child and round, "
        "whichever parent applies.")
    stage = fields.Selection(STAGES, "Stage", required=True, states=_draft)
    stage_string = stage.translated('stage')
    type = fields.Many2One('laisui.admission.type', "Application Type",
        required=True, ondelete='RESTRICT', states=_draft)
    preferences = fields.One2Many('laisui.admission.preference',
        'application', "School Preferences")
    state = fields.Selection(STATES, "State", required=True, readonly=True)
    state_string = state.translated('state')
    score = fields.Numeric("Admission Score", digits=(16, 2), readonly=True,
        help="Points that count for admission, as of the points cut-off.")
    tie_points = fields.Char("Tie-break Points", readonly=True,
        help="Points per indicator in catalogue order.")
    score_lines = fields.One2Many('laisui.admission.score.line',
        'application', "Score Breakdown", readonly=True)
    origin = fields.Many2One('laisui.admission.application',
        "Main Round Application", readonly=True, ondelete='RESTRICT',
        help="The application a supplementary round carried over.")

    del _draft

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.applicant, Index.Equality())),
                Index(t, (t.round, Index.Equality()),
                    (t.state, Index.Equality())),
                })
        # The last guard of the one-parent rule, should two submissions
        # for one child race past the check.
        cls._sql_constraints += [
            ('child_round_exclude', Exclude(t,
                    (t.round, Equal), (t.child_id_number, Equal),
                    where=t.state.in_(ACTIVE_STATES)),
                'laisui_admission.msg_child_applied'),
            ]
        cls._transitions |= {
            ('draft', 'withdrawn'),
            ('review', 'withdrawn'),
            ('returned', 'withdrawn'),
            ('eligible', 'withdrawn'),
            }
        cls._buttons.update({
                'withdraw': {
                    'invisible': ~Eval('state').in_(
                        ['draft', 'review', 'returned', 'eligible']),
                    'depends': ['state'],
                    },
                })

    def get_number(self, name):
        return application_number(self.round.year, self.id)

    def get_rec_name(self, name):
        return f'积分入学申请 {self.number}'

    @classmethod
    def check_modification(cls, mode, applications, values=None,
            external=False):
        super().check_modification(
            mode, applications, values=values, external=external)
        if external and mode in {'write', 'delete'} and any(
                a.state != 'draft' for a in applications):
            raise UserError(gettext(
                    'laisui_admission.msg_application_readonly'))

    # Checks ------------------------------------------------------------
    def check_preferences(self):
        "Raise PreferenceError unless the preferences suit the round"
        pool = Pool()
        SeatPlan = pool.get('laisui.admission.seat_plan')
        preferences = list(self.preferences)
        if not preferences:
            raise PreferenceError(gettext(
                    'laisui_admission.msg_preferences_missing'))
        if len(preferences) > self.round.max_preferences:
            raise PreferenceError(gettext(
                    'laisui_admission.msg_preferences_too_many',
                    count=len(preferences),
                    maximum=self.round.max_preferences))
        offered = {p.school.id for p in SeatPlan.search([
                    ('round', '=', self.round.id),
                    ('places', '>', 0),
                    ])}
        seen = set()
        for preference in preferences:
            school = preference.school
            if school.id in seen:
                raise PreferenceError(gettext(
                        'laisui_admission.msg_preference_duplicate',
                        school=school.rec_name))
            seen.add(school.id)
            if school.stage != self.stage:
                raise PreferenceError(gettext(
                        'laisui_admission.msg_preference_stage',
                        school=school.rec_name,
                        stage=self.stage_string))
            if school.id not in offered:
                raise PreferenceError(gettext(
                        'laisui_admission.msg_preference_not_offered',
                        school=school.rec_name))

    def child_failures(self):
        "(reason, evidence, facts) of each child condition not met"
        round_ = self.round
        rule = round_.stage_rule(self.stage)
        if not rule:
            return [(gettext('laisui_admission.msg_stage_not_offered',
                        stage=self.stage_string), '', '')]
        failures = []
        child = self.child
        age = _age(child.birth_date, round_.age_date)
        shown = gettext('laisui_admission.msg_child_age_shown',
            date=round_.age_date, age=age)
        if rule.min_age is not None and age < rule.min_age:
            failures.append((gettext('laisui_admission.msg_child_too_young',
                        date=round_.age_date, age=rule.min_age),
                    gettext('laisui_admission.msg_child_age_evidence'),
                    shown))
        if rule.max_age is not None and age > rule.max_age:
            failures.append((gettext('laisui_admission.msg_child_too_old',
                        date=round_.age_date, age=rule.max_age),
                    gettext('laisui_admission.msg_child_age_evidence'),
                    shown))
        if (child.school_record or 'none') != rule.school_record:
            failures.append((gettext(
                        f'laisui_admission.msg_child_record_'
                        f'{rule.school_record}'),
                    gettext('laisui_admission.msg_child_record_evidence'),
                    ''))
        return failures

    def applicant_failures(self):
        """(reason, evidence, facts) of each condition on the applicant
        outside the application type: one parent per child, verified
        points not under objection, not barred by the blacklist."""
        pool = Pool()
        Request = pool.get('laisui.review.points_request')
        failures = []
        with Transaction().set_context(_check_access=False):
            other = self.search([
                    ('id', '!=', self.id),
                    ('round', '=', self.round.id),
                    ('child_id_number', '=', self.child.id_number),
                    ('state', 'in', ACTIVE_STATES),
                    ], limit=1)
            requests = Request.search([
                    ('applicant', '=', self.applicant.id),
                    ('state', 'in', ['review', 'returned', 'approved']),
                    ])
        if other and other[0].applicant == self.applicant:
            # Not the other parent: the applicant's own application.
            failures.append((gettext(
                        'laisui_admission.msg_child_applied_yourself',
                        number=other[0].number),
                    gettext('laisui_admission.msg_child_applied_withdraw'),
                    ''))
        elif other:
            failures.append((gettext('laisui_admission.msg_child_applied'),
                    gettext('laisui_admission.msg_child_applied_evidence'),
                    ''))
        states = {r.state for r in requests}
        if states & {'review', 'returned'}:
            failures.append((
                    gettext('laisui_admission.msg_points_under_review'),
                    gettext('laisui_admission.msg_points_evidence'), ''))
        elif 'approved' not in states:
            failures.append((
                    gettext('laisui_admission.msg_points_not_verified'),
                    gettext('laisui_admission.msg_points_evidence'), ''))
        try:
            self.applicant.check_can_apply(
                'admission', date=clock.today())
        except UserError as e:
            failures.append((e.message, '', ''))
        return failures

    @classmethod
    def assess(cls, applications):
        """{application: (failures, header, lines)} from the facts as of
        each round's points cut-off, in one evaluation per round.

        failures lists every condition not met, as (reason, evidence,
        facts); lines are the statement LineValues that count for
        admission."""
        pool = Pool()
        Statement = pool.get('laisui.points.statement')
        RuleSet = pool.get('laisui.points.rule_set')
        result = {}
        for round_, group in _by_round(applications).items():
            rule_set = RuleSet.in_force(round_.points_cutoff)
            if not rule_set:
                raise EligibilityError(gettext(
                        'laisui_admission.msg_no_rule_set',
                        date=round_.points_cutoff))
            admission = {i.id for i in rule_set.indicators
                if i.applies_to_admission}
            by_applicant = {a.applicant.id: a for a in group}
            # The type is the application's: evaluated per applicant.
            evaluated = {}
            for chunk in Statement.evaluate(
                    list(by_applicant), rule_set, round_.points_cutoff,
                    check=lambda fs: fs):
                evaluated.update(chunk)
            for application in group:
                header, lines, fact_set = evaluated[application.applicant.id]
                failures = (application.child_failures()
                    + application.applicant_failures()
                    + application.type.failures(fact_set))
                result[application] = (failures, header,
                    [l for l in lines if l.indicator in admission])
        return result

    # Submission --------------------------------------------------------
    @classmethod
    def submit(cls, applications):
        """Submit after the SMS confirmation: within the window, with valid
        preferences and every condition met; the score is frozen and the
        review starts."""
        applications = cls.browse(applications)
        assessed = cls._check_submittable(applications)
        cls._submit(applications, assessed)

    @classmethod
    def _check_submittable(cls, applications):
        """Raise a UserError unless each application may be submitted now;
        return what assess() gives for them"""
        for application in applications:
            application.round.check_window('application')
            application.check_preferences()
        assessed = cls.assess(applications)
        for application in applications:
            failures = assessed[application][0]
            if failures:
                raise EligibilityError(gettext(
                        'laisui_admission.msg_not_eligible',
                        reasons='；'.join(
                            f'{reason}（{evidence}）' if evidence else reason
                            for reason, evidence, _ in failures)))
        return assessed

    # Confirmation ------------------------------------------------------
    def check_submittable(self):
        super().check_submittable()
        self._check_submittable([self])

    def confirmation_summary(self):
        child = self.child
        rows = [
            ('批次', self.round.name),
            ('子女', f'{child.name}（{mask_id_number(child.id_number)}）'),
            ('学段', self.stage_string),
            ('申请类型', self.type.name),
            ]
        rows.extend((f'第{i}志愿', p.school.name)
            for i, p in enumerate(self.preferences, 1))
        return rows

    @classmethod
    def _submit(cls, applications, assessed):
        applications = guard(cls, applications, ['draft'])
        for application in applications:
            _, header, lines = assessed[application]
            application.child_id_number = application.child.id_number
            application._freeze(lines)
        cls.save(applications)
        cls.submit_for_review(applications)

    def _freeze(self, lines):
        "Keep the admission lines as the score breakdown"
        ScoreLine = Pool().get('laisui.admission.score.line')
        self.score_lines = [ScoreLine(indicator=l.indicator,
                sequence=l.sequence, department=l.department,
                facts_used=l.facts_used, computed=l.computed,
                points=l.points) for l in lines]
        self._rescore()

    def _rescore(self):
        self.score, points = admission_score(self.score_lines)
        self.tie_points = ','.join(map(str, points))

    @classmethod
    @ModelView.button_action(
        'laisui_admission.wizard_application_submit')
    def submit_wizard(cls, applications):
        pass

    @classmethod
    @state_guard('draft', 'review', 'returned', 'eligible')
    @ModelView.button
    def withdraw(cls, applications):
        cls.withdraw_review(applications)

    # Review hooks ------------------------------------------------------
    def review_applicant(self):
        return self.applicant

    def review_line_values(self):
        return self.indicator_line_values(
            self.score_lines, lambda l: l.points)

    @classmethod
    def review_finished(cls, applications, outcome):
        if outcome == 'approved':
            for application in applications:
                application._apply_review()
            cls.save(applications)
        super().review_finished(applications, outcome)

    def _apply_review(self):
        "Points the reviewers adjusted replace the frozen ones"
        self.apply_points({l.indicator.id: l.points
                for l in self.review_case.lines if l.state == 'adjusted'})

    def apply_points(self, points):
        "Replace the points of the lines of these indicators {id: points}"
        for line in self.score_lines:
            if line.indicator.id in points:
                line.points = Decimal(points[line.indicator.id])
                line.adjusted = True
        self.score_lines = self.score_lines
        self._rescore()


def _age(birth_date, date):
    if not birth_date:
        return 0
    return date.year - birth_date.year - (
        (date.month, date.day) < (birth_date.month, birth_date.day))


def _by_round(applications):
    result = {}
    for application in applications:
        result.setdefault(application.round, []).append(application)
    return result


class Preference(sequence_ordered(), ModelSQL, ModelView):
    "School preference (志愿)"
    __name__ = 'laisui.admission.preference'

    application = fields.Many2One('laisui.admission.application',
        "Application", required=True, ondelete='CASCADE')
    school = fields.Many2One('laisui.admission.school', "School",
        required=True, ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.application, Index.Equality())))

    @classmethod
    def check_modification(cls, mode, preferences, values=None,
            external=False):
        super().check_modification(
            mode, preferences, values=values, external=external)
        if not external:
            return
        # Changed only on a draft, or while the round's preference window
        # is open: the allocation must read what the applicant confirmed.
        for preference in preferences:
            application = preference.application
            if application.state != 'draft' and not (
                    application.state in ACTIVE_STATES
                    and application.round.in_window('preference')):
                raise PreferenceError(gettext(
                        'laisui_admission.msg_preferences_locked'))


class ScoreLine(ModelSQL, ModelView):
    "Line of an admission score (入学积分明细)"
    __name__ = 'laisui.admission.score.line'

    application = fields.Many2One('laisui.admission.application',
        "Application", required=True, ondelete='CASCADE', readonly=True)
    indicator = fields.Many2One('laisui.points.indicator', "Indicator",
        required=True, ondelete='RESTRICT', readonly=True)
    sequence = fields.Integer("Sequence", readonly=True)
    department = fields.Many2One('laisui.department', "Owning Department",
        readonly=True)
    facts_used = fields.Text("Facts Used", readonly=True)
    computed = fields.Numeric("Computed", digits=(16, 2), readonly=True)
    adjusted = fields.Boolean("Adjusted by Review", readonly=True)
    points = fields.Numeric("Points", digits=(16, 2), readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('sequence', 'ASC'), ('id', 'ASC')]
        cls._sql_indexes.add(Index(t, (t.application, Index.Equality())))


def application_number(year, application_id):
    "The number an applicant quotes: the round's year and the id"
    return f'{year}-{application_id:06d}'
