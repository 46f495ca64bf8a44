# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Values of the rule set that the variables read: the volunteering unit
and the first inventor's shares."""
import datetime as dt
from decimal import Decimal

from trytond.model.exceptions import SQLConstraintError
from trytond.modules.laisui_points.tests.tools import DATE, as_deployment
from trytond.pool import Pool
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase
from trytond.tests.test_tryton import with_transaction


class RuleValuesTestCase(ActivatedTestCase):
    "Rule set values"
    modules = ['laisui_points']

    def rule_set(self, **values):
        "The seeded 2018 table, in force on DATE, with values changed"
        RuleSet = Pool().get('laisui.points.rule_set')
        rule_set = RuleSet.in_force(DATE)
        with as_deployment():
            RuleSet.write([rule_set], values)
        return rule_set

    def points(self, fact, code):
        "Points of indicator code for an applicant with only this fact"
        pool = Pool()
        Applicant = pool.get('laisui.applicant')
        Statement = pool.get('laisui.points.statement')
        Applicant.delete(Applicant.search([]))
        applicant, = Applicant.create([{
                    'name': "陈小燕", 'id_number': '440524199001011221',
                    'phone': '13800138000',
                    'facts': [('create', [fact])],
                    }])
        statement = Statement.compute_one(applicant, date=DATE)
        line, = [l for l in statement.lines if l.indicator.code == code]
        return line.points

    def volunteer(self, hours):
        return self.points({'kind': 'volunteer', 'quantity': hours,
                'date_from': dt.date(2018, 6, 1)}, 'volunteer')

    def invention(self, inventors, first):
        return self.points({'kind': 'patent_invention',
                'quantity': inventors, 'flag': first,
                'date_from': dt.date(2018, 1, 1)}, 'patent_invention')

    @with_transaction()
    def test_volunteer_unit_seeded(self):
        "2 points per 50 hours (domain §2.2): 49 h none, 50 and 51 h 2"
        self.assertEqual(self.rule_set().volunteer_unit_hours, 50)
        for hours, points in [(49, 0), (50, 2), (51, 2)]:
            with self.subTest(hours=hours):
                self.assertEqual(self.volunteer(hours), Decimal(points))

    @with_transaction()
    def test_volunteer_unit_changed(self):
        "A table of 40 hours a unit: 39 h none, 40, 41 and 49 h 2"
        self.rule_set(volunteer_unit_hours=40)
        for hours, points in [(39, 0), (40, 2), (41, 2), (49, 2)]:
            with self.subTest(hours=hours):
                self.assertEqual(self.volunteer(hours), Decimal(points))

    @with_transaction()
    def test_first_inventor_shares(self):
        "Invention (20 a share) by 3 inventors, as each rule set reads it"
        for shares, first, other in [
                # 20 × 1/3, 20 × 1/3: no extra share
                (1, Decimal('6.67'), Decimal('6.67')),
                # The seeded table: 20 × 2/4 and 20 × 1/4
                (2, Decimal('10.00'), Decimal('5.00')),
                # 20 × 3/5 and 20 × 1/5
                (3, Decimal('12.00'), Decimal('4.00')),
                ]:
            with self.subTest(shares=shares):
                self.rule_set(first_inventor_shares=shares)
                self.assertEqual(self.invention(3, True), first)
                self.assertEqual(self.invention(3, False), other)

    @with_transaction()
    def test_seeded_first_inventor_shares(self):
        self.assertEqual(self.rule_set().first_inventor_shares, 2)

    @with_transaction()
    def test_volunteer_unit_positive(self):
        with self.assertRaises(SQLConstraintError) as cm:
            self.rule_set(volunteer_unit_hours=0)
        self.assertIn('大于0', cm.exception.message)

    @with_transaction()
    def test_first_inventor_shares_positive(self):
        with self.assertRaises(SQLConstraintError) as cm:
            self.rule_set(first_inventor_shares=0)
        self.assertIn('至少应有1份', cm.exception.message)
