# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.modules.laisui_base.validation import checked_phone
from trytond.pool import PoolMeta


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    laisui_mobile = fields.Char("Mobile Phone",
        help="Where review reminders are sent by SMS.")

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('laisui_mobile'):
            values['laisui_mobile'] = checked_phone(values['laisui_mobile'])
        return values


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('laisui.review.case|remind',
                    "Send Review Reminders"),
                ('laisui.review.case|fire_timers',
                    "Close Elapsed Review Periods"),
                ])
