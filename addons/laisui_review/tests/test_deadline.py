# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Working-day deadlines and to-do reminders."""
import datetime as dt

from trytond.modules.laisui_base.tests.test_sms_http import HttpGatewayMixin
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase, staff
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .tools import (
    NOW, as_root, department_reviewer, make_applicant, submit,
    use_reference_date)


def at(day, hour=9):
    "Naive UTC for that day at hour o'clock in Guangzhou"
    return dt.datetime.combine(day, dt.time(hour)) - dt.timedelta(hours=8)


class DeadlineTestCase(HttpGatewayMixin, ActivatedTestCase):
    "Deadlines and reminders"
    modules = ['laisui_review']

    def staff(self):
        clerk = staff('clerk01', 'group_window_clerk')
        clerk.mobile = '13900139001'
        clerk.save()
        admin = staff('dadmin01', 'group_district_admin')
        admin.mobile = '13900139009'
        admin.save()
        return clerk, admin

    @with_transaction()
    def test_deadline_across_holidays(self):
        "Three working days from 30 September end on the make-up Saturday"
        Case = Pool().get('laisui.review.case')
        use_reference_date()
        with Transaction().set_context(_laisui_now=NOW):
            case = submit(make_applicant())
        # Pre-review: 3 working days; 1–7 October are holidays and
        # Saturday 10 October is a working day.
        self.assertEqual(Case(case.id).deadline, dt.date(2026, 10, 10))
        self.assertEqual(case.steps[0].deadline, dt.date(2026, 10, 10))

    @with_transaction()
    def test_reminders_once_each(self):
        "Before, when overdue, then escalated; each once, on every channel"
        pool = Pool()
        Case = pool.get('laisui.review.case')
        Notification = pool.get('res.notification')
        Message = pool.get('laisui.sms.message')
        clerk, admin = self.staff()
        self.gateway.script = ['ok'] * 10
        use_reference_date()
        with Transaction().set_context(_laisui_now=NOW):
            case = submit(make_applicant())

        def remind(day):
            with Transaction().set_context(_laisui_now=at(day)):
                return Case.remind()

        def texts(user):
            return [n.description for n in Notification.search(
                    [('user', '=', user.id)], order=[('id', 'ASC')])]

        # Deadline 10 October; reminder 1 working day before (9 October).
        self.assertEqual(remind(dt.date(2026, 10, 8)), 0)
        self.assertEqual(remind(dt.date(2026, 10, 9)), 1)
        self.assertIn('2026-10-10到期', texts(clerk)[0])
        self.assertEqual(remind(dt.date(2026, 10, 10)), 0)
        # Overdue on Monday 12th and escalated (escalate after 1 day).
        self.assertEqual(remind(dt.date(2026, 10, 12)), 2)
        self.assertIn('超期1个工作日', texts(clerk)[1])
        self.assertIn('督办', texts(admin)[0])
        self.assertEqual(remind(dt.date(2026, 10, 13)), 0)
        self.assertEqual(len(texts(clerk)), 2)
        sms = Message.search([('phone', '=', clerk.mobile)])
        self.assertEqual(len(sms), 2)
        # Once the case moves on, the new stage has its own deadline.
        with as_root(), Transaction().set_context(
                _laisui_now=at(dt.date(2026, 10, 13))):
            Case.decide([Case(case.id)], 'pass')
        case = Case(case.id)
        self.assertEqual((case.stage.code, case.deadline, case.reminded),
            ('acceptance', dt.date(2026, 10, 15), False))
        self.assertTrue(case.steps[0].overdue)

    @with_transaction()
    def test_department_task_reminder(self):
        "Department tasks remind their department's reviewers"
        pool = Pool()
        Case = pool.get('laisui.review.case')
        Task = pool.get('laisui.review.task')
        Notification = pool.get('res.notification')
        hr = department_reviewer('hr01', 'RS')
        self.gateway.script = ['ok'] * 10
        use_reference_date()
        with Transaction().set_context(_laisui_now=NOW):
            case = submit(make_applicant(insurance_from=dt.date(2018, 1, 1)))
            with as_root():
                for _ in range(3):
                    Case.decide([Case(case.id)], 'pass')
        task, = Task.search([('department.code', '=', 'RS')])
        # 5 working days from 30 September: 8, 9, 10, 12, 13 October.
        self.assertEqual(task.deadline, dt.date(2026, 10, 13))
        with Transaction().set_context(_laisui_now=at(dt.date(2026, 10, 14))):
            Case.remind()
        notes = Notification.search([('user', '=', hr.id),
                ('model', '=', 'laisui.review.task')])
        self.assertEqual(len(notes), 1)
        self.assertIn('人力资源和社会保障局', notes[0].description)

    @with_transaction()
    def test_sms_gateway_down(self):
        "A failing gateway loses no reminder: the outbox retries later"
        pool = Pool()
        Case = pool.get('laisui.review.case')
        Message = pool.get('laisui.sms.message')
        clerk, _ = self.staff()
        use_reference_date()
        with Transaction().set_context(_laisui_now=NOW):
            submit(make_applicant())
        self.gateway.script = ['error'] * 20
        with Transaction().set_context(_laisui_now=at(dt.date(2026, 10, 9))):
            Case.remind()
        message, = Message.search([('phone', '=', clerk.mobile)])
        Message.send([message])
        message = Message(message.id)
        self.assertEqual(message.state, 'pending')
        self.assertTrue(message.error)
        # The gateway is back: the send cron delivers it.
        self.gateway.script = ['ok']
        Message.send_pending()
        self.assertEqual(Message(message.id).state, 'sent')
        self.assertIn('待办提醒', Message(message.id).content)
