# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction


class District(ModelSQL, ModelView):
    "Guangzhou district (GB/T 2260)"
    __name__ = 'laisui.district'

    code = fields.Char("Code", required=True, size=6)
    name = fields.Char("Name", required=True)
    core = fields.Boolean("Core District",
        help="One of the four central districts of the 2018 city rules.")
    property_bonus = fields.Boolean("Property Bonus",
        help="Owning property here earns the extra residence points.")
    home = fields.Boolean("This District",
        help="The district this system serves: district-scope indicators "
        "count only the periods spent here.")
    streets = fields.One2Many('laisui.street', 'district', "Streets")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'laisui_points.msg_district_code_unique'),
            ]
        cls._order.insert(0, ('code', 'ASC'))

    @classmethod
    def as_dict(cls):
        "id → {core, property_bonus, home} for the statement computation"
        return {d.id: {'core': d.core, 'property_bonus': d.property_bonus,
                'home': d.home}
            for d in cls.search([])}


class Street(ModelSQL, ModelView):
    "Street (街道)"
    __name__ = 'laisui.street'

    name = fields.Char("Name", required=True)
    district = fields.Many2One(
        'laisui.district', "District", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))


class Form(metaclass=PoolMeta):
    __name__ = 'laisui.form'

    @classmethod
    def yuexiu_streets(cls):
        "The streets of this district as the geography keeps them"
        Street = Pool().get('laisui.street')
        with Transaction().set_context(_check_access=False):
            streets = Street.search([('district.home', '=', True)])
        return [s.name for s in streets] or super().yuexiu_streets()
