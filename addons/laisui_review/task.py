# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Department tasks: the fan-out of a department stage (职能部门审核).

On entering a department stage a case gets one task per department that
owns a line still waiting for people (按职能范围自动分派), all in parallel.
A task is done when every line of its department is decided; the case
leaves the stage when its last task is done.
"""
from collections import defaultdict

from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.modules.laisui_base import clock
from trytond.pool import Pool

from .deadline import DeadlineMixin

STATES = [
    ('open', "To Do"),
    ('done', "Done"),
    ('cancelled', "Cancelled"),
    ]


class Task(DeadlineMixin, ModelSQL, ModelView):
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
        """Create the tasks of the cases entering `stage`; return the
        cases that wait for at least one task."""
        now = clock.now()
        vlist = []
        waiting = []
        for case in cases:
            departments = {l.department for l in case.lines
                if l.state == 'pending' and l.department}
            if departments:
                waiting.append(case)
            vlist.extend({
                    'case': case.id,
                    'stage': stage.id,
                    'department': d.id,
                    'deadline': case.deadline,
                    'created_at': now,
                    } for d in sorted(departments, key=lambda d: d.id))
        cls.create(vlist)
        return waiting

    @classmethod
    def lines_decided(cls, lines):
        """Close the tasks whose lines are all decided and move on the
        cases whose department stage has no open task left."""
        Case = Pool().get('laisui.review.case')
        cases = {l.case for l in lines}
        tasks = cls.search([
                ('case', 'in', [c.id for c in cases]),
                ('state', '=', 'open'),
                ])
        done = []
        left = defaultdict(int)
        for task in tasks:
            if all(l.state != 'pending' for l in task.lines):
                done.append(task)
            else:
                left[task.case] += 1
        cls.write(done, {'state': 'done', 'done_at': clock.now()})
        finished = [c for c in {t.case for t in done}
            if not left[c] and c.state == 'open'
            and c.stage.kind == 'department']
        if finished:
            Case.department_done(finished)

    @classmethod
    def cancel_open(cls, cases):
        "A case left its department stage otherwise (e.g. returned)"
        cls.write(cls.search([
                    ('case', 'in', [c.id for c in cases]),
                    ('state', '=', 'open'),
                    ]), {'state': 'cancelled'})

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
