# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""How the automatic comparison ends, per indicator: confirmed by the
external data, contradicted by it, or without data (which people then
review), over every review line of the cases submitted in a period of
Guangzhou days (the review statistics' period), counted in SQL."""
from sql.aggregate import Max

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.laisui_base.sql_period import in_period, period
from trytond.pool import Pool
from trytond.transaction import Transaction

from .statistic import count_if, line_columns


class ComparisonStatistic(ModelSQL, ModelView):
    "Automatic comparison statistics per indicator"
    __name__ = 'laisui.review.statistic.comparison'

    indicator = fields.Many2One('laisui.points.indicator', "Indicator",
        readonly=True)
    department = fields.Many2One('laisui.department', "Department",
        readonly=True)
    lines = fields.Integer("Lines", readonly=True,
        help="Indicator lines of the cases submitted in the period.")
    matched = fields.Integer("Confirmed by External Data", readonly=True)
    mismatched = fields.Integer("Mismatched", readonly=True)
    no_data = fields.Integer("No External Data", readonly=True)
    not_compared = fields.Integer("Not Compared", readonly=True,
        help="Lines of an indicator without a comparison rule, or "
        "reopened after a correction and not compared again yet.")
    match_rate = fields.Function(fields.Float("Confirmed Rate (%)",
            digits=(16, 1)), 'get_rate')
    mismatch_rate = fields.Function(fields.Float("Mismatch Rate (%)",
            digits=(16, 1)), 'get_rate')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('indicator', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        Line = Pool().get('laisui.review.line')
        line = Line.__table__()
        # A line is created with its case, when the document is submitted.
        submitted = in_period(line.create_date,
            *period(Transaction().context))
        return line.select(
            line.indicator.as_('id'),
            line.indicator.as_('indicator'),
            # One owner per indicator: its lines copy it.
            Max(line.department).as_('department'),
            *line_columns(line),
            count_if(line.comparison == 'not_compared', line.id
                ).as_('not_compared'),
            where=submitted,
            group_by=[line.indicator])

    @classmethod
    def get_rate(cls, statistics, names):
        result = {n: {} for n in names}
        for statistic in statistics:
            compared = (statistic.matched + statistic.mismatched
                + statistic.no_data)
            for name, count in [('match_rate', statistic.matched),
                    ('mismatch_rate', statistic.mismatched)]:
                if name in result:
                    result[name][statistic.id] = (
                        round(100 * count / compared, 1)
                        if compared else None)
        return result
