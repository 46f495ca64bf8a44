# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Review statistics: where cases wait, how long stages take, and how
often each department's indicators do not match the external data."""
from sql import Literal, Null
from sql.aggregate import Count, Max
from sql.conditionals import Case as SQLCase

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.laisui_base import clock
from trytond.pool import Pool


def _count_if(condition, id_column):
    # No literal in the CASE: PostgreSQL cannot type a bare parameter.
    return Count(SQLCase((condition, id_column), else_=Null))


class StageStatistic(ModelSQL, ModelView):
    "Review statistics per stage"
    __name__ = 'laisui.review.statistic.stage'

    workflow = fields.Many2One('laisui.review.workflow', "Workflow",
        readonly=True)
    stage = fields.Many2One('laisui.review.stage', "Stage", readonly=True)
    waiting = fields.Integer("Cases Waiting", readonly=True)
    overdue = fields.Integer("Waiting Past Deadline", readonly=True)
    handled = fields.Integer("Steps Completed", readonly=True)
    late = fields.Integer("Completed Late", readonly=True)
    arrived_today = fields.Integer("Arrived Today", readonly=True)
    done_today = fields.Integer("Completed Today", readonly=True)
    hours = fields.Function(fields.Float("Average Hours", digits=(16, 1)),
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
        open_ = step.left_at == Null
        closed = step.left_at != Null
        late = closed & (step.overdue == Literal(True))
        return step.join(stage, condition=step.stage == stage.id).select(
            stage.id.as_('id'),
            Max(step.create_uid).as_('create_uid'),
            Max(step.create_date).as_('create_date'),
            Max(step.write_uid).as_('write_uid'),
            Max(step.write_date).as_('write_date'),
            stage.workflow.as_('workflow'),
            stage.id.as_('stage'),
            _count_if(open_, step.id).as_('waiting'),
            _count_if(open_ & (step.deadline < today), step.id
                ).as_('overdue'),
            _count_if(closed, step.id).as_('handled'),
            _count_if(late, step.id).as_('late'),
            _count_if(step.entered_at >= midnight, step.id
                ).as_('arrived_today'),
            _count_if(closed & (step.left_at >= midnight), step.id
                ).as_('done_today'),
            group_by=[stage.id, stage.workflow])

    @classmethod
    def get_hours(cls, statistics, name):
        # Durations are intervals on PostgreSQL and numbers on SQLite:
        # averaged in Python, the same on both.
        Step = Pool().get('laisui.review.step')
        totals = {s.id: [0, 0] for s in statistics}
        for step in Step.search([
                    ('stage', 'in', list(totals)),
                    ('duration', '!=', None),
                    ]):
            total = totals[step.stage.id]
            total[0] += 1
            total[1] += step.duration.total_seconds()
        return {s: round(seconds / count / 3600, 1) if count else None
            for s, (count, seconds) in totals.items()}


class DepartmentStatistic(ModelSQL, ModelView):
    "Review statistics per department"
    __name__ = 'laisui.review.statistic.department'

    department = fields.Many2One('laisui.department', "Department",
        readonly=True)
    lines = fields.Integer("Lines", readonly=True)
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
        return line.select(
            line.department.as_('id'),
            Max(line.create_uid).as_('create_uid'),
            Max(line.create_date).as_('create_date'),
            Max(line.write_uid).as_('write_uid'),
            Max(line.write_date).as_('write_date'),
            line.department.as_('department'),
            Count(line.id).as_('lines'),
            _count_if(line.comparison == 'matched', line.id
                ).as_('matched'),
            _count_if(line.comparison == 'mismatched', line.id
                ).as_('mismatched'),
            _count_if(line.comparison == 'no_data', line.id
                ).as_('no_data'),
            _count_if(line.state == 'pending', line.id).as_('pending'),
            _count_if(line.state == 'adjusted', line.id
                ).as_('adjusted'),
            where=line.department != Null,
            group_by=[line.department])

    def get_mismatch_rate(self, name):
        compared = self.matched + self.mismatched + self.no_data
        if compared:
            return round(100 * self.mismatched / compared, 1)
