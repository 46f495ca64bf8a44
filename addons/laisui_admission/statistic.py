# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Admission statistics: applications by round, stage, type, street and
state, and how many of them the published run placed, over every row and
for a period of Guangzhou days."""
from sql import Literal, Null
from sql.aggregate import Count, Max, Min
from sql.conditionals import Case as SQLCase

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.laisui_base.sql_period import in_period, period
from trytond.pool import Pool
from trytond.transaction import Transaction

from .application import STATES
from .school import STAGES


class Statistic(ModelSQL, ModelView):
    "Admission statistics (积分入学统计)"
    __name__ = 'laisui.admission.statistic'

    round = fields.Many2One('laisui.admission.round', "Round", readonly=True)
    stage = fields.Selection(STAGES, "Stage", readonly=True)
    type = fields.Many2One('laisui.admission.type', "Application Type",
        readonly=True)
    street = fields.Many2One('laisui.street', "Street", readonly=True)
    state = fields.Selection(STATES, "State", readonly=True)
    applications = fields.Integer("Applications", readonly=True,
        help="With a period, the applications submitted in it; without, "
        "every application, drafts included.")
    placed = fields.Integer("Placed", readonly=True,
        help="Placed by the round's published run.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('round', 'DESC'), ('stage', 'ASC'), ('type', 'ASC'),
            ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Application = pool.get('laisui.admission.application')
        Applicant = pool.get('laisui.applicant')
        Result = pool.get('laisui.admission.run.result')
        Run = pool.get('laisui.admission.run')
        application = Application.__table__()
        applicant = Applicant.__table__()
        result = Result.__table__()
        run = Run.__table__()
        published = result.join(run, condition=(result.run == run.id)
            & (run.state == Literal('published'))).select(
                result.application, result.school)
        query = (application
            .join(applicant, condition=application.applicant == applicant.id)
            .join(published, 'LEFT',
                condition=published.application == application.id))
        # Each group's smallest application id: unique, stable.
        return query.select(
            Min(application.id).as_('id'),
            Max(application.create_uid).as_('create_uid'),
            Max(application.create_date).as_('create_date'),
            Max(application.write_uid).as_('write_uid'),
            Max(application.write_date).as_('write_date'),
            application.round.as_('round'),
            application.stage.as_('stage'),
            application.type.as_('type'),
            applicant.street.as_('street'),
            application.state.as_('state'),
            Count(application.id).as_('applications'),
            Count(SQLCase((published.school != Null, application.id),
                    else_=Null)).as_('placed'),
            where=in_period(application.submitted_at,
                *period(Transaction().context)),
            group_by=[application.round, application.stage,
                application.type, applicant.street, application.state])


class StatisticContext(ModelView):
    "Admission statistics: period"
    __name__ = 'laisui.admission.statistic.context'

    date_from = fields.Date("Submitted From",
        help="The first Guangzhou day on which the applications were "
        "submitted. Empty counts from the first application, drafts "
        "included when both days are empty.")
    date_to = fields.Date("Submitted Until",
        help="The last Guangzhou day of the period, included. "
        "Empty counts up to today.")
