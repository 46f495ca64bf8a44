# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Admission statistics: every application counted, for the Guangzhou
days on which they were submitted."""
import datetime as dt

from trytond.modules.laisui_admission.tests.tools import (
    NOW, child_of, draft_application, make_round, make_schools)
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase
from trytond.modules.laisui_review.tests.tools import make_applicant
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

UTC = dt.datetime
DAY = dt.date
# Submitted at, in UTC; Guangzhou is UTC+8. The period is 10 and 11 May
# 2021; None is a draft.
SUBMITTED = [
    UTC(2021, 5, 9, 15, 59),  # 23:59 on the 9th
    UTC(2021, 5, 9, 16, 0),  # 00:00 on the 10th
    UTC(2021, 5, 10, 23, 30),  # 07:30 on the 11th
    UTC(2021, 5, 11, 16, 0),  # 00:00 on the 12th
    None,
    ]


class StatisticTestCase(ActivatedTestCase):
    "Admission statistics"
    modules = ['laisui_admission']

    def applications(self):
        Application = Pool().get('laisui.admission.application')
        table = Application.__table__()
        cursor = Transaction().connection.cursor()
        with Transaction().set_context(_laisui_now=NOW):
            round_ = make_round()
            school, = make_schools(round_, [1])
            for n, submitted in enumerate(SUBMITTED, 1):
                applicant = make_applicant(n)
                application = draft_application(
                    round_, applicant, child_of(applicant, n), [school])
                if submitted:
                    cursor.execute(*table.update(
                            [table.state, table.submitted_at],
                            ['eligible', submitted],
                            where=table.id == application.id))

    def states(self, **period):
        Statistic = Pool().get('laisui.admission.statistic')
        with Transaction().set_context(**period):
            return {s.state: s.applications for s in Statistic.search([])}

    @with_transaction()
    def test_period_of_submission(self):
        "The period's first and last Guangzhou days are included"
        self.applications()
        self.assertEqual(self.states(), {'eligible': 4, 'draft': 1})
        self.assertEqual(self.states(
                date_from=DAY(2021, 5, 10), date_to=DAY(2021, 5, 11)),
            {'eligible': 2})
        self.assertEqual(self.states(
                date_from=DAY(2021, 5, 11), date_to=DAY(2021, 5, 11)),
            {'eligible': 1})
        self.assertEqual(self.states(date_to=DAY(2021, 5, 9)),
            {'eligible': 1})
        self.assertEqual(self.states(date_from=DAY(2021, 5, 12)),
            {'eligible': 1})
        self.assertEqual(self.states(date_from=DAY(2021, 5, 13)), {})
