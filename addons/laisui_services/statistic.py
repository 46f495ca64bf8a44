# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Service statistics: submitted applications by service, month, street
and state, over every row, for a period of Guangzhou days."""
from sql import Literal, Null
from sql.aggregate import Count, Min
from sql.conditionals import Case

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.laisui_base.sql_period import (
    in_period, local_month, period)
from trytond.pool import Pool
from trytond.transaction import Transaction

from .application import STATES


class Statistic(ModelSQL, ModelView):
    "Public service statistics (公共服务统计)"
    __name__ = 'laisui.service.statistic'

    service = fields.Many2One('laisui.service', "Service", readonly=True)
    month = fields.Date("Month", readonly=True,
        help="The month the applications were submitted in, in Guangzhou.")
    street = fields.Many2One('laisui.street', "Street", readonly=True)
    state = fields.Selection(STATES, "State", readonly=True)
    applications = fields.Integer("Applications", readonly=True)
    waiting = fields.Integer("On a Waiting List", readonly=True)
    vouchers = fields.Integer("Vouchers Issued", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('month', 'DESC'), ('service', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Application = pool.get('laisui.service.application')
        Applicant = pool.get('laisui.applicant')
        application = Application.__table__()
        applicant = Applicant.__table__()
        # Grouped by a column of a subquery: PostgreSQL cannot tell that
        # two date_trunc() calls match.
        dated = application.join(applicant,
            condition=application.applicant == applicant.id).select(
                application.id, application.service, application.state,
                application.place, application.voucher,
                applicant.street.as_('street'),
                local_month(application.submitted_at).as_('month'),
                where=(application.submitted_at != Null)
                & in_period(application.submitted_at,
                    *period(Transaction().context)))
        return dated.select(
            Min(dated.id).as_('id'),
            dated.service.as_('service'),
            dated.month.as_('month'),
            dated.street.as_('street'),
            dated.state.as_('state'),
            Count(dated.id).as_('applications'),
            Count(Case((dated.place == 'waiting', Literal(1)))).as_(
                'waiting'),
            Count(dated.voucher).as_('vouchers'),
            group_by=[dated.service, dated.month, dated.street,
                dated.state])


class StatisticContext(ModelView):
    "Public service statistics: period"
    __name__ = 'laisui.service.statistic.context'

    date_from = fields.Date("Submitted From",
        help="The first Guangzhou day on which the applications were "
        "submitted. Empty counts from the first application.")
    date_to = fields.Date("Submitted Until",
        help="The last Guangzhou day of the period, included. "
        "Empty counts up to today.")
