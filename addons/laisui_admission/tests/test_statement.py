# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The points total for school admission: the statement without the
indicators that do not count for admission (the deductions)."""
from decimal import Decimal

from trytond.modules.laisui_points.tests.tools import DATE, make_applicant
from trytond.pool import Pool
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase
from trytond.tests.test_tryton import with_transaction


class StatementTestCase(ActivatedTestCase):
    "Points statements for school admission"
    modules = ['laisui_admission']

    @with_transaction()
    def test_total_admission(self):
        "The credit deduction (-5) counts in the total, not for admission"
        pool = Pool()
        Statement = pool.get('laisui.points.statement')
        applicant = make_applicant()
        Statement.compute([applicant], DATE)
        statement, = Statement.search([('applicant', '=', applicant.id)])
        self.assertEqual(statement.total, Decimal('100'))
        self.assertEqual(statement.total_admission, Decimal('105'))

        reference = Statement.compute_one(applicant, DATE)
        self.assertEqual(reference.total_admission, Decimal('105'))

    @with_transaction()
    def test_deductions_do_not_count(self):
        "Only the deduction indicators of the 2018 table are left out"
        pool = Pool()
        RuleSet = pool.get('laisui.points.rule_set')
        rule_set = RuleSet.in_force(DATE)
        left_out = {i.category for i in rule_set.indicators
            if not i.applies_to_admission}
        self.assertEqual(left_out, {'deduction'})

    @with_transaction()
    def test_deduction_category_unticks_admission(self):
        Indicator = Pool().get('laisui.points.indicator')
        indicator = Indicator(category='base')
        self.assertTrue(Indicator.default_applies_to_admission())
        indicator.applies_to_admission = True
        indicator.category = 'deduction'
        indicator.on_change_category()
        self.assertFalse(indicator.applies_to_admission)
