# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.pyson import Eval

from .fact import SOURCES


class ResidencePermit(ModelSQL, ModelView):
    "Guangdong residence permit (广东省居住证)"
    __name__ = 'laisui.residence.permit'

    applicant = fields.Many2One(
        'laisui.applicant', "Applicant", required=True, ondelete='CASCADE')
    number = fields.Char("Number", required=True)
    district = fields.Many2One('laisui.district', "District", required=True)
    street = fields.Many2One('laisui.street', "Street",
        domain=[('district', '=', Eval('district', -1))])
    date_start = fields.Date("Start Date", required=True)
    date_end = fields.Date("End Date",
        help="Empty while the permit is valid.")
    source = fields.Selection(SOURCES, "Source", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order.insert(0, ('date_start', 'DESC'))
        cls._sql_indexes.add(Index(t, (t.applicant, Index.Equality())))

    @classmethod
    def default_source(cls):
        return 'declared'

    @classmethod
    def validate_fields(cls, permits, field_names):
        super().validate_fields(permits, field_names)
        for permit in permits:
            if permit.date_end and permit.date_end < permit.date_start:
                raise ValidationError(gettext(
                        'laisui_points.msg_period_dates'))

    @classmethod
    def on_modification(cls, mode, permits, field_names=None):
        super().on_modification(mode, permits, field_names)
        Pool().get('laisui.points.statement').mark_dirty(
            [p.applicant for p in permits])

