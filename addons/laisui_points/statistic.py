# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Points statistics (积分统计): applicants by street and points band over
every statement, for the applicants registered in a period."""
import datetime as dt
from decimal import Decimal

from sql import Literal, Null
from sql.aggregate import Avg, Count, Max, Min

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.laisui_base import clock
from trytond.pool import Pool
from trytond.transaction import Transaction


class Statistic(ModelSQL, ModelView):
    "Points statistics by street and band (积分统计)"
    __name__ = 'laisui.points.statistic'

    street = fields.Many2One('laisui.street', "Street", readonly=True)
    points_band = fields.Char("Points Band", readonly=True)
    applicants = fields.Integer("Applicants", readonly=True)
    average = fields.Numeric("Average Points", digits=(16, 2), readonly=True)
    highest = fields.Numeric("Highest Points", digits=(16, 2), readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('street', 'ASC'), ('points_band', 'ASC'),
            ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Statement = pool.get('laisui.points.statement')
        Applicant = pool.get('laisui.applicant')
        statement, applicant = Statement.__table__(), Applicant.__table__()
        context = Transaction().context
        where = statement.total != Null
        # The period is of the applicants' registration, in Guangzhou days.
        if context.get('date_from'):
            where &= applicant.create_date >= clock.day_start(
                context['date_from'])
        if context.get('date_to'):
            where &= applicant.create_date < clock.day_start(
                context['date_to'] + dt.timedelta(days=1))
        return statement.join(applicant,
            condition=statement.applicant == applicant.id).select(
                Min(statement.id).as_('id'),
                Literal(0).as_('create_uid'),
                Min(statement.create_date).as_('create_date'),
                Literal(None).as_('write_uid'),
                Literal(None).as_('write_date'),
                applicant.street.as_('street'),
                statement.points_band.as_('points_band'),
                Count(statement.id).as_('applicants'),
                Avg(statement.total).as_('average'),
                Max(statement.total).as_('highest'),
                where=where,
                group_by=[applicant.street, statement.points_band])

    @classmethod
    def read(cls, ids, fields_names):
        result = super().read(ids, fields_names)
        # SQLite averages to a float: two decimals on both backends.
        for row in result:
            if row.get('average') is not None:
                row['average'] = Decimal(str(row['average'])).quantize(
                    Decimal('0.01'))
        return result


class StatisticContext(ModelView):
    "Points statistics period"
    __name__ = 'laisui.points.statistic.context'

    date_from = fields.Date("Registered From")
    date_to = fields.Date("Registered Until")
