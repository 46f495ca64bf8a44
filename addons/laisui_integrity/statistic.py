# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Literal
from sql.aggregate import Count, Min
from sql.conditionals import Case

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.laisui_base.sql_month import month
from trytond.pool import Pool

from .policy import KINDS


class RecordStatistic(ModelSQL, ModelView):
    "Integrity records by kind and month"
    __name__ = 'laisui.integrity.record.statistic'

    month = fields.Date("Month")
    kind = fields.Selection(KINDS, "Kind")
    kind_string = kind.translated('kind')
    reported = fields.Integer("Reported")
    confirmed = fields.Integer("Confirmed")
    dismissed = fields.Integer("Dismissed")
    total = fields.Integer("Total")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('month', 'DESC'), ('kind', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        Record = Pool().get('laisui.integrity.record')
        record = Record.__table__()
        # Grouped by a column of a subquery: PostgreSQL cannot tell that
        # two date_trunc() calls, each with 'month' as a parameter, match.
        dated = record.select(record.id, record.kind, record.state,
            month(record.report_date).as_('month'))

        def count(state):
            return Count(Case((dated.state == state, Literal(1))))
        return dated.select(
            Min(dated.id).as_('id'),
            dated.month.as_('month'),
            dated.kind.as_('kind'),
            count('reported').as_('reported'),
            count('confirmed').as_('confirmed'),
            count('dismissed').as_('dismissed'),
            Count(dated.id).as_('total'),
            group_by=[dated.month, dated.kind])

