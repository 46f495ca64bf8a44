# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Department tasks: the fan-out of a department stage (职能部门审核).

On entering a department stage a case gets one task per department that
owns a line still waiting for people (按职能范围自动分派), all in parallel.
A task is done when every line of its department is decided; the case
leaves the stage when its last task is done.
"""
import datetime as dt
from typing import NamedTuple

from sql import Null

from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.model.fields import SQL_OPERATORS
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.bulk import bulk_insert, forget_cached
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .deadline import DeadlineMixin, close_reminders
from .unstaffed import UnstaffedMixin

STATES = [
    ('open', "To Do"),
    ('done', "Done"),
    ('cancelled', "Cancelled"),
    ]


class _NewTask(NamedTuple):
    "The columns of a task fan_out inserts"
    case: int
    stage: int
    department: int
    state: str
    deadline: dt.date
    created_at: dt.datetime
    reminded: bool
    overdue_notified: bool
    escalated: bool
    unstaffed_notified: bool
    unstaffed_escalated: bool
    create_uid: int
    create_date: dt.datetime


class _OpenTask(NamedTuple):
    "An open task as lines_decided reads it"
    id: int
    case: int
    department: int


class Task(UnstaffedMixin, DeadlineMixin, ModelSQL, ModelView):
    "Department review task (部门待办)"
    __name__ = 'laisui.review.task'

    case = fields.Many2One('laisui.review.case', "Case", required=True,
        readonly=True, ondelete='CASCADE')
    applicant = fields.Function(fields.Many2One('laisui.applicant',
            "Applicant"), 'get_case_field', searcher='search_case_field')
    stage = fields.Many2One('laisui.review.stage', "Stage", required=True,
        readonly=True, ondelete='RESTRICT')
    department = fields.Many2One('laisui.department', "Department",
        required=True, readonly=True, ondelete='RESTRICT')
    state = fields.Selection(STATES, "State", required=True, readonly=True)
    state_string = state.translated('state')
    lines = fields.Function(fields.Many2Many('laisui.review.line', None,
            None, "Lines"), 'get_lines')
    created_at = fields.Timestamp("Assigned At", readonly=True)
    done_at = fields.Timestamp("Done At", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('deadline', 'ASC'), ('id', 'ASC')]
        cls._sql_indexes.update({
                Index(t, (t.case, Index.Equality()),
                    (t.state, Index.Equality())),
                Index(t, (t.department, Index.Equality()),
                    (t.state, Index.Equality())),
                })

    @classmethod
    def default_state(cls):
        return 'open'

    def get_rec_name(self, name):
        return f'{self.department.name}：{self.case.rec_name}'

    def get_case_field(self, name):
        value = getattr(self.case, name)
        return value.id if value else None

    @classmethod
    def search_case_field(cls, name, clause):
        return [('case.' + clause[0],) + tuple(clause[1:])]

    def get_lines(self, name):
        return [l.id for l in self.case.lines
            if l.department == self.department]

    @classmethod
    def fan_out(cls, cases, stage):
        """Create the tasks of the cases entering `stage`, one per
        department owning a line left to people; return the cases that
        wait for at least one task."""
        pool = Pool()
        Line = pool.get('laisui.review.line')
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        deadlines = {c.id: c.deadline for c in cases}
        pairs = []
        for sub_ids in grouped_slice(sorted(deadlines), 1000):
            cursor.execute(*line.select(line.case, line.department,
                    where=SQL_OPERATORS['in'](line.case, list(sub_ids))
                    & (line.state == 'pending')
                    & (line.department != Null),
                    group_by=[line.case, line.department],
                    order_by=[line.case, line.department]))
            pairs.extend(cursor)
        now = clock.now()
        user = Transaction().user
        # The engine's own rows: inserted set-wise.
        bulk_insert(cls._table, _NewTask._fields,
            [_NewTask(case=c, stage=stage.id, department=d, state='open',
                    deadline=deadlines[c], created_at=now, reminded=False,
                    overdue_notified=False, escalated=False,
                    unstaffed_notified=False, unstaffed_escalated=False,
                    create_uid=user, create_date=now)
                for c, d in pairs])
        forget_cached(cls.__name__)
        cls.warn_unstaffed(deadlines)
        waiting = {c for c, _ in pairs}
        return [c for c in cases if c.id in waiting]

    @classmethod
    def lines_decided(cls, case_ids):
        """Close the tasks of the cases whose lines are all decided and
        move on the cases whose department stage has no open task left.

        Counted in SQL: a batch sheet decides thousands of lines."""
        pool = Pool()
        Case = pool.get('laisui.review.case')
        Line = pool.get('laisui.review.line')
        task = cls.__table__()
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        open_tasks, pending = [], set()
        for sub_ids in grouped_slice(sorted(case_ids), 1000):
            sub_ids = list(sub_ids)
            cursor.execute(*task.select(task.id, task.case, task.department,
                    where=SQL_OPERATORS['in'](task.case, sub_ids)
                    & (task.state == 'open')))
            open_tasks.extend(_OpenTask._make(r) for r in cursor)
            cursor.execute(*line.select(line.case, line.department,
                    where=SQL_OPERATORS['in'](line.case, sub_ids)
                    & (line.state == 'pending'),
                    group_by=[line.case, line.department]))
            pending.update(cursor)
        done = [t.id for t in open_tasks
            if (t.case, t.department) not in pending]
        waiting = {t.case for t in open_tasks
            if (t.case, t.department) in pending}
        cls.write(cls.browse(done), {'state': 'done', 'done_at': clock.now()})
        done = cls.browse(done)
        close_reminders(done)
        # The comparison's alerts name the lines of a department's task.
        close_reminders([l for t in done for l in t.lines])
        finished = [c for c in Case.browse(sorted(
                    {t.case for t in open_tasks} - waiting))
            if c.state == 'open' and c.stage.kind == 'department']
        if finished:
            Case.department_done(finished)

    @classmethod
    def open_departments(cls, case_ids):
        "(case id, department id) of the cases' open tasks"
        task = cls.__table__()
        cursor = Transaction().connection.cursor()
        result = set()
        for sub_ids in grouped_slice(sorted(case_ids), 1000):
            cursor.execute(*task.select(task.case, task.department,
                    where=SQL_OPERATORS['in'](task.case, list(sub_ids))
                    & (task.state == 'open')))
            result.update(cursor)
        return result

    @classmethod
    def cancel_open(cls, cases):
        "A case left its department stage otherwise (e.g. returned)"
        tasks = cls.search([
                ('case', 'in', [c.id for c in cases]),
                ('state', '=', 'open'),
                ])
        cls.write(tasks, {'state': 'cancelled'})
        close_reminders(tasks)

    def deadline_recipients(self):
        pool = Pool()
        User = pool.get('res.user')
        Data = pool.get('ir.model.data')
        return User.search([
                ('laisui_departments', '=', self.department.id),
                ('groups', '=', Data.get_id(
                        'laisui_base', 'group_department_reviewer')),
                ])

    def deadline_label(self):
        return f'{self.department.name}：{self.case.rec_name}'
