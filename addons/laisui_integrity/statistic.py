# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Integrity statistics: records by kind and Guangzhou month of their
report, over every row, for a period of Guangzhou days."""
from sql import Literal
from sql.aggregate import Count, Min
from sql.conditionals import Case

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.laisui_base.sql_period import (
    in_period, local_month, period)
from trytond.pool import Pool
from trytond.transaction import Transaction

from .policy import KINDS


class RecordStatistic(ModelSQL, ModelView):
    "Integrity records by kind and month"
    __name__ = 'laisui.integrity.record.statistic'

    month = fields.Date("Month", readonly=True,
        help="The month the records were reported in, in Guangzhou.")
    kind = fields.Selection(KINDS, "Kind", readonly=True)
    kind_string = kind.translated('kind')
    reported = fields.Integer("Reported", readonly=True,
        help="Records still waiting for a decision.")
    confirmed = fields.Integer("Confirmed", readonly=True)
    dismissed = fields.Integer("Dismissed", readonly=True)
    total = fields.Integer("Total", readonly=True)

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
            local_month(record.report_date).as_('month'),
            where=in_period(record.report_date,
                *period(Transaction().context)))

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



class RecordStatisticContext(ModelView):
    "Integrity statistics: period"
    __name__ = 'laisui.integrity.record.statistic.context'

    date_from = fields.Date("Reported From",
        help="The first Guangzhou day on which the records were reported. "
        "Empty counts from the first record.")
    date_to = fields.Date("Reported Until",
        help="The last Guangzhou day of the period, included. "
        "Empty counts up to today.")
