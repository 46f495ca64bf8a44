# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Points statistics: every statement counted, by street and band, for
the applicants registered in a period (days in Guangzhou)."""
import datetime as dt
from decimal import Decimal

from stdnum.cn import ric

from trytond.modules.laisui_base.tests.tools import ActivatedTestCase
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .tools import make_applicant

# (street index, points or None, registered at in UTC)
PEOPLE = [
    (0, Decimal('45'), dt.datetime(2026, 10, 8, 15, 59)),  # 23:59 on the 8th
    (0, Decimal('59.5'), dt.datetime(2026, 10, 8, 16, 0)),  # 00:00 on the 9th
    (0, Decimal('130'), dt.datetime(2026, 10, 10, 2)),
    (1, Decimal('60'), dt.datetime(2026, 10, 10, 2)),
    (1, None, dt.datetime(2026, 10, 10, 2)),
    ]


class StatisticTestCase(ActivatedTestCase):
    "Points statistics"
    modules = ['laisui_points']

    def people(self):
        pool = Pool()
        Street = pool.get('laisui.street')
        Statement = pool.get('laisui.points.statement')
        Applicant = pool.get('laisui.applicant')
        streets = Street.search([], order=[('id', 'ASC')], limit=2)
        table = Applicant.__table__()
        cursor = Transaction().connection.cursor()
        for n, (street, total, registered) in enumerate(PEOPLE):
            body = f'44052419900101{n:02d}1'
            applicant = make_applicant(name=f'陈小燕{n}',
                id_number=body + ric.calc_check_digit(body + 'X'),
                phone=f'1380013800{n}')
            applicant.street = streets[street]
            applicant.save()
            Statement.create([{'applicant': applicant.id, 'total': total,
                        'points_band': None if total is None else
                        f'{int(total // 20) * 20:03d}-'
                        f'{int(total // 20) * 20 + 19:03d}'}])
            cursor.execute(*table.update([table.create_date], [registered],
                    where=table.id == applicant.id))
        return streets

    def rows(self, **context):
        Statistic = Pool().get('laisui.points.statistic')
        with Transaction().set_context(**context):
            return sorted((s.street.id, s.points_band, s.applicants,
                    s.average, s.highest) for s in Statistic.search([]))

    @with_transaction()
    def test_every_statement_by_street_and_band(self):
        "Two streets, three bands; an applicant without points not counted"
        a, b = self.people()
        self.assertEqual(self.rows(), sorted([
                    (a.id, '040-059', 2, Decimal('52.25'), Decimal('59.5')),
                    (a.id, '120-139', 1, Decimal('130'), Decimal('130')),
                    (b.id, '060-079', 1, Decimal('60'), Decimal('60')),
                    ]))

    @with_transaction()
    def test_period_of_registration(self):
        "Midnight in Guangzhou divides the days: the 8th, the 9th, after"
        a, b = self.people()
        day = dt.date
        self.assertEqual(self.rows(date_from=day(2026, 10, 9),
                date_to=day(2026, 10, 9)),
            [(a.id, '040-059', 1, Decimal('59.50'), Decimal('59.5'))])
        self.assertEqual(self.rows(date_to=day(2026, 10, 8)),
            [(a.id, '040-059', 1, Decimal('45.00'), Decimal('45'))])
        self.assertEqual(len(self.rows(date_from=day(2026, 10, 10))), 2)
        self.assertEqual(self.rows(date_from=day(2026, 10, 11)), [])
