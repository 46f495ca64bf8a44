# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Review statistics over every row, for a period of Guangzhou days:
arrivals by the day a case reached a stage, completions by the day it
left it, department lines by the day their case was submitted."""
import datetime as dt

from trytond.modules.laisui_base.tests.tools import ActivatedTestCase, acting
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .tools import (
    NOW, department_reviewer, make_applicant, submit, use_reference_date)

UTC = dt.datetime
# One case a moment, all at 网上预审 (prereview). The period is 9 and 10
# October 2026 in Guangzhou (UTC+8).
BEFORE = UTC(2026, 10, 8, 15, 59)  # 23:59 on the 8th
FIRST = UTC(2026, 10, 8, 16, 0)  # 00:00 on the 9th
LAST = UTC(2026, 10, 9, 23, 30)  # 07:30 on the 10th
AFTER = UTC(2026, 10, 10, 16, 0)  # 00:00 on the 11th
# (entered, left, late); the step of LAST waits past its deadline.
STEPS = [
    (BEFORE, FIRST, False),  # completed on the first day in 1 minute
    (FIRST, LAST, True),  # completed late on the last day in 31.5 hours
    (LAST, None, None),
    (AFTER, AFTER + dt.timedelta(hours=1), False),  # after, in 1 hour
    ]
# Two days after the period: the waiting step is past its deadline.
TODAY = UTC(2026, 10, 12, 2)
DAY = dt.date


class StatisticTestCase(ActivatedTestCase):
    "Review statistics"
    modules = ['laisui_review']

    def cases(self):
        "Four submitted cases, their steps and lines moved to STEPS"
        pool = Pool()
        Step = pool.get('laisui.review.step')
        Line = pool.get('laisui.review.line')
        use_reference_date()
        with Transaction().set_context(_laisui_now=NOW):
            cases = [submit(make_applicant(n + 1)) for n in range(4)]
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        for case, (entered, left, late) in zip(cases, STEPS):
            step, = Step.search([('case', '=', case.id)])
            Step.write([step], {
                    'entered_at': entered, 'left_at': left,
                    'duration': left - entered if left else None,
                    'overdue': late,
                    'deadline': DAY(2026, 10, 10),
                    })
            # A case's lines are created when it is submitted.
            cursor.execute(*line.update([line.create_date], [entered],
                    where=line.case == case.id))
        return cases

    def stage(self, **period):
        Statistic = Pool().get('laisui.review.statistic.stage')
        with Transaction().set_context(_laisui_now=TODAY, **period):
            row, = Statistic.search([('stage.code', '=', 'prereview')])
            return (row.arrived, row.waiting, row.overdue, row.handled,
                row.late, row.hours)

    def departments(self, **period):
        Statistic = Pool().get('laisui.review.statistic.department')
        with Transaction().set_context(**period):
            return {s.department.code: s.lines for s in Statistic.search([])}

    @with_transaction()
    def test_stage_period(self):
        "Arrivals and completions counted on their own Guangzhou days"
        self.cases()
        # arrived, waiting, overdue, completed, late, average hours
        self.assertEqual(self.stage(), (4, 1, 1, 3, 1, 10.8))
        self.assertEqual(
            self.stage(date_from=DAY(2026, 10, 9), date_to=DAY(2026, 10, 10)),
            # (1 minute + 31.5 hours) / 2
            (2, 1, 1, 2, 1, 15.8))
        self.assertEqual(
            self.stage(date_from=DAY(2026, 10, 9), date_to=DAY(2026, 10, 9)),
            (1, 0, 0, 1, 0, 0.0))
        self.assertEqual(
            self.stage(date_from=DAY(2026, 10, 10), date_to=DAY(2026, 10, 10)),
            (1, 1, 1, 1, 1, 31.5))
        self.assertEqual(self.stage(date_to=DAY(2026, 10, 8)),
            (1, 0, 0, 0, 0, None))
        self.assertEqual(self.stage(date_from=DAY(2026, 10, 11)),
            (1, 0, 0, 1, 0, 1.0))

    @with_transaction()
    def test_today_ignores_the_period(self):
        "今日新到 and 今日办结 stay today's numbers whatever the period"
        self.cases()
        Statistic = Pool().get('laisui.review.statistic.stage')
        with Transaction().set_context(_laisui_now=AFTER,
                date_from=DAY(2026, 10, 9), date_to=DAY(2026, 10, 10)):
            row, = Statistic.search([('stage.code', '=', 'prereview')])
            self.assertEqual((row.arrived_today, row.done_today), (1, 1))

    @with_transaction()
    def test_department_period(self):
        "Lines count by the Guangzhou day their case was submitted"
        self.cases()
        every = self.departments()
        # Each request declares one insurance line (人社, RS).
        self.assertEqual(every['RS'], 4)
        self.assertEqual(self.departments(date_from=DAY(2026, 10, 9),
                date_to=DAY(2026, 10, 10))['RS'], 2)
        self.assertEqual(self.departments(date_from=DAY(2026, 10, 10),
                date_to=DAY(2026, 10, 10))['RS'], 1)
        self.assertEqual(self.departments(date_to=DAY(2026, 10, 8))['RS'], 1)
        self.assertEqual(self.departments(date_from=DAY(2026, 10, 12)), {})

    @with_transaction()
    def test_department_reviewer_sees_own_department(self):
        "A department reviewer reads their department's figures, in a period"
        self.cases()
        every = self.departments(date_from=DAY(2026, 10, 9))
        self.assertGreater(len(every), 1)
        with acting(department_reviewer('hr02', 'RS')):
            self.assertEqual(self.departments(date_from=DAY(2026, 10, 9)),
                {'RS': 3})
