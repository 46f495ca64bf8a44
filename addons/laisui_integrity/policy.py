# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields)
from trytond.pyson import Eval

from .exceptions import PolicyError

KINDS = [
    ('false_material', "False Material"),
    ('forged_document', "Forged or Altered Document"),
    ('concealment', "Concealed Facts"),
    ('intermediary_fraud', "Intermediary Fraud"),
    ('other', "Other Breach of Integrity"),
    ]


class Policy(DeactivableMixin, ModelSQL, ModelView):
    "What a confirmed record of a kind costs (失信惩戒规则)"
    __name__ = 'laisui.integrity.policy'

    kind = fields.Selection(KINDS, "Kind", required=True)
    kind_string = kind.translated('kind')
    years = fields.Integer("Years", required=True,
        help="How long the applicant is barred; 0 records without barring.")
    all_services = fields.Boolean("All Services")
    services = fields.Many2Many(
        'laisui.integrity.policy-laisui.integrity.service', 'policy',
        'service', "Services",
        states={'invisible': Eval('all_services', False)})
    legal_basis = fields.Text("Legal Basis", required=True, translate=True,
        help="Shown to the applicant with the entry.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('kind_unique', Unique(t, t.kind),
                'laisui_integrity.msg_policy_kind_unique'),
            ]

    @classmethod
    def default_all_services(cls):
        return True

    @classmethod
    def validate_fields(cls, policies, field_names):
        super().validate_fields(policies, field_names)
        for policy in policies:
            if policy.years < 0:
                raise PolicyError(gettext(
                        'laisui_integrity.msg_policy_years'))
            if policy.years and not (
                    policy.all_services or policy.services):
                raise PolicyError(gettext(
                        'laisui_integrity.msg_policy_scope',
                        kind=policy.kind_string))

    @classmethod
    def for_kind(cls, kind):
        policies = cls.search([('kind', '=', kind)], limit=1)
        if not policies:
            raise PolicyError(gettext(
                    'laisui_integrity.msg_policy_missing',
                    kind=dict(cls.fields_get(['kind'])['kind']['selection'])
                    .get(kind, kind)))
        return policies[0]

    def end_date(self, start):
        "Last day barred: the day before the same date `years` later"
        try:
            same_day = start.replace(year=start.year + self.years)
        except ValueError:
            # 29 February: the bar ends with February.
            same_day = dt.date(start.year + self.years, 3, 1)
        return same_day - dt.timedelta(days=1)


class PolicyService(ModelSQL):
    "Policy - Service"
    __name__ = 'laisui.integrity.policy-laisui.integrity.service'
    policy = fields.Many2One('laisui.integrity.policy', "Policy",
        required=True, ondelete='CASCADE')
    service = fields.Many2One('laisui.integrity.service', "Service",
        required=True, ondelete='CASCADE')
