# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Department tasks nobody can take: flagged, told to the district
admins when created and escalated once by the daily reminder."""
import datetime as dt

from trytond.modules.laisui_base.tests.tools import ActivatedTestCase, staff
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .tools import NOW, case_at_departments, department, department_reviewer


def at(day):
    "9 o'clock that day in Guangzhou, as naive UTC"
    return dt.datetime.combine(day, dt.time(1))


class UnstaffedTestCase(ActivatedTestCase):
    "Department tasks without an active member"
    modules = ['laisui_review']

    def admin(self):
        admin = staff('dadmin01', 'group_district_admin')
        admin.mobile = '13900139009'
        admin.save()
        return admin

    def notices(self, user):
        Notification = Pool().get('res.notification')
        return Notification.search([('user', '=', user.id),
                ('model', '=', 'laisui.review.task')],
            order=[('id', 'ASC')])

    def tasks(self, case):
        Task = Pool().get('laisui.review.task')
        return {t.department.code: t for t in Task.search(
                [('case', '=', case.id)])}

    def remind(self, day):
        Case = Pool().get('laisui.review.case')
        with Transaction().set_context(_laisui_now=at(day)):
            return Case.remind()

    @with_transaction()
    def test_created_for_a_department_without_member(self):
        "An active member, none, only a disabled one"
        pool = Pool()
        User = pool.get('res.user')
        Task = pool.get('laisui.review.task')
        Message = pool.get('laisui.sms.message')
        admin = self.admin()
        department_reviewer('hr01', 'RS')
        gone = department_reviewer('edu01', 'JY')
        User.write([gone], {'active': False})
        with Transaction().set_context(_laisui_now=NOW):
            case = case_at_departments()
        tasks = self.tasks(case)
        self.assertEqual(sorted(tasks), ['JY', 'RS'])
        self.assertEqual(
            (tasks['RS'].unstaffed, tasks['JY'].unstaffed), (False, True))
        self.assertEqual(Task.search([('case', '=', case.id),
                    ('unstaffed', '=', True)]), [tasks['JY']])
        self.assertEqual(
            (tasks['RS'].unstaffed_notified, tasks['JY'].unstaffed_notified),
            (False, True))
        notice, = self.notices(admin)
        self.assertIn("无人办理：%s没有在岗人员" % department('JY').name,
            notice.description)
        self.assertIn("1项", notice.description)
        self.assertEqual(notice.records, f'[{tasks["JY"].id}]')
        sms, = Message.search([('phone', '=', admin.mobile)])
        self.assertIn("无人办理", sms.content)

    @with_transaction()
    def test_escalated_once(self):
        "The daily reminder escalates a task still unstaffed, once"
        admin = self.admin()
        department_reviewer('hr01', 'RS')
        with Transaction().set_context(_laisui_now=NOW):
            case = case_at_departments()
        self.assertEqual(len(self.notices(admin)), 1)
        self.remind(dt.date(2026, 10, 8))
        created, escalated = self.notices(admin)
        self.assertIn("督办：%s仍没有在岗人员" % department('JY').name,
            escalated.description)
        self.assertTrue(self.tasks(case)['JY'].unstaffed_escalated)
        self.remind(dt.date(2026, 10, 9))
        self.assertEqual(len(self.notices(admin)), 2)

    @with_transaction()
    def test_member_removed_after_the_task(self):
        "The last member leaves once the task exists: escalated next day"
        pool = Pool()
        Department = pool.get('laisui.department')
        admin = self.admin()
        hr = department_reviewer('hr01', 'RS')
        department_reviewer('edu01', 'JY')
        with Transaction().set_context(_laisui_now=NOW):
            case = case_at_departments()
        self.assertEqual(self.notices(admin), [])
        self.remind(dt.date(2026, 10, 8))
        self.assertEqual(self.notices(admin), [])
        Department.write([department('RS')],
            {'members': [('remove', [hr.id])]})
        task = self.tasks(case)['RS']
        self.assertTrue(task.unstaffed)
        self.remind(dt.date(2026, 10, 9))
        notice, = self.notices(admin)
        self.assertIn("督办：%s仍没有在岗人员" % department('RS').name,
            notice.description)
        self.assertEqual(notice.records, f'[{task.id}]')
        self.assertFalse(self.tasks(case)['JY'].unstaffed_escalated)
