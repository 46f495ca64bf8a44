# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Review statistics: where cases wait, how long stages take, and how
often each department's indicators do not match the external data, over
every row and for a period of Guangzhou days."""
from sql import Literal, Null
from sql.aggregate import Avg, Count, Max
from sql.conditionals import Case as SQLCase

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.sql_period import in_period, period
from trytond.pool import Pool
from trytond.transaction import Transaction


def count_if(condition, id_column):
    "The count of the rows where condition holds"
    # No literal in the CASE: PostgreSQL cannot type a bare parameter.
    return Count(SQLCase((condition, id_column), else_=Null))


def line_columns(line):
    """The columns every statistic of review lines has: Tryton's record
    columns and the lines by outcome of the automatic comparison"""
    return [
        Max(line.create_uid).as_('create_uid'),
        Max(line.create_date).as_('create_date'),
        Max(line.write_uid).as_('write_uid'),
        Max(line.write_date).as_('write_date'),
        Count(line.id).as_('lines'),
        ] + [count_if(line.comparison == c, line.id).as_(c)
        for c in ['matched', 'mismatched', 'no_data']]


class StageStatistic(ModelSQL, ModelView):
    "Review statistics per stage"
    __name__ = 'laisui.review.statistic.stage'

    workflow = fields.Many2One('laisui.review.workflow', "Workflow",
        readonly=True)
    stage = fields.Many2One('laisui.review.stage', "Stage", readonly=True)
    arrived = fields.Integer("Arrived", readonly=True,
        help="Cases that reached the stage in the period.")
    waiting = fields.Integer("Cases Waiting", readonly=True,
        help="Of the cases that reached the stage in the period, those "
        "still waiting there.")
    overdue = fields.Integer("Waiting Past Deadline", readonly=True,
        help="Of the cases waiting, those past their deadline.")
    handled = fields.Integer("Steps Completed", readonly=True,
        help="Cases that left the stage in the period.")
    late = fields.Integer("Completed Late", readonly=True,
        help="Of the steps completed in the period, those completed after "
        "their deadline.")
    arrived_today = fields.Integer("Arrived Today", readonly=True)
    done_today = fields.Integer("Completed Today", readonly=True)
    duration = fields.TimeDelta("Average Time Spent", readonly=True,
        help="Average time of the steps completed in the period.")
    hours = fields.Function(fields.Float("Average Hours", digits=(16, 1),
            help="Average time of the steps completed in the period."),
        'get_hours')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('workflow', 'DESC'), ('stage', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Step = pool.get('laisui.review.step')
        Stage = pool.get('laisui.review.stage')
        step = Step.__table__()
        stage = Stage.__table__()
        today = clock.today()
        midnight = clock.day_start(today)
        # Arrivals count by the day they reached the stage, completions by
        # the day they left it; today's columns ignore the period.
        arrived = in_period(step.entered_at,
            *period(Transaction().context))
        left = in_period(step.left_at, *period(Transaction().context))
        open_ = (step.left_at == Null) & arrived
        closed = (step.left_at != Null) & left
        late = closed & (step.overdue == Literal(True))
        return step.join(stage, condition=step.stage == stage.id).select(
            stage.id.as_('id'),
            Max(step.create_uid).as_('create_uid'),
            Max(step.create_date).as_('create_date'),
            Max(step.write_uid).as_('write_uid'),
            Max(step.write_date).as_('write_date'),
            stage.workflow.as_('workflow'),
            stage.id.as_('stage'),
            count_if(arrived, step.id).as_('arrived'),
            count_if(open_, step.id).as_('waiting'),
            count_if(open_ & (step.deadline < today), step.id
                ).as_('overdue'),
            count_if(closed, step.id).as_('handled'),
            count_if(late, step.id).as_('late'),
            count_if(step.entered_at >= midnight, step.id
                ).as_('arrived_today'),
            count_if((step.left_at != Null) & (step.left_at >= midnight),
                step.id).as_('done_today'),
            # An interval on PostgreSQL, seconds on SQLite: both read as a
            # timedelta.
            Avg(SQLCase((closed, step.duration), else_=Null)
                ).as_('duration'),
            group_by=[stage.id, stage.workflow])

    @classmethod
    def get_hours(cls, statistics, name):
        # Read, not the records' cache: it would keep the duration of
        # another period within a transaction.
        return {r['id']: round(r['duration'].total_seconds() / 3600, 1)
            if r['duration'] is not None else None
            for r in cls.read([s.id for s in statistics], ['duration'])}


class StageStatisticContext(ModelView):
    "Review statistics per stage: period"
    __name__ = 'laisui.review.statistic.stage.context'

    date_from = fields.Date("From",
        help="The first Guangzhou day of the period: arrivals count by the "
        "day a case reached the stage, completions by the day it left it. "
        "Empty counts from the first case.")
    date_to = fields.Date("Until",
        help="The last Guangzhou day of the period, included. "
        "Empty counts up to today.")


class DepartmentStatistic(ModelSQL, ModelView):
    "Review statistics per department"
    __name__ = 'laisui.review.statistic.department'

    department = fields.Many2One('laisui.department', "Department",
        readonly=True)
    lines = fields.Integer("Lines", readonly=True,
        help="Indicator lines of the cases submitted in the period.")
    matched = fields.Integer("Matched", readonly=True)
    mismatched = fields.Integer("Mismatched", readonly=True)
    no_data = fields.Integer("No External Data", readonly=True)
    pending = fields.Integer("To Review", readonly=True)
    adjusted = fields.Integer("Adjusted", readonly=True)
    mismatch_rate = fields.Function(fields.Float("Mismatch Rate (%)",
            digits=(16, 1)), 'get_mismatch_rate')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('department', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        Line = Pool().get('laisui.review.line')
        line = Line.__table__()
        # A line is created with its case, when the document is submitted.
        submitted = in_period(line.create_date,
            *period(Transaction().context))
        return line.select(
            line.department.as_('id'),
            line.department.as_('department'),
            *line_columns(line),
            count_if(line.state == 'pending', line.id).as_('pending'),
            count_if(line.state == 'adjusted', line.id
                ).as_('adjusted'),
            where=(line.department != Null) & submitted,
            group_by=[line.department])

    def get_mismatch_rate(self, name):
        compared = self.matched + self.mismatched + self.no_data
        if compared:
            return round(100 * self.mismatched / compared, 1)


class DepartmentStatisticContext(ModelView):
    "Review statistics per department: period"
    __name__ = 'laisui.review.statistic.department.context'

    date_from = fields.Date("Submitted From",
        help="The first Guangzhou day on which the cases were submitted. "
        "Empty counts from the first case.")
    date_to = fields.Date("Submitted Until",
        help="The last Guangzhou day of the period, included. "
        "Empty counts up to today.")
