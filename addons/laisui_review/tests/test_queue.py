# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Work queues: 待我处理, 未分派, claims, 我已处理, and reminders that
close themselves."""
import datetime as dt

from trytond.modules.laisui_base.tests.tools import (
    ActivatedTestCase, acting, staff)
from trytond.modules.laisui_review.exceptions import DecisionError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .tools import (
    NOW, case_at_departments, case_at_district_review, department_reviewer,
    line, make_applicant, submit, use_reference_date)


def ids(records):
    return sorted(r.id for r in records)


class QueueTestCase(ActivatedTestCase):
    "Work queues"
    modules = ['laisui_review']

    def at(self, when=NOW):
        return Transaction().set_context(_laisui_now=when)

    def queue(self, user, field='for_me', model='laisui.review.case'):
        Model = Pool().get(model)
        with acting(user):
            return ids(Model.search([(field, '=', True)]))

    @with_transaction()
    def test_stage_role_decides_the_queue(self):
        "A clerk's queue holds the cases at the desk; a reviewer's at 初审"
        Case = Pool().get('laisui.review.case')
        clerk = staff('clerk01', 'group_window_clerk')
        reviewer = staff('reviewer01', 'group_district_reviewer')
        use_reference_date()
        with self.at():
            first = submit(make_applicant(1))
            second = submit(make_applicant(2))
            self.assertEqual(self.queue(clerk), ids([first, second]))
            self.assertEqual(self.queue(reviewer), [])
            # 网上预审 then 现场受理 by the clerk: 初审 is the reviewer's.
            with acting(clerk):
                for _ in range(2):
                    Case.pass_([Case(first.id)])
            self.assertEqual(Case(first.id).stage.code, 'first_review')
            self.assertEqual(self.queue(clerk), [second.id])
            self.assertEqual(self.queue(reviewer), [first.id])
            self.assertEqual(Case(first.id).for_me, False)
            with acting(reviewer):
                self.assertEqual(Case(first.id).for_me, True)
                # Not for me is the rest of the cases the reviewer reads.
                self.assertIn(second.id, ids(Case.search(
                            [('for_me', '=', False)])))

    @with_transaction()
    def test_claim_and_release(self):
        "A claimed case leaves the others' queues until released"
        pool = Pool()
        Case = pool.get('laisui.review.case')
        AuditLog = pool.get('laisui.audit.log')
        alice = staff('clerk01', 'group_window_clerk')
        bob = staff('clerk02', 'group_window_clerk')
        reviewer = staff('reviewer01', 'group_district_reviewer')
        use_reference_date()
        with self.at():
            case = submit(make_applicant(1))
            other = submit(make_applicant(2))
            self.assertEqual(self.queue(bob, 'team_unassigned'),
                ids([case, other]))
            with acting(alice):
                Case.claim([Case(case.id)])
            self.assertEqual(Case(case.id).assignee, alice)
            self.assertEqual(self.queue(alice), ids([case, other]))
            self.assertEqual(self.queue(bob), [other.id])
            self.assertEqual(self.queue(alice, 'team_unassigned'),
                [other.id])
            entry, = AuditLog.search([('resource', '=', str(case)),
                    ('detail', '=', 'assignee')])
            self.assertEqual((entry.from_value, entry.to_value),
                (None, alice.rec_name))

            # Bob may neither take it nor put it back; a reviewer may not
            # claim a desk case. Nothing changes.
            audits = AuditLog.search_count([])
            with acting(bob):
                with self.assertRaises(DecisionError) as cm:
                    Case.claim([Case(case.id)])
                self.assertIn('已由', cm.exception.message)
                with self.assertRaises(DecisionError):
                    Case.release([Case(case.id)])
            with acting(reviewer):
                with self.assertRaises(DecisionError) as cm:
                    Case.claim([Case(other.id)])
                self.assertIn('网上预审', cm.exception.message)
            self.assertEqual(Case(case.id).assignee, alice)
            self.assertIsNone(Case(other.id).assignee)
            self.assertEqual(AuditLog.search_count([]), audits)

            with acting(alice):
                Case.release([Case(case.id)])
            self.assertIsNone(Case(case.id).assignee)
            self.assertEqual(self.queue(bob), ids([case, other]))

            # A decision moves the case on: the next stage is nobody's yet.
            with acting(bob):
                Case.claim([Case(case.id)])
                Case.pass_([Case(case.id)])
            case = Case(case.id)
            self.assertEqual((case.stage.code, case.assignee),
                ('acceptance', None))

    @with_transaction()
    def test_district_admin_releases_and_assigns(self):
        "An admin frees a claimed case and gives it to someone responsible"
        Case = Pool().get('laisui.review.case')
        alice = staff('clerk01', 'group_window_clerk')
        bob = staff('clerk02', 'group_window_clerk')
        reviewer = staff('reviewer01', 'group_district_reviewer')
        admin = staff('dadmin01', 'group_district_admin')
        use_reference_date()
        with self.at():
            case = submit(make_applicant(1))
            with acting(alice):
                Case.claim([Case(case.id)])
            with acting(admin):
                Case.release([Case(case.id)])
                Case.assign([Case(case.id)], bob)
                with self.assertRaises(DecisionError):
                    Case.assign([Case(case.id)], reviewer)
            self.assertEqual(Case(case.id).assignee, bob)
            self.assertEqual(self.queue(alice), [])

    @with_transaction()
    def test_four_eyes_keeps_the_case_out_of_the_queue(self):
        "Who passed 初审 does not get the case at 区来穗审核"
        Case = Pool().get('laisui.review.case')
        first = staff('reviewer01', 'group_district_reviewer')
        second = staff('reviewer02', 'group_district_reviewer')
        with self.at():
            case = case_at_district_review(first)
            self.assertEqual(Case(case.id).stage.code, 'district_review')
            self.assertEqual(self.queue(first), [])
            self.assertEqual(self.queue(second), [case.id])
            with acting(first):
                with self.assertRaises(DecisionError):
                    Case.claim([Case(case.id)])

    @with_transaction()
    def test_lines_for_the_department(self):
        "A department reviewer's queue: its own pending lines, while open"
        Line = Pool().get('laisui.review.line')
        hr = department_reviewer('hr01', 'RS')
        edu = department_reviewer('edu01', 'JY')
        with self.at():
            case = case_at_departments()
            insurance, education = (
                line(case, 'insurance'), line(case, 'education'))
            self.assertEqual(
                self.queue(hr, model='laisui.review.line'), [insurance.id])
            self.assertEqual(
                self.queue(edu, model='laisui.review.line'), [education.id])
            with acting(hr):
                Line.confirm([insurance])
            self.assertEqual(self.queue(hr, model='laisui.review.line'), [])
            self.assertEqual(
                self.queue(edu, model='laisui.review.line'), [education.id])

    @with_transaction()
    def test_handled_by_me(self):
        "审核回顾: the steps the person decided, across cases"
        Case = Pool().get('laisui.review.case')
        alice = staff('clerk01', 'group_window_clerk')
        bob = staff('clerk02', 'group_window_clerk')
        use_reference_date()
        with self.at():
            first = submit(make_applicant(1))
            second = submit(make_applicant(2))
            with acting(alice):
                Case.pass_([Case(first.id)])
            with acting(bob):
                Case.pass_([Case(second.id)])
                Case.pass_([Case(first.id)])
            with acting(alice):
                self.assertEqual(
                    ids(Case.search([('handled_by_me', '=', True)])),
                    [first.id])
            steps = self.queue(bob, 'by_me', 'laisui.review.step')
            self.assertEqual(len(steps), 2)
            Step = Pool().get('laisui.review.step')
            self.assertEqual(
                sorted((s.case.id, s.stage.code) for s in Step.browse(steps)),
                [(first.id, 'acceptance'), (second.id, 'prereview')])

    @with_transaction()
    def test_reminder_closes_when_the_stage_is_done(self):
        "The to-do notification is read once the case left the stage"
        pool = Pool()
        Case = pool.get('laisui.review.case')
        Line = pool.get('laisui.review.line')
        Notification = pool.get('res.notification')
        clerk = staff('clerk01', 'group_window_clerk')
        hr = department_reviewer('hr01', 'RS')
        use_reference_date()

        def unread(user):
            return Notification.search_count(
                [('user', '=', user.id), ('unread', '=', True)])
        with self.at():
            case = submit(make_applicant(1))
            other = submit(make_applicant(2))
        # Deadline 10 October: the reminder comes the day before.
        with self.at(dt.datetime(2026, 10, 9, 1)):
            Case.remind()
        self.assertEqual(unread(clerk), 2)
        with self.at(dt.datetime(2026, 10, 9, 2)), acting(clerk):
            Case.pass_([Case(case.id)])
        self.assertEqual(unread(clerk), 1)

        with self.at():
            at_departments = case_at_departments(3)
        with self.at(dt.datetime(2026, 10, 14, 1)):
            Case.remind()
        # The overdue task, and the comparison's alert on its line.
        self.assertEqual(unread(hr), 2)
        with acting(hr):
            Line.confirm([line(at_departments, 'insurance')])
        self.assertEqual(unread(hr), 0)
        # The other case still waits at the desk: its reminders stay.
        self.assertEqual(Case(other.id).stage.code, 'prereview')
        about_other = Notification.search([('user', '=', clerk.id),
                ('records', '=', f'[{other.id}]')])
        self.assertEqual([n.unread for n in about_other], [True, True])

    @with_transaction()
    def test_todays_numbers(self):
        "今日新到 and 今日办结 count from midnight in Guangzhou"
        pool = Pool()
        Case = pool.get('laisui.review.case')
        Statistic = pool.get('laisui.review.statistic.stage')
        clerk = staff('clerk01', 'group_window_clerk')
        use_reference_date()
        # 23:59 on 8 October in Guangzhou, then midnight and 9:00 on the 9th.
        with self.at(dt.datetime(2026, 10, 8, 15, 59)):
            yesterday = submit(make_applicant(1))
        with self.at(dt.datetime(2026, 10, 8, 16, 0)):
            submit(make_applicant(2))
        with self.at(dt.datetime(2026, 10, 9, 1)), acting(clerk):
            Case.pass_([Case(yesterday.id)])

        def today(code, when):
            with self.at(when):
                row, = Statistic.search([('stage.code', '=', code)])
                return row.arrived_today, row.done_today, row.waiting
        on_9th = dt.datetime(2026, 10, 9, 2)
        self.assertEqual(today('prereview', on_9th), (1, 1, 1))
        self.assertEqual(today('acceptance', on_9th), (1, 0, 1))
        # The next day nothing arrived nor was done yet.
        self.assertEqual(today('prereview', dt.datetime(2026, 10, 9, 16)),
            (0, 0, 1))

    @with_transaction()
    def test_desk_board(self):
        "工作台 shows the queue, the lines and today's numbers"
        pool = Pool()
        Data = pool.get('ir.model.data')
        View = pool.get('ir.ui.view')
        board = View(Data.get_id('laisui_review', 'queue_board_view'))
        for action in ['act_queue_case', 'act_queue_line', 'act_queue_today']:
            self.assertIn(f'laisui_review.{action}', board.arch)
