# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Service statistics: every submitted application counted, by the
Guangzhou day and month it was submitted."""
import datetime as dt

from trytond.modules.laisui_base.tests.tools import ActivatedTestCase
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .tools import NOW, make_applicant, make_service

UTC = dt.datetime
DAY = dt.date
# Submitted at, in UTC; Guangzhou is UTC+8. The period is October 2026.
SUBMITTED = [
    UTC(2026, 9, 30, 15, 59),  # 23:59 on 30 September
    UTC(2026, 9, 30, 16, 0),  # 00:00 on 1 October, September in UTC
    UTC(2026, 10, 31, 15, 30),  # 23:30 on 31 October
    UTC(2026, 10, 31, 23, 30),  # 07:30 on 1 November, October in UTC
    ]


class StatisticTestCase(ActivatedTestCase):
    "Service statistics"
    modules = ['laisui_services']

    def applications(self):
        Application = Pool().get('laisui.service.application')
        service = make_service()
        table = Application.__table__()
        cursor = Transaction().connection.cursor()
        with Transaction().set_context(_laisui_now=NOW):
            for n, submitted in enumerate(SUBMITTED):
                draft = Application.draft_for(make_applicant(n + 1), service)
                Application.submit([draft])
                cursor.execute(*table.update([table.submitted_at],
                        [submitted], where=table.id == draft.id))

    def months(self, **period):
        Statistic = Pool().get('laisui.service.statistic')
        with Transaction().set_context(**period):
            counts = {}
            for row in Statistic.search([]):
                counts[row.month] = counts.get(row.month, 0) + row.applications
            return counts

    @with_transaction()
    def test_months_in_guangzhou(self):
        "An application counts in the month of its Guangzhou day"
        self.applications()
        self.assertEqual(self.months(), {
                DAY(2026, 9, 1): 1, DAY(2026, 10, 1): 2, DAY(2026, 11, 1): 1})

    @with_transaction()
    def test_period_of_submission(self):
        "The period's first and last Guangzhou days are included"
        self.applications()
        self.assertEqual(self.months(
                date_from=DAY(2026, 10, 1), date_to=DAY(2026, 10, 31)),
            {DAY(2026, 10, 1): 2})
        self.assertEqual(self.months(
                date_from=DAY(2026, 10, 31), date_to=DAY(2026, 10, 31)),
            {DAY(2026, 10, 1): 1})
        self.assertEqual(self.months(date_to=DAY(2026, 9, 30)),
            {DAY(2026, 9, 1): 1})
        self.assertEqual(self.months(date_from=DAY(2026, 11, 1)),
            {DAY(2026, 11, 1): 1})
        self.assertEqual(self.months(date_from=DAY(2026, 11, 2)), {})
