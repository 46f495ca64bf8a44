# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from sql.operators import In

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    Check, ModelSQL, ModelView, Unique, fields, sequence_ordered)
from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.bulk import forget_cached
from trytond.modules.laisui_base.state_guard import state_guard
from trytond.pool import Pool
from trytond.pyson import Eval, Or
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from trytond.modules.laisui_base.audit_diff import AuditedDiffMixin
from .formula import FormulaError, compile_formula
from .variables import RuleValues, variable_types

CATEGORIES = [
    ('base', "Base"),
    ('bonus', "Bonus"),
    ('deduction', "Deduction"),
    ]


STATES = [
    ('draft', "Draft"),
    ('approved', "Approved"),
    ]
# Written by the approval only, never by a person's edit.
APPROVAL_FIELDS = {'state', 'approved_by', 'approved_at', 'edited_by'}


def _by_person():
    """Whether a person acts, not the server itself (user 0: module data,
    migrations, scripts), which AuditedChangesMixin does not audit either"""
    return bool(Transaction().user)


def _approving():
    "Inside RuleSet.approve; Tryton's RPC drops such keys from clients"
    return Transaction().context.get('_laisui_rule_set_approval')


class RuleSet(AuditedDiffMixin, ModelSQL, ModelView):
    """Indicator rule set (积分指标体系): one version of the table.

    A version is written as a draft, approved by a second points admin and
    then never changed again: statements name the version they were
    computed with. The approved version whose dates hold a day is the one
    in force on it; a change of the rules is a new version."""
    __name__ = 'laisui.points.rule_set'
    _audit_diff_skip = frozenset(APPROVAL_FIELDS)

    _readonly = Eval('state') != 'draft'

    name = fields.Char("Name", required=True,
        states={'readonly': _readonly})
    version = fields.Char("Version", required=True,
        states={'readonly': _readonly})
    date_from = fields.Date("Effective From", required=True,
        states={'readonly': _readonly})
    date_to = fields.Date("Effective To",
        states={'readonly': _readonly})
    legal_basis = fields.Char("Legal Basis",
        states={'readonly': _readonly})
    # Values of the table that the variables read, not the formulas.
    volunteer_unit_hours = fields.Integer("Volunteer Hours per Unit",
        required=True, states={'readonly': _readonly},
        help="Hours of volunteer service in a year that make one unit "
        "(志愿服务每N小时).")
    first_inventor_shares = fields.Integer("First Inventor's Shares",
        required=True, states={'readonly': _readonly},
        help="Shares of a patent's points the first inventor gets; every "
        "other inventor gets one.")
    indicators = fields.One2Many(
        'laisui.points.indicator', 'rule_set', "Indicators",
        states={'readonly': _readonly})
    state = fields.Selection(STATES, "State", required=True, readonly=True,
        sort=False)
    state_string = state.translated('state')
    edited_by = fields.Many2One('res.user', "Last Changed By",
        readonly=True,
        help="Who created the draft or changed it last: another points "
        "admin approves it.")
    approved_by = fields.Many2One('res.user', "Approved By", readonly=True)
    approved_at = fields.Timestamp("Approved At", readonly=True)

    del _readonly

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order.insert(0, ('date_from', 'DESC'))
        cls._sql_constraints += [
            ('version_unique', Unique(t, t.version),
                'laisui_points.msg_rule_set_version_unique'),
            ('volunteer_unit_hours_positive',
                Check(t, t.volunteer_unit_hours > 0),
                'laisui_points.msg_rule_set_volunteer_unit_hours'),
            ('first_inventor_shares_positive',
                Check(t, t.first_inventor_shares >= 1),
                'laisui_points.msg_rule_set_first_inventor_shares'),
            ]
        cls._buttons.update({
                'approve': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'new_version': {},
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    # The 2018 city table (domain.md, §2.2 Point values, 2018 version):
    # 2 points per 50 hours of volunteering; invention 20/(n+1), one extra
    # share for the first inventor.
    @classmethod
    def default_volunteer_unit_hours(cls):
        return 50

    @classmethod
    def default_first_inventor_shares(cls):
        return 2

    def get_rec_name(self, name):
        return f'{self.name} ({self.version})'

    def rule_values(self):
        "The values of this table that the variables read"
        return RuleValues(
            volunteer_unit_hours=self.volunteer_unit_hours,
            first_inventor_shares=self.first_inventor_shares)

    @classmethod
    def create(cls, vlist):
        if _by_person():
            for values in vlist:
                if (values.get('state', 'draft') != 'draft'
                        or values.keys() & (APPROVAL_FIELDS - {'state'})):
                    raise AccessError(gettext(
                            'laisui_points.msg_rule_set_approval_only'))
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        if not _approving():
            actions = iter(args)
            for rule_sets, values in zip(actions, actions):
                if _by_person() and values.keys() & APPROVAL_FIELDS:
                    raise AccessError(gettext(
                            'laisui_points.msg_rule_set_approval_only'))
                cls.check_draft(rule_sets)
        super().write(*args)

    @classmethod
    def delete(cls, rule_sets):
        cls.check_draft(rule_sets)
        super().delete(rule_sets)

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if not _approving():
            # Who wrote the draft comes from the server, not the client.
            values['edited_by'] = Transaction().user
        return values

    @classmethod
    def copy(cls, rule_sets, default=None):
        default = default.copy() if default else {}
        # A copy is a new draft, whatever it was copied from.
        default.update(state='draft', approved_by=None, approved_at=None,
            edited_by=None)
        return super().copy(rule_sets, default=default)

    @classmethod
    def check_draft(cls, rule_sets):
        """AccessError in zh_CN unless all rule sets are drafts: a person
        changes an approved version only by making a new one"""
        if not _by_person() or _approving():
            return
        for rule_set in cls.browse([int(r) for r in rule_sets]):
            if rule_set.state != 'draft':
                raise AccessError(gettext(
                        'laisui_points.msg_rule_set_not_draft',
                        rule_set=rule_set.rec_name,
                        state=rule_set.state_string))

    @classmethod
    def mark_edited(cls, rule_sets):
        """The current user changed a part of the drafts (an indicator, its
        evidence or comparison rules): another admin approves them"""
        ids = sorted({int(r) for r in rule_sets})
        if not ids or _approving():
            return
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*table.update([table.edited_by],
                    [Transaction().user], where=In(table.id, list(sub_ids))))
        forget_cached(cls.__name__)

    @classmethod
    def validate_fields(cls, rule_sets, field_names):
        super().validate_fields(rule_sets, field_names)
        if field_names and not field_names & {
                'date_from', 'date_to', 'state'}:
            return
        for rule_set in rule_sets:
            if rule_set.date_to and rule_set.date_to < rule_set.date_from:
                raise ValidationError(gettext(
                        'laisui_points.msg_period_dates'))
            if rule_set.state == 'approved':
                # Drafts may overlap anything: only approved ones count.
                cls._check_overlap(rule_set)

    @classmethod
    def _check_overlap(cls, rule_set, taken_over=()):
        "ValidationError when another approved version meets its dates"
        overlapping = cls.search([
                ('id', 'not in', [rule_set.id] + [r.id for r in taken_over]),
                ] + cls._overlap_domain(rule_set), limit=1)
        if overlapping:
            raise ValidationError(gettext(
                    'laisui_points.msg_rule_set_overlap',
                    rule_set=rule_set.rec_name,
                    other=overlapping[0].rec_name))

    @classmethod
    def _overlap_domain(cls, rule_set):
        "The approved versions whose dates meet rule_set's"
        domain = [
            ('state', '=', 'approved'),
            ['OR', ('date_to', '=', None),
                ('date_to', '>=', rule_set.date_from)],
            ]
        if rule_set.date_to:
            domain.append(('date_from', '<=', rule_set.date_to))
        return domain

    @classmethod
    def in_force(cls, date):
        "The approved rule set in force on date, or None"
        rule_sets = cls.search([
                ('state', '=', 'approved'),
                ('date_from', '<=', date),
                ['OR', ('date_to', '=', None), ('date_to', '>=', date)],
                ], limit=1)
        return rule_sets[0] if rule_sets else None

    @classmethod
    @state_guard('draft')
    @ModelView.button
    def approve(cls, rule_sets):
        """A second points admin approves the drafts: from then on they are
        never changed, and each is in force on the days of its dates"""
        AuditLog = Pool().get('laisui.audit.log')
        user = Transaction().user
        authors = cls.read([r.id for r in rule_sets],
            ['create_uid', 'edited_by'])
        for rule_set, author in zip(rule_sets, authors):
            if not user or user in {
                    author['create_uid'], author['edited_by']}:
                raise AccessError(gettext(
                        'laisui_points.msg_rule_set_own_approval',
                        rule_set=rule_set.rec_name))
            if not rule_set.indicators:
                raise ValidationError(gettext(
                        'laisui_points.msg_rule_set_no_indicators',
                        rule_set=rule_set.rec_name))
        now = clock.now()
        with Transaction().set_context(_laisui_rule_set_approval=True):
            for rule_set in sorted(rule_sets, key=lambda r: r.date_from):
                # Checked before anything is written.
                taken_over = cls._taken_over(rule_set)
                cls._check_overlap(rule_set, taken_over)
                if taken_over:
                    cls.write(taken_over, {'date_to':
                            rule_set.date_from - dt.timedelta(days=1)})
                cls.write([rule_set], {
                        'state': 'approved',
                        'approved_by': user,
                        'approved_at': now,
                        })
        AuditLog.log_many([{
                    'action': 'state',
                    'resource': str(r),
                    'from_value': 'draft',
                    'to_value': 'approved',
                    'detail': r.rec_name,
                    } for r in rule_sets])

    @classmethod
    def _taken_over(cls, rule_set):
        """The approved versions that rule_set takes over, which then end
        the day before it starts: started before it, still running on its
        first day and not past its own end. Only from a day to come: the
        days that passed keep the version they had. Any other meeting of
        dates is an overlap."""
        if rule_set.date_from <= clock.today():
            return []
        older = cls.search([
                ('id', '!=', rule_set.id),
                ('date_from', '<', rule_set.date_from),
                ] + cls._overlap_domain(rule_set))
        return [r for r in older
            if rule_set.date_to is None
            or (r.date_to is not None and r.date_to <= rule_set.date_to)]

    @classmethod
    @ModelView.button_action('laisui_points.wizard_rule_set_new_version')
    def new_version(cls, rule_sets):
        pass


class RuleSetPartMixin:
    """A record that is part of a rule set version (an indicator, its
    evidence, its comparison rules): a person changes it only while that
    version is a draft, and the change makes them the draft's last editor.
    _rule_set_path leads from the record to its rule set."""
    __slots__ = ()
    _rule_set_path = 'rule_set'

    @classmethod
    def _rule_sets(cls, records=(), vlist=()):
        "The rule sets of the records and of the values written on them"
        RuleSet = Pool().get('laisui.points.rule_set')
        first, *path = cls._rule_set_path.split('.')
        ids = {getattr(r, first).id for r in records if getattr(r, first)}
        ids |= {int(v[first]) for v in vlist if v.get(first)}
        targets = cls._fields[first].get_target().browse(sorted(ids))
        for name in path:
            targets = [getattr(t, name) for t in targets]
        return RuleSet.browse(sorted({t.id for t in targets if t}))

    @classmethod
    def create(cls, vlist):
        RuleSet = Pool().get('laisui.points.rule_set')
        rule_sets = cls._rule_sets(vlist=vlist)
        RuleSet.check_draft(rule_sets)
        records = super().create(vlist)
        RuleSet.mark_edited(rule_sets)
        return records

    @classmethod
    def write(cls, *args):
        RuleSet = Pool().get('laisui.points.rule_set')
        actions = iter(args)
        rule_sets = set()
        for records, values in zip(actions, actions):
            rule_sets.update(cls._rule_sets(records, [values]))
        RuleSet.check_draft(rule_sets)
        super().write(*args)
        RuleSet.mark_edited(rule_sets)

    @classmethod
    def delete(cls, records):
        RuleSet = Pool().get('laisui.points.rule_set')
        rule_sets = cls._rule_sets(records)
        RuleSet.check_draft(rule_sets)
        super().delete(records)
        RuleSet.mark_edited(rule_sets)


class Indicator(RuleSetPartMixin, AuditedDiffMixin, sequence_ordered(),
        ModelSQL, ModelView):
    "Points indicator (积分指标), a row of one rule set version"
    __name__ = 'laisui.points.indicator'

    rule_set = fields.Many2One('laisui.points.rule_set', "Rule Set",
        required=True, ondelete='CASCADE')
    code = fields.Char("Code", required=True)
    name = fields.Char("Name", required=True)
    category = fields.Selection(CATEGORIES, "Category", required=True)
    scope = fields.Selection([
            ('city', "City"),
            ('district', "District"),
            ], "Scope", required=True)
    unit = fields.Char("Unit", help="What one point is given for.")
    formula = fields.Text("Formula", required=True,
        help="An expression over the applicant's facts, e.g. "
        "3 * permit_years.")
    cap = fields.Numeric("Cap", digits=(16, 2),
        states={'invisible': Eval('category') == 'deduction'},
        help="Most points this indicator can give; empty for no cap.")
    validity_years = fields.Integer("Validity (Years)",
        help="Only facts of the last N years count; empty for all.")
    window_kind = fields.Selection([
            ('rolling', "Rolling Twelve Months"),
            ('calendar', "Calendar Years"),
            ], "Years Counted As", required=True,
        help="How the last N years and the yearly caps count: the "
        "twelve-month periods back from the reference date, or calendar "
        "years (the reference date's year and those before).")
    department = fields.Many2One('laisui.department', "Owning Department",
        help="The functional department that verifies this indicator.")
    evidence_types = fields.Many2Many(
        'laisui.points.indicator-laisui.evidence.type', 'indicator', 'type',
        "Required Evidence")
    note = fields.Text("Note")
    rule_set_state = fields.Function(fields.Selection(STATES,
            "Rule Set State"), 'on_change_with_rule_set_state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.rule_set, t.code),
                'laisui_points.msg_indicator_code_unique'),
            ]
        # Every field, also those other modules add, is read-only once the
        # version is approved (the server refuses the change anyway).
        approved = Eval('rule_set_state', 'draft') != 'draft'
        for name in dir(cls):
            field = getattr(cls, name)
            if (name.startswith('_') or not isinstance(field, fields.Field)
                    or isinstance(field, fields.Function) or field.readonly):
                continue
            readonly = field.states.get('readonly')
            field.states = dict(field.states,
                readonly=Or(readonly, approved) if readonly else approved)

    @fields.depends('rule_set', '_parent_rule_set.state')
    def on_change_with_rule_set_state(self, name=None):
        return self.rule_set.state if self.rule_set else 'draft'

    @classmethod
    def default_scope(cls):
        return 'city'

    @classmethod
    def default_window_kind(cls):
        # "近 N 年" and "每年" as domain.md §9.2 decides them.
        return 'rolling'

    @classmethod
    def validate_fields(cls, indicators, field_names):
        super().validate_fields(indicators, field_names)
        if field_names and 'formula' not in field_names:
            return
        for indicator in indicators:
            indicator.compiled()

    def compiled(self):
        "(code, names) of the formula or ValidationError in zh_CN"
        try:
            return compile_formula(self.formula, variable_types())
        except FormulaError as e:
            raise ValidationError(gettext(
                    'laisui_points.msg_formula_%s' % e.kind,
                    indicator=self.name, detail=e.detail))


class IndicatorEvidenceType(RuleSetPartMixin, ModelSQL):
    "Indicator - Evidence Type"
    __name__ = 'laisui.points.indicator-laisui.evidence.type'
    _rule_set_path = 'indicator.rule_set'

    indicator = fields.Many2One('laisui.points.indicator', "Indicator",
        required=True, ondelete='CASCADE')
    type = fields.Many2One('laisui.evidence.type', "Evidence Type",
        required=True, ondelete='CASCADE')
