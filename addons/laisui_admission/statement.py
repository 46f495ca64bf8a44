# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from decimal import Decimal

from trytond.model import fields
from trytond.pool import PoolMeta


class Statement(metaclass=PoolMeta):
    __name__ = 'laisui.points.statement'

    total_admission = fields.Numeric("Total for School Admission",
        digits=(16, 2), readonly=True,
        help="Without the deduction indicators.")

    @classmethod
    def _indicators(cls, rule_set):
        indicators = super()._indicators(rule_set)
        admission = {i.id for i in rule_set.indicators
            if i.applies_to_admission}
        for indicator in indicators:
            indicator['admission'] = indicator['id'] in admission
        return indicators

    @classmethod
    def _header(cls, indicators, points):
        header = super()._header(indicators, points)
        total = sum((points[i['id']] for i in indicators if i['admission']),
            Decimal(0))
        header['total_admission'] = max(total, Decimal(0))
        return header
