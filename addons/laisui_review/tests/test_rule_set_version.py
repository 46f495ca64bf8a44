# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Comparison rules belong to their indicator's rule set version: a new
version carries them, an approved one never changes them (issue 17)."""
import datetime as dt
from decimal import Decimal

from trytond.model.exceptions import AccessError
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase, staff
from trytond.modules.laisui_points.tests.tools import (
    DATE, approve, as_deployment, new_version)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .tools import acting

NOT_DRAFT = ('指标体系“广州市来穗人员积分制指标及分值表 (GZ-2018)”已审批，'
    '不能再修改或删除；如需调整规则，请用“新版本”复制出草稿后修改。')


class RuleSetVersionTestCase(ActivatedTestCase):
    "Comparison rules of rule set versions"
    modules = ['laisui_review']

    def rules(self, rule_set):
        "indicator code → (method, tolerance, active) of the version"
        Rule = Pool().get('laisui.review.comparison.rule')
        with Transaction().set_context(active_test=False):
            return {r.indicator.code: (r.method, r.tolerance, bool(r.active))
                for r in Rule.search([
                        ('indicator.rule_set', '=', rule_set.id)])}

    def indicator(self, rule_set, code):
        indicator, = [i for i in rule_set.indicators if i.code == code]
        return indicator

    @with_transaction()
    def test_new_version_carries_comparison_rules(self):
        "The seeded rules (review_data.xml) and an inactive one travel"
        pool = Pool()
        RuleSet = pool.get('laisui.points.rule_set')
        Rule = pool.get('laisui.review.comparison.rule')
        admin = staff('dadmin', 'group_district_admin')
        gz2018 = RuleSet.in_force(DATE)
        with as_deployment():
            Rule.create([{'indicator': self.indicator(gz2018, 'skill').id,
                        'method': 'external', 'tolerance': Decimal('0.5'),
                        'active': False}])
        zero = Decimal(0)
        expected = {
            'permit': ('external', zero, True),
            'residence': ('external', zero, True),
            'moved_out': ('external', zero, True),
            'insurance': ('external', zero, True),
            'education': ('external', zero, True),
            'age': ('external', zero, True),
            'volunteer': ('external', zero, True),
            'skill': ('external', Decimal('0.5'), False),
            }
        self.assertEqual(self.rules(gz2018), expected)
        with acting(admin):
            draft = new_version(gz2018, 'GZ-2021', dt.date(2021, 11, 16))
        self.assertEqual(self.rules(draft), expected)
        with Transaction().set_context(active_test=False):
            self.assertEqual(Rule.search_count([]), 16)
        # The draft's rules are its own rows, on its own indicators.
        permit = self.indicator(draft, 'permit')
        rule, = Rule.search([('indicator', '=', permit.id)])
        self.assertNotEqual(
            rule.indicator, self.indicator(gz2018, 'permit'))

    @with_transaction()
    def test_approved_rules_refused(self):
        "Write, create, delete on an approved version: refused, unchanged"
        pool = Pool()
        RuleSet = pool.get('laisui.points.rule_set')
        Rule = pool.get('laisui.review.comparison.rule')
        admin = staff('dadmin', 'group_district_admin')
        gz2018 = RuleSet.in_force(DATE)
        permit, = Rule.search([
                ('indicator', '=', self.indicator(gz2018, 'permit').id)])
        count = Rule.search_count([])
        for values in [{'tolerance': Decimal(1)}, {'method': 'city'},
                {'active': False}]:
            with self.subTest(values=values):
                with acting(admin), self.assertRaises(AccessError) as cm:
                    Rule.write([Rule(permit.id)], values)
                self.assertEqual(cm.exception.message, NOT_DRAFT)
        with acting(admin), self.assertRaises(AccessError) as cm:
            Rule.create([{
                        'indicator': self.indicator(gz2018, 'education').id,
                        'method': 'external'}])
        self.assertEqual(cm.exception.message, NOT_DRAFT)
        with acting(admin), self.assertRaises(AccessError) as cm:
            Rule.delete([Rule(permit.id)])
        self.assertEqual(cm.exception.message, NOT_DRAFT)
        permit = Rule(permit.id)
        self.assertEqual((permit.method, permit.tolerance, permit.active),
            ('external', Decimal(0), True))
        self.assertEqual(Rule.search_count([]), count)

    @with_transaction()
    def test_draft_rule_change_audited(self):
        """A rule changed in a draft: old and new value audited, and its
        editor is not the one to approve the draft"""
        pool = Pool()
        RuleSet = pool.get('laisui.points.rule_set')
        Rule = pool.get('laisui.review.comparison.rule')
        AuditLog = pool.get('laisui.audit.log')
        editor = staff('editor', 'group_district_admin')
        approver = staff('second', 'group_district_admin')
        draft = new_version(RuleSet.in_force(DATE), 'GZ-X',
            dt.date(2030, 1, 1))
        rule, = Rule.search([
                ('indicator', '=', self.indicator(draft, 'permit').id)])
        with acting(editor):
            Rule.write([rule], {'tolerance': Decimal(1)})
        entries = AuditLog.search([('resource', '=', str(rule)),
                ('user', '=', editor.id)])
        self.assertEqual(
            [(e.action, e.from_value, e.to_value, e.detail, e.user)
                for e in entries],
            [('write', '0', '1', '居住证: tolerance', editor)])
        self.assertEqual(RuleSet(draft.id).edited_by, editor)
        with acting(editor), self.assertRaises(AccessError):
            RuleSet.approve([RuleSet(draft.id)])
        approve([draft], approver)
        self.assertEqual(RuleSet(draft.id).state, 'approved')
        with acting(editor), self.assertRaises(AccessError):
            Rule.write([Rule(rule.id)], {'tolerance': Decimal(2)})
        self.assertEqual(Rule(rule.id).tolerance, Decimal(1))
