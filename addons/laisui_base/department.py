# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Literal, Table
from sql.aggregate import Count

from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.model.fields import SQL_OPERATORS
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .audit_diff import AuditedDiffMixin


class Department(AuditedDiffMixin, DeactivableMixin, ModelSQL, ModelView):
    "Functional department (职能部门) that owns and reviews indicators"
    __name__ = 'laisui.department'

    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", required=True)
    members = fields.Many2Many(
        'laisui.department-res.user', 'department', 'user', "Members")
    # A department whose members are all disabled reviews nothing: its
    # tasks would wait for nobody (laisui_review warns the district).
    active_member_count = fields.Function(fields.Integer(
            "Active Members",
            help="Members whose account is enabled."),
        'get_active_member_count')
    unstaffed = fields.Function(fields.Boolean("Without Active Member"),
        'get_unstaffed', searcher='search_unstaffed')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'laisui_base.msg_department_code_unique'),
            ]
        cls._order.insert(0, ('code', 'ASC'))

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('unstaffed'), 'warning', '')),
            ('//label[@id="unstaffed_warning"]', 'states', {
                    'invisible': ~Eval('unstaffed'),
                    }),
            ]

    @classmethod
    def _staffed_query(cls, department_ids=None):
        """(department, count) of the members whose account is enabled,
        for the departments that have any"""
        pool = Pool()
        Member = pool.get('laisui.department-res.user')
        User = pool.get('res.user')
        member = Member.__table__()
        user = User.__table__()
        where = user.active == Literal(True)
        if department_ids is not None:
            where &= SQL_OPERATORS['in'](member.department, department_ids)
        return member.join(user, condition=member.user == user.id
            ).select(member.department, Count(member.id),
                where=where, group_by=[member.department])

    @classmethod
    def get_active_member_count(cls, departments, name):
        counts = dict.fromkeys((d.id for d in departments), 0)
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice(list(counts), 1000):
            cursor.execute(*cls._staffed_query(list(sub_ids)))
            counts.update(cursor)
        return counts

    @classmethod
    def get_unstaffed(cls, departments, name):
        counts = cls.get_active_member_count(departments, None)
        return {d: not c for d, c in counts.items()}

    @classmethod
    def search_unstaffed(cls, name, clause):
        _, operator, value = clause
        staffed = cls._staffed_query()
        staffed.columns = staffed.columns[:1]
        staffed.group_by = None
        unstaffed = (operator == '=') == bool(value)
        return [('id', 'not in' if unstaffed else 'in', staffed)]


class DepartmentUser(ModelSQL, ModelView):
    "Department member"
    __name__ = 'laisui.department-res.user'

    department = fields.Many2One(
        'laisui.department', "Department", required=True,
        ondelete='CASCADE')
    user = fields.Many2One(
        'res.user', "User", required=True, ondelete='CASCADE')
    user_active = fields.Function(fields.Boolean("Account Enabled"),
        'get_user_active')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('member_unique', Unique(t, t.department, t.user),
                'laisui_base.msg_department_member_unique'),
            ]
        cls._order.insert(0, ('department', 'ASC'))

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(~Eval('user_active'), 'muted', '')),
            ]

    def get_rec_name(self, name):
        return f'{self.department.rec_name}：{self.user.rec_name}'

    def get_user_active(self, name):
        return self.user.active


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    laisui_departments = fields.Many2Many(
        'laisui.department-res.user', 'user', 'department', "Departments")


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'

    @classmethod
    def _get_context(cls, model_name):
        user_id = Transaction().user
        context = super()._get_context(model_name)
        context['laisui_departments'] = user_department_ids(user_id)
        # For "records I reported" rules; core offers only the groups.
        context['user_id'] = user_id
        return context

    @classmethod
    def _get_cache_key(cls, model_names):
        user_id = Transaction().user
        key = super()._get_cache_key(model_names)
        return (*key, user_department_ids(user_id), user_id)


def user_department_ids(user_id):
    """Department ids of the user, read with raw SQL because record rules
    call this while rules are being evaluated (no ORM recursion)."""
    if not user_id:
        return ()
    table = Table('laisui_department-res_user')
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.select(
            table.department, where=table.user == user_id))
    return tuple(sorted(r for r, in cursor))
