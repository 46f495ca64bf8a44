# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Application types (申请类型) and their conditions as data.

A condition is a formula over the same variables as the points indicators
(laisui_points.variables), evaluated on the applicant's facts as of the
round's points cut-off: e.g. type A's ``home_current_permit_years >= 1``.
Each condition carries the reason an applicant reads when it fails and the
evidence that would fix it, so a new district rule is a new row, not code.
"""
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields, sequence_ordered)
from trytond.model.exceptions import ValidationError
from trytond.modules.laisui_points.formula import (
    FormulaError, compile_formula, evaluate, namespace)
from trytond.modules.laisui_points.variables import (
    VARIABLES, describe, variable_types)


class ApplicationType(DeactivableMixin, ModelSQL, ModelView):
    "Application type (申请类型)"
    __name__ = 'laisui.admission.type'

    code = fields.Char("Code", required=True)
    name = fields.Char("Name", required=True)
    description = fields.Text("Description")
    conditions = fields.One2Many('laisui.admission.condition', 'type',
        "Conditions")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'laisui_admission.msg_type_code_unique'),
            ]
        cls._order.insert(0, ('code', 'ASC'))

    def failures(self, fact_set):
        """The conditions the facts do not meet: list of (reason, evidence,
        what the facts show)"""
        result = []
        for condition in self.conditions:
            if not condition.met(fact_set):
                result.append(condition.failure(fact_set))
        return result


class Condition(sequence_ordered(), ModelSQL, ModelView):
    "Condition of an application type (申请条件)"
    __name__ = 'laisui.admission.condition'

    type = fields.Many2One('laisui.admission.type', "Type", required=True,
        ondelete='CASCADE')
    name = fields.Char("Name", required=True)
    formula = fields.Char("Formula", required=True,
        help="True when met, e.g. home_current_permit_years >= 1.")
    reason = fields.Char("Reason When Not Met", required=True)
    evidence = fields.Char("Evidence That Would Fix It")

    @classmethod
    def validate_fields(cls, conditions, field_names):
        super().validate_fields(conditions, field_names)
        for condition in conditions:
            condition.compiled()

    def compiled(self):
        try:
            return compile_formula(self.formula, variable_types())
        except FormulaError as e:
            raise ValidationError(gettext(
                    'laisui_admission.msg_condition_formula',
                    condition=self.name, detail=e.detail)) from e

    def _readings(self, fact_set):
        _, names = self.compiled()
        return {n: VARIABLES[n].function(fact_set) for n in sorted(names)}

    def met(self, fact_set):
        code, _ = self.compiled()
        return bool(evaluate(code, namespace(self._readings(fact_set))))

    def failure(self, fact_set):
        shown = '；'.join(f'{VARIABLES[n].label}：{describe(v)}'
            for n, v in self._readings(fact_set).items())
        return (self.reason, self.evidence or '', shown)
