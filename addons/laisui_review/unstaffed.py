# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Department tasks nobody can take (无人办理).

A department whose members are all disabled, or which has none, gets its
tasks all the same: the district admins hear of it when the tasks are
created, and the daily reminder escalates each task still unstaffed once
(also those whose last member left after they were created).
"""
from collections import defaultdict

from trytond.model import fields
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import without_check_access

from .deadline import district_admins, send_notice


class UnstaffedMixin:
    __slots__ = ()

    unstaffed = fields.Function(fields.Boolean("Nobody to Review",
            help="The department has no member with an enabled account."),
        'get_unstaffed', searcher='search_unstaffed')
    unstaffed_notified = fields.Boolean("Unstaffed Notified", readonly=True)
    unstaffed_escalated = fields.Boolean(
        "Unstaffed Escalated", readonly=True)

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree/field[@name="department"]', 'visual',
                If(Eval('unstaffed'), 'warning', '')),
            ]

    @classmethod
    def get_unstaffed(cls, tasks, name):
        Department = Pool().get('laisui.department')
        departments = Department.browse({t.department.id for t in tasks})
        unstaffed = Department.get_unstaffed(departments, None)
        return {t.id: unstaffed[t.department.id] for t in tasks}

    @classmethod
    def search_unstaffed(cls, name, clause):
        return [('department.unstaffed',) + tuple(clause[1:])]

    @classmethod
    def warn_unstaffed(cls, case_ids):
        "Tell the district admins of the cases' new tasks nobody can take"
        return cls._tell_unstaffed([
                ('case', 'in', list(case_ids)),
                ('unstaffed_notified', '=', False),
                ], 'review_unstaffed', 'unstaffed_notified')

    @classmethod
    def escalate_unstaffed(cls):
        """Cron: escalate once each open task still without anybody;
        return how many notices were sent"""
        return cls._tell_unstaffed([('unstaffed_escalated', '=', False)],
            'review_unstaffed_escalated', 'unstaffed_escalated')

    @classmethod
    def _tell_unstaffed(cls, domain, template, flag):
        """One notice per department to each district admin about the open
        unstaffed tasks in domain, which are then flagged"""
        # Whoever moved the case on may see neither every task nor the
        # admins and their notices.
        with without_check_access():
            tasks = cls.search([('state', '=', 'open'),
                    ('unstaffed', '=', True), domain])
            if not tasks:
                return 0
            by_department = defaultdict(list)
            for task in tasks:
                by_department[task.department].append(task)
            admins = district_admins()
            for department, department_tasks in by_department.items():
                send_notice(admins, template, {
                        'department': department.rec_name,
                        'count': len(department_tasks),
                        }, department_tasks, warning=True)
            cls.write(tasks, {flag: True})
        return len(admins) * len(by_department)
