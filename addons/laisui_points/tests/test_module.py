# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError
from trytond.modules.laisui_points.tests.tools import (
    DATE, approve, make_applicant, new_version)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction


class LaisuiPointsTestCase(ModuleTestCase):
    "laisui_points"
    module = 'laisui_points'
    language = 'zh_CN'

    def _lines(self, statement):
        return {l.indicator.code: l for l in statement.lines}

    @with_transaction()
    def test_statement_breakdown(self):
        "The 2018 table on a renter: each line, cap, deduction, total"
        pool = Pool()
        Statement = pool.get('laisui.points.statement')
        applicant = make_applicant()
        Statement.compute([applicant], DATE)
        statement, = Statement.search([('applicant', '=', applicant.id)])
        lines = self._lines(statement)
        # Permit 2013-03-01 → 2019-04-30: 6 full years × 3.
        self.assertEqual(lines['permit'].points, Decimal('18'))
        self.assertEqual(lines['permit'].source, 'declared')
        # Residence: rental 5 full years × 2 = 10, at its cap.
        self.assertEqual(lines['residence'].points, Decimal('10'))
        # Pension 5 years + medical merged 2014-01..2019-04 = 5 → 10.
        self.assertEqual(lines['insurance'].points, Decimal('10'))
        self.assertEqual(lines['education'].points, Decimal('35'))
        # Born 1990: 29 years old.
        self.assertEqual(lines['age'].points, Decimal('30'))
        # 120 h in 2017 = 2 units, at most 1 per year → 2 points.
        self.assertEqual(lines['volunteer'].points, Decimal('2'))
        self.assertEqual(lines['credit'].points, Decimal('-5'))
        self.assertEqual(lines['credit'].category, 'deduction')
        self.assertEqual(statement.total, Decimal('100'))
        self.assertEqual(statement.rule_set.version, 'GZ-2018')
        self.assertIn('居住证', lines['permit'].facts_used)
        self.assertEqual(lines['permit'].department.code, 'GA')

    @with_transaction()
    def test_batch_equals_reference(self):
        pool = Pool()
        Statement = pool.get('laisui.points.statement')
        applicant = make_applicant()
        Statement.compute([applicant], DATE)
        batch, = Statement.search([('applicant', '=', applicant.id)])
        batch_lines = {c: l.points for c, l in self._lines(batch).items()}
        total = batch.total
        reference = Statement.compute_one(applicant, DATE)
        self.assertEqual(reference.total, total)
        self.assertEqual(
            {c: l.points for c, l in self._lines(reference).items()},
            batch_lines)

    @with_transaction()
    def test_recomputed_when_facts_change(self):
        pool = Pool()
        Fact = pool.get('laisui.fact')
        Configuration = pool.get('laisui.points.configuration')
        Configuration.write([Configuration(1)], {'reference_date': DATE})
        applicant = make_applicant()
        before = applicant.statement.total
        Fact.create([{'applicant': applicant.id, 'kind': 'award',
                    'level': 'city', 'date_from': dt.date(2018, 1, 1)}])
        applicant = pool.get('laisui.applicant')(applicant.id)
        self.assertEqual(applicant.statement.total, before + 10)

    @with_transaction()
    def test_adjustment(self):
        "Staff adjust a line with a reason; audited; applicant sees it"
        pool = Pool()
        Adjustment = pool.get('laisui.points.adjustment')
        Indicator = pool.get('laisui.points.indicator')
        AuditLog = pool.get('laisui.audit.log')
        Configuration = pool.get('laisui.points.configuration')
        Configuration.write([Configuration(1)], {'reference_date': DATE})
        applicant = make_applicant()
        education, = Indicator.search([('code', '=', 'education')])
        with self.assertRaises(ValidationError) as cm:
            Adjustment.create([{'applicant': applicant.id,
                        'indicator': education.id, 'points': 50,
                        'reason': ' '}])
        self.assertIn('调整原因', cm.exception.message)
        adjustment, = Adjustment.create([{'applicant': applicant.id,
                    'indicator': education.id, 'points': 50,
                    'reason': "学信网核验为本科"}])
        # A second person approves (test_adjustment.py has the rules).
        with Transaction().set_user(0):
            Adjustment.approve([adjustment])
        applicant = pool.get('laisui.applicant')(applicant.id)
        line, = [l for l in applicant.statement.lines
            if l.indicator == education]
        self.assertEqual((line.computed, line.points),
            (Decimal('35'), Decimal('50')))
        self.assertEqual(line.adjustment_reason, "学信网核验为本科")
        self.assertTrue(AuditLog.search([('action', '=', 'adjust')]))
        with self.assertRaises(UserError):
            Adjustment.delete([adjustment])

    @with_transaction()
    def test_bad_id_numbers(self):
        "Each bad ID number is refused with its zh_CN reason; nothing saved"
        pool = Pool()
        Applicant = pool.get('laisui.applicant')
        for value, text in [
                ('440104199001011230', '校验位'),
                ('110101190002290011', '出生日期不存在'),
                ('44010419901301123X', '出生日期不存在'),
                ('440104209901011234', '晚于今天'),
                ('44010419900101123', '格式不正确'),
                ]:
            with self.subTest(value=value):
                with self.assertRaises(ValidationError) as cm:
                    Applicant.create([{'name': "王五", 'id_number': value}])
                self.assertIn(text, cm.exception.message)
        self.assertEqual(Applicant.search_count([]), 0)
        applicant, = Applicant.create([{'name': "王五",
                    'id_number': '44010419900101111x'}])
        self.assertEqual(applicant.id_number, '44010419900101111X')
        # Even without facts, age gives points from the start.
        Configuration = pool.get('laisui.points.configuration')
        Configuration.write([Configuration(1)], {'reference_date': DATE})
        Applicant.write([applicant], {'id_number': '44010419900101111X'})
        self.assertEqual(applicant.statement.total, Decimal('30'))
        self.assertEqual(applicant.sex, 'male')
        self.assertEqual(applicant.birth_date, dt.date(1990, 1, 1))
        with self.assertRaises(ValidationError) as cm:
            Applicant.create([{'name': "王六",
                        'id_number': '44010419900101111X'}])
        self.assertIn('已注册', cm.exception.message)

    @with_transaction()
    def test_fact_levels(self):
        "A level must fit the kind; kinds without levels take none"
        pool = Pool()
        Fact = pool.get('laisui.fact')
        applicant = make_applicant()
        for values, text in [
                ({'kind': 'education', 'level': 'pension'}, '选择有效的等级'),
                ({'kind': 'education'}, '选择有效的等级'),
                ({'kind': 'volunteer', 'level': 'bachelor',
                        'quantity': 50}, '不需要选择等级'),
                ]:
            with self.subTest(values=values):
                with self.assertRaises(ValidationError) as cm:
                    Fact.create([dict(values, applicant=applicant.id,
                                date_from=dt.date(2018, 1, 1))])
                self.assertIn(text, cm.exception.message)
                self.assertNotRegex(cm.exception.message, r'[A-Za-z]{4}')

    @with_transaction()
    def test_formula_errors(self):
        pool = Pool()
        Indicator = pool.get('laisui.points.indicator')
        RuleSet = pool.get('laisui.points.rule_set')
        # Only a draft takes new rows (test_rule_set.py has the texts).
        rule_set = new_version(
            RuleSet.in_force(DATE), 'GZ-X', dt.date(2030, 1, 1))
        for i, (formula, text) in enumerate([
                ('3 * (permit_years', '语法错误'),
                ("__import__('os').system('id')", '未知或禁止的名称'),
                ('permit_years.__class__', '不允许的写法'),
                ('2 ** 999999', '不允许的写法'),
                ("education * 100000000", '不允许的写法'),
                ('open("/etc/passwd")', '未知或禁止的名称'),
                ('salary * 2', '未知或禁止的名称'),
                ]):
            with self.subTest(formula=formula):
                with self.assertRaises(ValidationError) as cm:
                    Indicator.create([{'rule_set': rule_set.id,
                                'code': f'x{i}', 'name': "X",
                                'category': 'bonus', 'formula': formula}])
                self.assertIn(text, cm.exception.message)

    @with_transaction()
    def test_rule_set_overlap(self):
        "Approved versions do not overlap; drafts may (test_rule_set.py)"
        RuleSet = Pool().get('laisui.points.rule_set')
        gz2018 = RuleSet.in_force(DATE)
        rule_set, = approve(
            [new_version(gz2018, 'GZ-2021', dt.date(2021, 11, 16))])
        self.assertEqual(RuleSet.in_force(dt.date(2022, 1, 1)), rule_set)
        draft = new_version(gz2018, 'X-2020', dt.date(2020, 1, 1))
        with self.assertRaises(ValidationError) as cm:
            approve([draft])
        self.assertIn('重叠', cm.exception.message)

    @with_transaction()
    def test_family_child(self):
        pool = Pool()
        Member = pool.get('laisui.family.member')
        applicant = make_applicant()
        child, = Member.create([{'applicant': applicant.id, 'name': "陈乐",
                    'id_number': '440104201303030017'}])
        self.assertEqual(child.birth_date, dt.date(2013, 3, 3))
        with self.assertRaises(ValidationError) as cm:
            Member.create([{'applicant': applicant.id, 'name': "陈乐",
                        'id_number': '440104201303030017'}])
        self.assertIn('重复', cm.exception.message)

    @with_transaction()
    def test_unmask_is_audited(self):
        pool = Pool()
        Unmask = pool.get('laisui.applicant.unmask', type='wizard')
        AuditLog = pool.get('laisui.audit.log')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        applicant = make_applicant()
        clerk, outsider = User.create([
                {'name': "Clerk", 'login': 'clerk', 'groups': [('add', [
                                ModelData.get_id('laisui_base',
                                    'group_window_clerk')])]},
                {'name': "Outsider", 'login': 'outsider'},
                ])
        context = dict(active_model='laisui.applicant',
            active_id=applicant.id, active_ids=[applicant.id])
        with Transaction().set_user(outsider.id), \
                Transaction().set_context(context, _check_access=True):
            with self.assertRaises(UserError):
                session_id, _, _ = Unmask.create()
                Unmask.execute(session_id, {}, 'show')
        with Transaction().set_user(clerk.id), \
                Transaction().set_context(context, _check_access=True):
            session_id, _, _ = Unmask.create()
            result = Unmask.execute(session_id, {}, 'show')
        values = result['view']['defaults']
        self.assertEqual(values['id_number'], '440524199001011221')
        entry, = AuditLog.search([('action', '=', 'unmask')])
        self.assertEqual(entry.resource, str(applicant))
        self.assertEqual(entry.user, clerk)
        self.assertNotIn('440524199001011221', entry.detail or '')


    @with_transaction()
    def test_rule_changes_audited(self):
        "A district admin's edit of an indicator is audited"
        pool = Pool()
        Indicator = pool.get('laisui.points.indicator')
        AuditLog = pool.get('laisui.audit.log')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        admin, = User.create([{'name': "Admin", 'login': 'dadmin',
                    'groups': [('add', [ModelData.get_id('laisui_base',
                                    'group_district_admin')])]}])
        RuleSet = pool.get('laisui.points.rule_set')
        draft = new_version(RuleSet.in_force(DATE), 'GZ-X', dt.date(2030, 1, 1))
        indicator, = [i for i in draft.indicators if i.code == 'volunteer']
        unit = indicator.unit
        with Transaction().set_user(admin.id), \
                Transaction().set_context(_check_access=True):
            Indicator.write([Indicator(indicator.id)], {'unit': '每年'})
        entry, = AuditLog.search([('resource', '=', str(indicator)),
                ('user', '=', admin.id)])
        self.assertEqual(
            (entry.action, entry.from_value, entry.to_value, entry.detail,
                entry.user),
            ('write', unit, '每年', '志愿服务: unit', admin))


del ModuleTestCase
