# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.model.exceptions import ValidationError
from trytond.modules.laisui_base.personal import PersonalDataMixin

from .applicant import IdentityMixin


class FamilyMember(PersonalDataMixin, IdentityMixin, ModelSQL, ModelView):
    "Family member, above all the children who may apply for school"
    __name__ = 'laisui.family.member'

    applicant = fields.Many2One(
        'laisui.applicant', "Applicant", required=True, ondelete='CASCADE')
    relation = fields.Selection([
            ('child', "Child"),
            ('spouse', "Spouse"),
            ], "Relation", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.id_number.required = True
        cls._sql_constraints += [
            ('applicant_id_number_unique',
                Unique(t, t.applicant, t.id_number),
                'laisui_points.msg_family_duplicate'),
            ]

    @classmethod
    def default_relation(cls):
        return 'child'

    @classmethod
    def validate_fields(cls, members, field_names):
        super().validate_fields(members, field_names)
        for member in members:
            if member.id_number == member.applicant.id_number:
                raise ValidationError(gettext(
                        'laisui_points.msg_family_is_applicant'))
            if (member.relation == 'child' and member.birth_date
                    and member.applicant.birth_date
                    and member.birth_date <= member.applicant.birth_date):
                raise ValidationError(gettext(
                        'laisui_points.msg_family_child_older'))
