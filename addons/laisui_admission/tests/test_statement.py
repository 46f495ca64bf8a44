# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The points statement under school admission: the current points,
and which indicators count for admission (not the deductions)."""
from decimal import Decimal

from trytond.modules.laisui_points.tests.tools import DATE, make_applicant
from trytond.pool import Pool
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase
from trytond.tests.test_tryton import with_transaction


class StatementTestCase(ActivatedTestCase):
    "Points statements for school admission"
    modules = ['laisui_admission']

    @with_transaction()
    def test_statement_is_the_current_points(self):
        """The statement's one total is the current points, the credit
        deduction (-5) in it; it holds no admission total of its own date
        (the admission score is the application's, as of its cut-off)"""
        pool = Pool()
        Statement = pool.get('laisui.points.statement')
        applicant = make_applicant()
        Statement.compute([applicant], DATE)
        statement, = Statement.search([('applicant', '=', applicant.id)])
        self.assertEqual(statement.total, Decimal('100'))
        self.assertNotIn('total_admission', Statement._fields)
        self.assertEqual(statement.admission_scores, '')
        self.assertEqual(Statement.labelled_scores(applicant),
            [('当前积分（截至2019-04-30）', Decimal('100'))])

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
