# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Table

from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields)
from trytond.pool import PoolMeta
from trytond.transaction import Transaction

from .audit_diff import AuditedDiffMixin


class Department(AuditedDiffMixin, DeactivableMixin, ModelSQL, ModelView):
    "Functional department (职能部门) that owns and reviews indicators"
    __name__ = 'laisui.department'

    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", required=True)
    members = fields.Many2Many(
        'laisui.department-res.user', 'department', 'user', "Members")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'laisui_base.msg_department_code_unique'),
            ]
        cls._order.insert(0, ('code', 'ASC'))


class DepartmentUser(ModelSQL):
    "Department member"
    __name__ = 'laisui.department-res.user'

    department = fields.Many2One(
        'laisui.department', "Department", required=True,
        ondelete='CASCADE')
    user = fields.Many2One(
        'res.user', "User", required=True, ondelete='CASCADE')


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
