# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Who may apply for a service version: typed conditions as data.

Each condition is one kind with its parameters (minimum points, a current
residence permit, residence in the district, age, not barred, materials,
or any points variable compared with a value), read from the facts the
points computation already uses. A failed condition says why (with what
the records show) and what evidence would fix it; the applicant reads it on
the service page before applying, the server checks it at submission and
again when a reviewer passes the application.
"""
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields, sequence_ordered
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_points.period import full_months, merge
from trytond.modules.laisui_points.variables import VARIABLES, describe
from trytond.pool import Pool
from trytond.pyson import Eval, If

from .exceptions import ServiceError
from .version import FrozenMixin

KINDS = [
    ('points', "Minimum Current Points"),
    ('verified', "Points Verified"),
    ('permit', "Current Residence Permit"),
    ('home_permit', "Residence Permit Handled in the District"),
    ('home_residence', "Residence in the District"),
    ('age', "Age"),
    ('not_barred', "Not on the Blacklist for the Service"),
    ('materials', "Required Materials Uploaded"),
    ('variable', "Points Variable"),
    ]
OPERATORS = [
    ('>=', "at least"),
    ('<=', "at most"),
    ('=', "equal to"),
    ]
_COMPARE = {
    '>=': lambda a, b: a >= b,
    '<=': lambda a, b: a <= b,
    '=': lambda a, b: a == b,
    }
# The kinds whose value is a number the condition needs.
_VALUED = {'points', 'home_residence', 'variable'}
_RESIDENCE = ('residence_owned', 'residence_rented', 'residence_dormitory')


class Condition(FrozenMixin, sequence_ordered(), ModelSQL, ModelView):
    "Eligibility condition of a service version (申请条件)"
    __name__ = 'laisui.service.condition'

    version = fields.Many2One('laisui.service.version', "Version",
        required=True, ondelete='CASCADE')
    kind = fields.Selection(KINDS, "Kind", required=True)
    kind_string = kind.translated('kind')
    variable = fields.Selection('get_variables', "Variable", states={
            'invisible': Eval('kind') != 'variable',
            'required': Eval('kind') == 'variable',
            })
    operator = fields.Selection(OPERATORS, "Operator", states={
            'invisible': Eval('kind') != 'variable',
            'required': Eval('kind') == 'variable',
            })
    value = fields.Numeric("Value", digits=(16, 2), states={
            'invisible': ~Eval('kind').in_(list(_VALUED | {'age'})),
            'required': Eval('kind').in_(list(_VALUED)),
            }, help="Points, full years or the variable's value; for an "
        "age the lowest age.")
    max_value = fields.Numeric("Highest Age", digits=(16, 0), states={
            'invisible': Eval('kind') != 'age',
            }, domain=[If(Eval('kind') == 'age',
                ['OR', ('max_value', '=', None), ('value', '=', None),
                    ('max_value', '>=', Eval('value', 0))], [])])
    reason = fields.Char("Reason When Not Met",
        help="Empty: the kind's own wording.")
    evidence = fields.Char("Evidence That Would Fix It",
        help="Empty: the kind's own wording.")
    requirement = fields.Function(fields.Char("Requirement"),
        'get_requirement')

    @classmethod
    def default_operator(cls):
        return '>='

    @classmethod
    def get_variables(cls):
        return [(None, '')] + sorted(
            (n, v.label) for n, v in VARIABLES.items())

    def get_requirement(self, name):
        "What the condition asks, as the service page states it"
        value = _number(self.value)
        if self.kind == 'variable':
            return gettext('laisui_services.msg_requires_variable',
                variable=VARIABLES[self.variable].label,
                operator=dict(self._fields['operator'].selection).get(
                    self.operator, ''), value=value) if (
                self.variable in VARIABLES) else ''
        if self.kind == 'age':
            if self.max_value is not None:
                return gettext('laisui_services.msg_requires_age_range',
                    low=value or 0, high=_number(self.max_value))
            return gettext('laisui_services.msg_requires_age', low=value)
        return gettext(f'laisui_services.msg_requires_{self.kind}',
            value=value)

    def failure(self, facts):
        """(reason, evidence, shown) when the applicant's facts do not meet
        the condition, else None"""
        met, shown = getattr(self, f'_check_{self.kind}')(facts)
        if met:
            return None
        return (self.reason or gettext(
                'laisui_services.msg_fails', requirement=self.requirement),
            self.evidence or gettext(
                f'laisui_services.msg_fix_{self.kind}'),
            shown)

    def _check_points(self, facts):
        total = facts.total
        return (total is not None and total >= self.value,
            gettext('laisui_services.msg_shown_points',
                points=_number(total) if total is not None else '—'))

    def _check_verified(self, facts):
        return facts.verified, ''

    def _check_permit(self, facts):
        current = facts.current_permits()
        return bool(current), _permits_shown(current)

    def _check_home_permit(self, facts):
        current = facts.current_permits()
        latest = max(current, key=lambda p: p.date_start) if current else None
        return bool(latest and latest.district.home), _permits_shown(current)

    def _check_home_residence(self, facts):
        years = facts.home_residence_years()
        if years is None:
            return False, gettext('laisui_services.msg_shown_no_residence')
        return years >= self.value, gettext(
            'laisui_services.msg_shown_residence', years=years)

    def _check_age(self, facts):
        age = facts.age
        if age is None:
            return False, ''
        met = ((self.value is None or age >= self.value)
            and (self.max_value is None or age <= self.max_value))
        return met, gettext('laisui_services.msg_shown_age', age=age)

    def _check_not_barred(self, facts):
        return not facts.barred, ''

    def _check_materials(self, facts):
        missing = facts.missing_materials()
        return not missing, '、'.join(t.name for t in missing)

    def _check_variable(self, facts):
        variable = VARIABLES[self.variable]
        value = facts.variable(self.variable)
        compared = value if isinstance(value, (int, float, Decimal)) else (
            len(value) if isinstance(value, (list, tuple)) else None)
        met = compared is not None and _COMPARE[self.operator](
            Decimal(str(compared)), self.value)
        return met, f'{variable.label}：{describe(value)}'


class ApplicantFacts:
    """What the conditions read of one applicant for one service version on
    a date, each part loaded the first time a condition asks for it"""

    def __init__(self, applicant, version, date=None):
        self.applicant = applicant
        self.version = version
        self.date = date or clock.today()
        self._fact_set = None

    @property
    def total(self):
        statement = self.applicant.statement
        return statement.total if statement else None

    @property
    def verified(self):
        Request = Pool().get('laisui.review.points_request')
        return bool(Request.search([
                    ('applicant', '=', self.applicant.id),
                    ('state', '=', 'approved'),
                    ], limit=1))

    def current_permits(self):
        return [p for p in self.applicant.permits
            if p.date_start <= self.date
            and (not p.date_end or p.date_end >= self.date)]

    @property
    def age(self):
        birth = self.applicant.birth_date
        return full_months(birth, self.date) // 12 if birth else None

    @property
    def barred(self):
        Blacklist = Pool().get('laisui.integrity.blacklist')
        return bool(Blacklist.barring(
                self.applicant, self.version.service.code, self.date))

    def missing_materials(self):
        required = self.version.required_types()
        if not required:
            return []
        uploaded = {e.type for e in self.applicant.evidences}
        return [t for t in required if t not in uploaded]

    def fact_set(self):
        "The applicant's facts as the points computation reads them"
        pool = Pool()
        Statement = pool.get('laisui.points.statement')
        RuleSet = pool.get('laisui.points.rule_set')
        if self._fact_set is None:
            # The variables read a rule set's values only for units (hours
            # of volunteering, patent shares): the latest one serves when
            # none is in force on the date.
            rule_set = RuleSet.in_force(self.date) or next(iter(
                    RuleSet.search([
                            ('state', '=', 'approved'),
                            ('date_from', '<=', self.date),
                            ], order=[('date_from', 'DESC')], limit=1)),
                None)
            if not rule_set:
                raise ServiceError(gettext(
                        'laisui_services.msg_no_rule_set', date=self.date))
            for chunk in Statement.evaluate([self.applicant.id], rule_set,
                    self.date, check=lambda fs: fs):
                *_, self._fact_set = chunk[self.applicant.id]
        return self._fact_set

    def variable(self, name):
        return VARIABLES[name].function(self.fact_set())

    def home_residence_years(self):
        """Full years of the continuous residence in the district up to the
        date, or None when the applicant does not live there now"""
        fact_set = self.fact_set()
        periods = [(f['date_from'], f['date_to'])
            for f in fact_set.facts(*_RESIDENCE, home=True)
            # A rental counts once registered (备案), as for the points.
            if f['kind'] != 'residence_rented' or f['flag']]
        merged = merge(periods, self.date)
        if not merged or merged[-1][1] != self.date:
            return None
        return full_months(*merged[-1]) // 12


def failures(version, applicant, date=None):
    """[(reason, evidence, shown)] of each condition of the version the
    applicant does not meet on date (today)"""
    facts = ApplicantFacts(applicant, version, date)
    result = []
    for condition in version.conditions:
        failure = condition.failure(facts)
        if failure:
            result.append(failure)
    return result


def _number(value):
    if value is None:
        return ''
    # 60.00 → 60, 59.50 → 59.5
    return f'{value.normalize():f}'


def _permits_shown(permits):
    if not permits:
        return gettext('laisui_services.msg_shown_no_permit')
    return '；'.join(gettext('laisui_services.msg_shown_permit',
            district=p.district.name, start=p.date_start,
            end=p.date_end or '—') for p in permits)
