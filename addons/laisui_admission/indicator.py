# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import PoolMeta


class Indicator(metaclass=PoolMeta):
    __name__ = 'laisui.points.indicator'

    applies_to_admission = fields.Boolean("Counts for School Admission",
        help="Deductions do not apply to school admission.")

    @classmethod
    def default_applies_to_admission(cls):
        return True

    @fields.depends('category')
    def on_change_category(self):
        if self.category == 'deduction':
            self.applies_to_admission = False
