# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import (
    Check, ModelSQL, ModelView, Unique, fields, sequence_ordered)
from trytond.model.exceptions import ValidationError
from trytond.modules.laisui_base.audit import AuditedChangesMixin
from trytond.pyson import Eval

from .formula import FormulaError, compile_formula
from .variables import RuleValues, variable_types

CATEGORIES = [
    ('base', "Base"),
    ('bonus', "Bonus"),
    ('deduction', "Deduction"),
    ]


class RuleSet(AuditedChangesMixin, ModelSQL, ModelView):
    "Indicator rule set (积分指标体系), one version in force at a time"
    __name__ = 'laisui.points.rule_set'

    name = fields.Char("Name", required=True)
    version = fields.Char("Version", required=True)
    date_from = fields.Date("Effective From", required=True)
    date_to = fields.Date("Effective To")
    legal_basis = fields.Char("Legal Basis")
    # Values of the table that the variables read, not the formulas.
    volunteer_unit_hours = fields.Integer("Volunteer Hours per Unit",
        required=True,
        help="Hours of volunteer service in a year that make one unit "
        "(志愿服务每N小时).")
    first_inventor_shares = fields.Integer("First Inventor's Shares",
        required=True,
        help="Shares of a patent's points the first inventor gets; every "
        "other inventor gets one.")
    indicators = fields.One2Many(
        'laisui.points.indicator', 'rule_set', "Indicators")

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
    def validate_fields(cls, rule_sets, field_names):
        super().validate_fields(rule_sets, field_names)
        if field_names and not field_names & {'date_from', 'date_to'}:
            return
        for rule_set in rule_sets:
            if rule_set.date_to and rule_set.date_to < rule_set.date_from:
                raise ValidationError(gettext(
                        'laisui_points.msg_period_dates'))
            domain = [
                ('id', '!=', rule_set.id),
                ['OR', ('date_to', '=', None),
                    ('date_to', '>=', rule_set.date_from)],
                ]
            if rule_set.date_to:
                domain.append(('date_from', '<=', rule_set.date_to))
            overlapping = cls.search(domain, limit=1)
            if overlapping:
                raise ValidationError(gettext(
                        'laisui_points.msg_rule_set_overlap',
                        rule_set=rule_set.rec_name,
                        other=overlapping[0].rec_name))

    @classmethod
    def in_force(cls, date):
        "The rule set in force on date, or None"
        rule_sets = cls.search([
                ('date_from', '<=', date),
                ['OR', ('date_to', '=', None), ('date_to', '>=', date)],
                ], limit=1)
        return rule_sets[0] if rule_sets else None


class Indicator(
        AuditedChangesMixin, sequence_ordered(), ModelSQL, ModelView):
    "Points indicator (积分指标)"
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
    department = fields.Many2One('laisui.department', "Owning Department",
        help="The functional department that verifies this indicator.")
    evidence_types = fields.Many2Many(
        'laisui.points.indicator-laisui.evidence.type', 'indicator', 'type',
        "Required Evidence")
    note = fields.Text("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.rule_set, t.code),
                'laisui_points.msg_indicator_code_unique'),
            ]

    @classmethod
    def default_scope(cls):
        return 'city'

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


class IndicatorEvidenceType(ModelSQL):
    "Indicator - Evidence Type"
    __name__ = 'laisui.points.indicator-laisui.evidence.type'

    indicator = fields.Many2One('laisui.points.indicator', "Indicator",
        required=True, ondelete='CASCADE')
    type = fields.Many2One('laisui.evidence.type', "Evidence Type",
        required=True, ondelete='CASCADE')
