# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Rule sets are versions: drafts, approved by a second points admin,
then never changed (issue 17). Expected texts and dates by hand."""
import datetime as dt
from decimal import Decimal

from trytond.model.exceptions import (
    AccessButtonError, AccessError, ValidationError)
from trytond.modules.laisui_base.tests.tools import (
    ActivatedTestCase, acting, staff)
from trytond.modules.laisui_points.tests.tools import (
    DATE, approve, new_version)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

D = dt.date
# "Today" of the tests that take over a version from a day to come.
TODAY = dt.datetime(2029, 6, 1, 4, 0)  # 12:00 in Guangzhou
NOT_DRAFT = ('指标体系“广州市来穗人员积分制指标及分值表 (GZ-2018)”已审批，'
    '不能再修改或删除；如需调整规则，请用“新版本”复制出草稿后修改。')
ALLOWED = ('（公式只能使用数字、文字、变量、加减乘除、比较、and/or/not、'
    'if…else 条件和允许的函数）')


class RuleSetTestCase(ActivatedTestCase):
    "Rule set versions"
    modules = ['laisui_points']

    def gz2018(self):
        RuleSet = Pool().get('laisui.points.rule_set')
        rule_set, = RuleSet.search([('version', '=', 'GZ-2018')])
        return rule_set

    def admins(self, *logins):
        return [staff(login, 'group_district_admin') for login in logins]

    def wizard(self, user, source, **values):
        "(defaults of the New Version wizard, the draft it made)"
        pool = Pool()
        RuleSet = pool.get('laisui.points.rule_set')
        NewVersion = pool.get('laisui.points.rule_set.new_version',
            type='wizard')
        with acting(user), Transaction().set_context(
                active_model='laisui.points.rule_set',
                active_id=source.id, active_ids=[source.id]):
            session_id, _, _ = NewVersion.create()
            defaults = NewVersion.execute(session_id, {}, 'start')[
                'view']['defaults']
            # As the client sends them: the fields, not their rec_names.
            start = {k: v for k, v in defaults.items() if '.' not in k}
            NewVersion.execute(session_id, {
                    'start': dict(start, **values)}, 'draft')
        draft, = RuleSet.search([('version', '=', values['version'])])
        return defaults, draft

    def audit(self, record):
        AuditLog = Pool().get('laisui.audit.log')
        return [(e.action, e.from_value, e.to_value, e.detail, e.user)
            for e in AuditLog.search([('resource', '=', str(record))],
                order=[('id', 'ASC')])]

    @with_transaction()
    def test_seeded_table_approved(self):
        "The XML table loads approved and is the one in force"
        RuleSet = Pool().get('laisui.points.rule_set')
        gz2018 = self.gz2018()
        self.assertEqual(gz2018.state, 'approved')
        for date, expected in [
                (D(2018, 3, 28), None), (D(2018, 3, 29), gz2018),
                (D(2021, 11, 15), gz2018), (D(2021, 11, 16), None)]:
            with self.subTest(date=date):
                self.assertEqual(RuleSet.in_force(date), expected)

    @with_transaction()
    def test_in_force_ignores_drafts(self):
        "A draft is never in force; approved, it is from its first day"
        RuleSet = Pool().get('laisui.points.rule_set')
        gz2018 = self.gz2018()
        draft = new_version(gz2018, 'GZ-2021', D(2021, 11, 16))
        self.assertEqual(draft.state, 'draft')
        self.assertIsNone(RuleSet.in_force(D(2021, 11, 16)))
        self.assertIsNone(RuleSet.in_force(D(2030, 1, 1)))
        # Drafts may overlap anything, even the table in force.
        overlapping = new_version(gz2018, 'GZ-2019', D(2019, 1, 1))
        self.assertEqual(RuleSet.in_force(DATE), gz2018)
        self.assertEqual(overlapping.state, 'draft')

        approve([draft])
        self.assertEqual(RuleSet.in_force(D(2021, 11, 15)), gz2018)
        self.assertEqual(RuleSet.in_force(D(2021, 11, 16)), draft)
        self.assertEqual(RuleSet.in_force(D(2030, 1, 1)), draft)

    @with_transaction()
    def test_approved_rule_set_refused(self):
        "Write, delete, approval fields: refused in zh_CN, nothing changed"
        RuleSet = Pool().get('laisui.points.rule_set')
        admin, = self.admins('dadmin')
        gz2018 = self.gz2018()
        for values in [{'name': "改"}, {'date_to': D(2030, 12, 31)},
                {'volunteer_unit_hours': 40},
                {'indicators': [('delete', [gz2018.indicators[0].id])]}]:
            with self.subTest(values=values):
                with acting(admin), self.assertRaises(AccessError) as cm:
                    RuleSet.write([RuleSet(gz2018.id)], values)
                self.assertEqual(cm.exception.message, NOT_DRAFT)
        with acting(admin), self.assertRaises(AccessError) as cm:
            RuleSet.delete([RuleSet(gz2018.id)])
        self.assertEqual(cm.exception.message, NOT_DRAFT)
        gz2018 = RuleSet(gz2018.id)
        self.assertEqual(
            (gz2018.name, gz2018.date_to, gz2018.volunteer_unit_hours),
            ("广州市来穗人员积分制指标及分值表", D(2021, 11, 15), 50))
        self.assertEqual(self.audit(gz2018), [])

        # Nobody makes an approved version but the approval.
        for values in [{'state': 'approved'}, {'approved_by': admin.id}]:
            with self.subTest(values=values):
                with acting(admin), self.assertRaises(AccessError) as cm:
                    RuleSet.create([dict(values, name="X",
                                version='X-1', date_from=D(2030, 1, 1))])
                self.assertEqual(cm.exception.message,
                    '指标体系的状态和审批信息只能由审批设置。')
        draft = new_version(gz2018, 'X-2', D(2030, 1, 1))
        with acting(admin), self.assertRaises(AccessError) as cm:
            RuleSet.write([draft], {'state': 'approved'})
        self.assertEqual(RuleSet(draft.id).state, 'draft')
        self.assertEqual(RuleSet.search_count(
                [('version', 'like', 'X-%')]), 1)

    @with_transaction()
    def test_approved_indicator_refused(self):
        "Formula, cap, evidence, a new or deleted row: refused, unchanged"
        pool = Pool()
        Indicator = pool.get('laisui.points.indicator')
        Relation = pool.get('laisui.points.indicator-laisui.evidence.type')
        EvidenceType = pool.get('laisui.evidence.type')
        admin, = self.admins('dadmin')
        gz2018 = self.gz2018()
        permit, = [i for i in gz2018.indicators if i.code == 'permit']
        count = Indicator.search_count([])
        links = Relation.search_count([])
        evidence_type = EvidenceType.search([], limit=1)[0]
        for values in [{'formula': '4 * permit_years'}, {'cap': Decimal(1)},
                {'evidence_types': [('add', [evidence_type.id])]},
                {'sequence': 1}]:
            with self.subTest(values=values):
                with acting(admin), self.assertRaises(AccessError) as cm:
                    Indicator.write([Indicator(permit.id)], values)
                self.assertEqual(cm.exception.message, NOT_DRAFT)
        with acting(admin), self.assertRaises(AccessError) as cm:
            Indicator.create([{'rule_set': gz2018.id, 'code': 'new',
                        'name': "新指标", 'category': 'bonus',
                        'formula': '1'}])
        self.assertEqual(cm.exception.message, NOT_DRAFT)
        with acting(admin), self.assertRaises(AccessError) as cm:
            Indicator.delete([Indicator(permit.id)])
        self.assertEqual(cm.exception.message, NOT_DRAFT)
        with acting(admin), self.assertRaises(AccessError) as cm:
            Relation.create([{'indicator': permit.id,
                        'type': evidence_type.id}])
        self.assertEqual(cm.exception.message, NOT_DRAFT)

        permit = Indicator(permit.id)
        self.assertEqual((permit.formula, permit.cap, permit.sequence),
            ('3 * permit_years', None, 10))
        self.assertEqual(Indicator.search_count([]), count)
        self.assertEqual(Relation.search_count([]), links)
        self.assertEqual(self.audit(permit), [])

    @with_transaction()
    def test_second_admin_approves(self):
        """Whoever created the draft or changed it last cannot approve it;
        another points admin can, and is recorded"""
        pool = Pool()
        RuleSet = pool.get('laisui.points.rule_set')
        Indicator = pool.get('laisui.points.indicator')
        author, editor, approver = self.admins('author', 'editor', 'second')
        clerk = staff('clerk', 'group_window_clerk')
        _, draft = self.wizard(author, self.gz2018(), version='GZ-2021')
        self.assertEqual(draft.edited_by, author)

        own = ('您创建或最后修改了指标体系“广州市来穗人员积分制指标及分值表 '
            '(GZ-2021)”，须由另一名积分管理员审批。')
        with acting(author), self.assertRaises(AccessError) as cm:
            RuleSet.approve([draft])
        self.assertEqual(cm.exception.message, own)
        self.assertEqual(RuleSet(draft.id).state, 'draft')

        # A change of an indicator is a change of the draft.
        education, = [i for i in draft.indicators if i.code == 'education']
        with acting(editor):
            Indicator.write([education], {'cap': Decimal(45)})
        self.assertEqual(RuleSet(draft.id).edited_by, editor)
        for user in [editor, author]:
            with self.subTest(user=user.login):
                with acting(user), self.assertRaises(AccessError) as cm:
                    RuleSet.approve([RuleSet(draft.id)])
                self.assertEqual(cm.exception.message, own)
        # Not a points admin: the button is not theirs.
        with acting(clerk), self.assertRaises(AccessButtonError):
            RuleSet.approve([RuleSet(draft.id)])
        # Nor the server itself: approval needs a person.
        with Transaction().set_user(0), self.assertRaises(AccessError):
            RuleSet.approve([RuleSet(draft.id)])
        self.assertEqual(RuleSet(draft.id).state, 'draft')

        with acting(approver), Transaction().set_context(_laisui_now=TODAY):
            RuleSet.approve([RuleSet(draft.id)])
        draft = RuleSet(draft.id)
        self.assertEqual((draft.state, draft.approved_by, draft.approved_at),
            ('approved', approver, TODAY))
        self.assertEqual(draft.edited_by, editor)
        # And from then on the draft's own author cannot change it either.
        with acting(author), self.assertRaises(AccessError):
            Indicator.write([Indicator(education.id)], {'cap': Decimal(50)})
        self.assertEqual(Indicator(education.id).cap, Decimal(45))

    @with_transaction()
    def test_approve_needs_indicators(self):
        RuleSet = Pool().get('laisui.points.rule_set')
        author, approver = self.admins('author', 'second')
        with acting(author):
            empty, = RuleSet.create([{'name': "空表", 'version': 'E-1',
                        'date_from': D(2030, 1, 1)}])
        with acting(approver), self.assertRaises(ValidationError) as cm:
            RuleSet.approve([empty])
        self.assertEqual(cm.exception.message,
            '指标体系“空表 (E-1)”没有任何积分指标，不能审批。')
        self.assertEqual(RuleSet(empty.id).state, 'draft')
        # A draft is the admins' to delete.
        with acting(author):
            RuleSet.delete([empty])
        self.assertEqual(RuleSet.search_count([('version', '=', 'E-1')]), 0)

    @with_transaction()
    def test_new_version_copies_everything(self):
        "The wizard's draft has every row, formula, cap, window, evidence"
        pool = Pool()
        RuleSet = pool.get('laisui.points.rule_set')
        admin, = self.admins('dadmin')
        gz2018 = self.gz2018()
        defaults, draft = self.wizard(admin, gz2018,
            version='GZ-2021', name="2021年积分指标及分值表",
            legal_basis="穗府规〔2021〕7号")
        # The next version starts where the source ends.
        self.assertEqual(defaults['date_from'], D(2021, 11, 16))
        self.assertEqual(defaults['name'], "广州市来穗人员积分制指标及分值表")
        self.assertEqual(
            (draft.state, draft.name, draft.version, draft.date_from,
                draft.date_to, draft.legal_basis, draft.approved_by),
            ('draft', "2021年积分指标及分值表", 'GZ-2021', D(2021, 11, 16),
                None, "穗府规〔2021〕7号", None))
        self.assertEqual(
            (draft.volunteer_unit_hours, draft.first_inventor_shares),
            (50, 2))

        def rows(rule_set):
            return {i.code: (i.sequence, i.name, i.category, i.scope,
                    i.unit, i.formula, i.cap, i.validity_years,
                    i.window_kind, i.department, i.note,
                    sorted(e.id for e in i.evidence_types))
                for i in rule_set.indicators}
        self.assertEqual(rows(draft), rows(gz2018))
        self.assertEqual(len(draft.indicators), len(gz2018.indicators))
        copied = {i.code: i for i in draft.indicators}
        self.assertEqual(copied['permit'].formula, '3 * permit_years')
        self.assertEqual(copied['volunteer'].cap, Decimal(10))
        self.assertEqual(copied['volunteer'].validity_years, 5)
        self.assertEqual([e.code for e in copied['education'].evidence_types],
            [e.code for e in [i for i in gz2018.indicators
                    if i.code == 'education'][0].evidence_types])
        self.assertTrue(copied['education'].evidence_types)
        # New rows, not the source's.
        self.assertFalse(
            {i.id for i in draft.indicators}
            & {i.id for i in gz2018.indicators})
        self.assertEqual(RuleSet(gz2018.id).state, 'approved')

    @with_transaction()
    def test_changes_audited_with_values(self):
        "Each change of a draft: old and new value; the approval: its state"
        pool = Pool()
        RuleSet = pool.get('laisui.points.rule_set')
        Indicator = pool.get('laisui.points.indicator')
        author, approver = self.admins('author', 'second')
        _, draft = self.wizard(author, self.gz2018(), version='GZ-2021')
        education, = [i for i in draft.indicators if i.code == 'education']
        old_formula = education.formula
        with acting(author):
            RuleSet.write([draft], {'volunteer_unit_hours': 40})
            Indicator.write([education], {
                    'formula': '45 if education == "college" else 0',
                    'cap': Decimal('45.5')})
        name = '广州市来穗人员积分制指标及分值表 (GZ-2021)'
        self.assertEqual(self.audit(draft), [
                ('write', None, name, 'create', author),
                ('write', '50', '40', f'{name}: volunteer_unit_hours',
                    author),
                ])
        self.assertEqual(self.audit(education)[1:], [
                ('write', '50', '45.5', '文化程度: cap', author),
                ('write', old_formula, '45 if education == "college" else 0',
                    '文化程度: formula', author),
                ])
        with acting(approver):
            RuleSet.approve([RuleSet(draft.id)])
        self.assertEqual(self.audit(draft)[-1],
            ('state', 'draft', 'approved', name, approver))

    @with_transaction()
    def test_new_version_takes_over(self):
        """An approved version from a day to come ends the open one it
        follows the day before; one from today or the past overlaps"""
        RuleSet = Pool().get('laisui.points.rule_set')
        author, approver = self.admins('author', 'second')
        gz2018 = self.gz2018()
        with Transaction().set_context(_laisui_now=TODAY):
            first, = approve(
                [new_version(gz2018, 'A', D(2021, 11, 16))], approver)
            today = new_version(gz2018, 'B', D(2029, 6, 1))
            with self.assertRaises(ValidationError) as cm:
                approve([today], approver)
            self.assertEqual(cm.exception.message,
                '指标体系“广州市来穗人员积分制指标及分值表 (B)”的有效期与'
                '“广州市来穗人员积分制指标及分值表 (A)”重叠。')
            self.assertIsNone(RuleSet(first.id).date_to)

            tomorrow = new_version(gz2018, 'C', D(2029, 6, 2))
            approve([tomorrow], approver)
        self.assertEqual(RuleSet(first.id).date_to, D(2029, 6, 1))
        self.assertEqual(RuleSet.in_force(D(2029, 6, 1)), first)
        self.assertEqual(RuleSet.in_force(D(2029, 6, 2)), tomorrow)
        self.assertIn(('write', None, '2029-06-01',
                '广州市来穗人员积分制指标及分值表 (A): date_to', approver),
            self.audit(first))
        # A closed version that would outlast the new one is not cut.
        with Transaction().set_context(_laisui_now=TODAY):
            short = new_version(gz2018, 'D', D(2029, 7, 1), D(2029, 7, 31))
            with self.assertRaises(ValidationError):
                approve([short], approver)
        self.assertIsNone(RuleSet(tomorrow.id).date_to)

    @with_transaction()
    def test_formula_errors_in_zh_cn(self):
        "The whole message is zh_CN; only the admin's own formula is not"
        Indicator = Pool().get('laisui.points.indicator')
        admin, = self.admins('dadmin')
        draft = new_version(self.gz2018(), 'GZ-X', D(2030, 1, 1))
        prefix = '指标“新指标”的计分公式'
        for n, (formula, message) in enumerate([
                ('   ', '有语法错误：公式为空。'),
                ('3 * (permit_years',
                    '有语法错误：第1行第5个字符处无法识别：'
                    '3 * 【此处】(permit_years。'),
                ('3 *', '有语法错误：第1行第4个字符处无法识别：3 *【此处】。'),
                ('salary * 2',
                    '使用了未知或禁止的名称：“salary”不是可用的变量。'),
                ('open("/etc/passwd")',
                    '使用了未知或禁止的名称：“open”不是允许的函数（允许的'
                    '函数：min、max、abs、round、floor、ceil、sum、count、'
                    'capped_sum）。'),
                ('min(permit_years, default=0)',
                    '使用了未知或禁止的名称：“min(permit_years, default=0)”'
                    '给 min 的参数写了名称：只写参数值。'),
                ('permit_years ** 2',
                    f'使用了不允许的写法：“permit_years ** 2”{ALLOWED}。'),
                ('permit_years.__class__',
                    f'使用了不允许的写法：“permit_years.__class__”{ALLOWED}。'),
                ('education * 100000000',
                    '使用了不允许的写法：“education * 100000000”对文字做了'
                    "运算：文字只能比较，例如 education == 'college'。"),
                ('volunteer_units_by_year + 1',
                    '使用了不允许的写法：“volunteer_units_by_year + 1”直接'
                    '对一组数值做了运算：请先用 sum、count 或 capped_sum '
                    '汇总。'),
                ("'高' if permit_years else 0",
                    "使用了不允许的写法：结果“'高'”是文字，公式的结果必须是"
                    '数字。'),
                ('volunteer_units_by_year',
                    '使用了不允许的写法：结果“volunteer_units_by_year”是一组'
                    '数值，公式的结果必须是数字：请用 sum、count 或 '
                    'capped_sum 汇总。'),
                ]):
            with self.subTest(formula=formula):
                with acting(admin), \
                        self.assertRaises(ValidationError) as cm:
                    # The refused row stays in this test's transaction
                    # (a request's is rolled back): a code each.
                    Indicator.create([{'rule_set': draft.id,
                                'code': f'new{n}',
                                'name': "新指标", 'category': 'bonus',
                                'formula': formula}])
                self.assertEqual(cm.exception.message, prefix + message)
