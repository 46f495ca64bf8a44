# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import DeactivableMixin, ModelSQL, ModelView, Unique, fields


class Service(DeactivableMixin, ModelSQL, ModelView):
    """Service an applicant may be barred from (服务事项)

    Higher modules refer to it by code: admission checks 'admission', the
    public-service catalogue one code per service.
    """
    __name__ = 'laisui.integrity.service'

    code = fields.Char("Code", required=True)
    name = fields.Char("Name", required=True, translate=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'laisui_integrity.msg_service_code_unique'),
            ]
        cls._order = [('code', 'ASC'), ('id', 'ASC')]

    @classmethod
    def get(cls, code):
        "The service of a code, active or not"
        services = cls.search([
                ('code', '=', code),
                ('active', 'in', [True, False]),
                ], limit=1)
        return services[0] if services else None
