# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import DeactivableMixin, ModelSQL, ModelView, Unique, fields

STAGES = [
    ('grade1', "Grade 1"),
    ('grade7', "Grade 7"),
    ]


class School(DeactivableMixin, ModelSQL, ModelView):
    "School taking pupils by points (积分入学学校)"
    __name__ = 'laisui.admission.school'

    code = fields.Char("Code", required=True)
    name = fields.Char("Name", required=True)
    stage = fields.Selection(STAGES, "Stage", required=True,
        help="The grade the school admits into.")
    stage_string = stage.translated('stage')
    street = fields.Many2One('laisui.street', "Street")
    kind = fields.Selection([
            ('public', "Public"),
            ('purchased', "Government-purchased Places"),
            ], "Kind", required=True)
    kind_string = kind.translated('kind')
    address = fields.Char("Address")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'laisui_admission.msg_school_code_unique'),
            ]
        cls._order.insert(0, ('stage', 'ASC'))
        cls._order.insert(1, ('code', 'ASC'))

    @classmethod
    def default_kind(cls):
        return 'public'
