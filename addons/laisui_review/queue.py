# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Work queues (工作队列): what waits for the person asking.

待我处理 are the open cases at a task stage the person may decide (the
stage's role and department, and not barred by four eyes), unassigned or
assigned to them, and the department lines they may decide now; 未分派
the team's cases nobody claimed; 我已处理 (审核回顾) the steps they decided,
across cases. One SQL definition serves the lists, their tab counts and
the check of a claim.
"""
from sql import Literal, Null
from sql.operators import Exists

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.fields import SQL_OPERATORS
from trytond.modules.laisui_base.state_guard import state_guard
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .exceptions import DecisionError


def _searcher(query_of):
    """A searcher of a Boolean Function field true for the ids that
    query_of(user id) selects"""
    def search(cls, name, clause):
        _, operator, value = clause[:3]
        query = query_of(cls, Transaction().user)
        positive = (operator == '=') == bool(value)
        return [('id', 'in' if positive else 'not in', query)]
    return classmethod(search)


def _getter(query_of):
    "The getter matching _searcher: the records' ids in the query"
    def get(cls, records, name):
        ids = [r.id for r in records]
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.id, where=SQL_OPERATORS['in'](
                    table.id, ids) & SQL_OPERATORS['in'](
                    table.id, query_of(cls, Transaction().user))))
        found = {i for i, in cursor}
        return {i: i in found for i in ids}
    return classmethod(get)


def _user_ids(user_id, relation):
    "Ids of the user's groups ('groups') or departments"
    User = Pool().get('res.user')
    with without_check_access():
        user = User(user_id)
        if relation == 'groups':
            return [g.id for g in user.groups] or [-1]
        return [d.id for d in user.laisui_departments] or [-1]


class Case(metaclass=PoolMeta):
    __name__ = 'laisui.review.case'

    for_me = fields.Function(fields.Boolean("For Me"),
        'get_for_me', searcher='search_for_me')
    team_unassigned = fields.Function(fields.Boolean("Unassigned"),
        'get_team_unassigned', searcher='search_team_unassigned')
    handled_by_me = fields.Function(fields.Boolean("Handled by Me"),
        'get_handled_by_me', searcher='search_handled_by_me')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                # Also shown when claimed: a click says by whom.
                'claim': {
                    'invisible': ((Eval('state') != 'open')
                        | (Eval('stage_kind') != 'task')),
                    'depends': ['state', 'stage_kind'],
                    },
                'release': {
                    'invisible': ~Eval('assignee'),
                    'depends': ['assignee'],
                    },
                })

    @classmethod
    def decidable_query(cls, user_id):
        """Ids of the open cases at a task stage the user may decide,
        whoever claimed them: the rules of Case.check_responsible"""
        pool = Pool()
        Stage = pool.get('laisui.review.stage')
        Step = pool.get('laisui.review.step')
        case, stage = cls.__table__(), Stage.__table__()
        step, earlier = Step.__table__(), Stage.__table__()
        in_ = SQL_OPERATORS['in']
        decided_elsewhere = Exists(step.join(earlier,
                condition=step.stage == earlier.id).select(Literal(1),
                where=(step.case == case.id) & (step.decided_by == user_id)
                & (step.stage != case.stage) & (earlier.kind == 'task')))
        return case.join(stage, condition=case.stage == stage.id).select(
            case.id,
            where=(case.state == 'open') & (stage.kind == 'task')
            & ((stage.group == Null)
                | in_(stage.group, _user_ids(user_id, 'groups')))
            & ((stage.department == Null)
                | in_(stage.department, _user_ids(user_id, 'departments')))
            & ((stage.distinct_decider != Literal(True))
                | ~decided_elsewhere))

    @classmethod
    def _for_me_query(cls, user_id):
        case = cls.__table__()
        return case.select(case.id, where=SQL_OPERATORS['in'](
                case.id, cls.decidable_query(user_id))
            & ((case.assignee == Null) | (case.assignee == user_id)))

    @classmethod
    def _team_unassigned_query(cls, user_id):
        case = cls.__table__()
        return case.select(case.id, where=SQL_OPERATORS['in'](
                case.id, cls.decidable_query(user_id))
            & (case.assignee == Null))

    @classmethod
    def _handled_by_me_query(cls, user_id):
        Step = Pool().get('laisui.review.step')
        step = Step.__table__()
        return step.select(step.case, where=step.decided_by == user_id,
            group_by=[step.case])

    get_for_me = _getter(_for_me_query.__func__)
    search_for_me = _searcher(_for_me_query.__func__)
    get_team_unassigned = _getter(_team_unassigned_query.__func__)
    search_team_unassigned = _searcher(_team_unassigned_query.__func__)
    get_handled_by_me = _getter(_handled_by_me_query.__func__)
    search_handled_by_me = _searcher(_handled_by_me_query.__func__)

    @classmethod
    @state_guard('open')
    @ModelView.button
    def claim(cls, cases):
        "认领: the case is the person's until they decide or release it"
        user_id = Transaction().user
        for case in cases:
            if case.assignee and case.assignee.id != user_id:
                raise DecisionError(gettext(
                        'laisui_review.msg_case_claimed',
                        case=case.rec_name, user=case.assignee.rec_name))
            case.check_responsible(user_id)
        cls._assign(cases, user_id)

    @classmethod
    @ModelView.button
    def release(cls, cases):
        "Back to the team's unassigned queue: by the assignee or an admin"
        pool = Pool()
        User = pool.get('res.user')
        Data = pool.get('ir.model.data')
        user_id = Transaction().user
        admin = Data.get_id('laisui_base', 'group_district_admin')
        is_admin = admin in {g.id for g in User(user_id).groups}
        for case in cases:
            if (case.assignee and case.assignee.id != user_id
                    and not is_admin):
                raise DecisionError(gettext(
                        'laisui_review.msg_case_claimed',
                        case=case.rec_name, user=case.assignee.rec_name))
        cls._assign(cases, None)

    @classmethod
    def assign(cls, cases, user):
        """分派 by a district admin to a person who may decide the cases"""
        for case in cases:
            case.check_responsible(user.id)
        cls._assign(cases, user.id)

    @classmethod
    def _assign(cls, cases, user_id):
        pool = Pool()
        AuditLog = pool.get('laisui.audit.log')
        User = pool.get('res.user')
        to_value = User(user_id).rec_name if user_id else None
        entries = [{'action': 'write', 'resource': str(c),
                'detail': 'assignee',
                'from_value': c.assignee.rec_name if c.assignee else None,
                'to_value': to_value,
                } for c in cases
            if (c.assignee.id if c.assignee else None) != user_id]
        with without_check_access():
            cls.write(cases, {'assignee': user_id})
        AuditLog.log_many(entries)


class Line(metaclass=PoolMeta):
    __name__ = 'laisui.review.line'

    for_me = fields.Function(fields.Boolean("For Me"),
        'get_for_me', searcher='search_for_me')

    @classmethod
    def _for_me_query(cls, user_id):
        """Pending lines of the user's departments whose department task
        is open: the ones Line.check_stage lets them decide now"""
        Task = Pool().get('laisui.review.task')
        line, task = cls.__table__(), Task.__table__()
        return line.join(task, condition=(task.case == line.case)
            & (task.department == line.department)).select(line.id,
            where=(line.state == 'pending') & (task.state == 'open')
            & SQL_OPERATORS['in'](line.department,
                _user_ids(user_id, 'departments')))

    get_for_me = _getter(_for_me_query.__func__)
    search_for_me = _searcher(_for_me_query.__func__)


class Step(metaclass=PoolMeta):
    __name__ = 'laisui.review.step'

    by_me = fields.Function(fields.Boolean("Decided by Me"),
        'get_by_me', searcher='search_by_me')

    def get_by_me(self, name):
        return bool(self.decided_by
            and self.decided_by.id == Transaction().user)

    @classmethod
    def search_by_me(cls, name, clause):
        _, operator, value = clause[:3]
        positive = (operator == '=') == bool(value)
        user = Transaction().user
        return [('decided_by', '=' if positive else '!=', user)]
