# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Integrity statistics: every record counted by kind, by the Guangzhou
day and month it was reported."""
import datetime as dt

from trytond.modules.laisui_base.tests.tools import ActivatedTestCase
from trytond.modules.laisui_points.tests.tools import make_applicant
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .tools import report

UTC = dt.datetime
DAY = dt.date
# (reported at in UTC, kind, confirmed); Guangzhou is UTC+8. The period
# is October 2026.
RECORDS = [
    (UTC(2026, 9, 30, 15, 59), 'false_material', True),  # 23:59 on 30 Sep.
    (UTC(2026, 9, 30, 16, 0), 'false_material', False),  # 00:00 on 1 Oct.
    (UTC(2026, 10, 31, 15, 30), 'concealment', True),  # 23:30 on 31 Oct.
    (UTC(2026, 10, 31, 23, 30), 'concealment', False),  # 07:30 on 1 Nov.
    ]
SEPTEMBER, OCTOBER, NOVEMBER = (DAY(2026, m, 1) for m in [9, 10, 11])


class StatisticTestCase(ActivatedTestCase):
    "Integrity statistics"
    modules = ['laisui_integrity']

    def records(self):
        Record = Pool().get('laisui.integrity.record')
        applicant = make_applicant()
        for reported_at, kind, confirmed in RECORDS:
            with Transaction().set_context(_laisui_now=reported_at):
                record = report(applicant, kind=kind)
                if confirmed:
                    Record.confirm([record])

    def rows(self, **period):
        Statistic = Pool().get('laisui.integrity.record.statistic')
        with Transaction().set_context(**period):
            return {(s.month, s.kind): (s.reported, s.confirmed, s.total)
                for s in Statistic.search([])}

    @with_transaction()
    def test_months_in_guangzhou(self):
        "A record counts in the month of its Guangzhou day"
        self.records()
        self.assertEqual(self.rows(), {
                (SEPTEMBER, 'false_material'): (0, 1, 1),
                (OCTOBER, 'false_material'): (1, 0, 1),
                (OCTOBER, 'concealment'): (0, 1, 1),
                (NOVEMBER, 'concealment'): (1, 0, 1),
                })

    @with_transaction()
    def test_period_of_report(self):
        "The period's first and last Guangzhou days are included"
        self.records()
        self.assertEqual(self.rows(
                date_from=DAY(2026, 10, 1), date_to=DAY(2026, 10, 31)), {
                (OCTOBER, 'false_material'): (1, 0, 1),
                (OCTOBER, 'concealment'): (0, 1, 1),
                })
        self.assertEqual(self.rows(
                date_from=DAY(2026, 10, 2), date_to=DAY(2026, 10, 30)), {})
        self.assertEqual(self.rows(date_to=DAY(2026, 9, 30)),
            {(SEPTEMBER, 'false_material'): (0, 1, 1)})
        self.assertEqual(self.rows(date_from=DAY(2026, 11, 1)),
            {(NOVEMBER, 'concealment'): (1, 0, 1)})
