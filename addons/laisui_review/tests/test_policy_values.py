# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Review values outside the code: the roles that may stop a department
review (review configuration) and the shortest reason for adjusting a
line ([laisui_review] min_reason_length)."""
from decimal import Decimal

from trytond.model.exceptions import AccessError
from trytond.modules.laisui_base.tests.test_staff import setting
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase, staff
from trytond.modules.laisui_review.batch import (
    DECISION, OPEN_LINES, POINTS, REASON, export_lines, read_sheet)
from trytond.modules.laisui_review.exceptions import DecisionError
from trytond.modules.laisui_review.tests.tools import (
    NOW, acting, case_at_departments, department_reviewer, edit_sheet, line)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction


class ReviewPolicyValuesTestCase(ActivatedTestCase):
    "Review configuration and settings"
    modules = ['laisui_review']

    def at(self):
        return Transaction().set_context(_laisui_now=NOW)

    def case_with_correction(self, n=1):
        "A case at the departments with a correction asked for"
        Correction = Pool().get('laisui.review.correction')
        case = case_at_departments(n)
        self.assertEqual(case.stage.code, 'department_review')
        Correction.create([{'case': case.id, 'description': '补交租赁合同'}])
        return case

    def may_stop(self, user, n):
        "Whether user may return a case while departments review it"
        Case = Pool().get('laisui.review.case')
        case = self.case_with_correction(n)
        with acting(user):
            try:
                Case.decide([Case(case.id)], 'return', '材料不全')
            except DecisionError as e:
                self.assertIn('负责人员', e.message)
                self.assertEqual(Case(case.id).state, 'open')
                return False
        self.assertEqual(Case(case.id).state, 'returned')
        return True

    @with_transaction()
    def test_department_stop_roles_seeded(self):
        "District reviewers and admins stop a fan-out, a clerk does not"
        Configuration = Pool().get('laisui.review.configuration')
        Data = Pool().get('ir.model.data')
        self.assertEqual(
            sorted(g.id for g in Configuration(1).department_stop_groups),
            sorted(Data.get_id('laisui_base', x) for x in [
                    'group_district_reviewer', 'group_district_admin']))
        with self.at():
            for n, (group, allowed) in enumerate([
                    ('group_district_reviewer', True),
                    ('group_district_admin', True),
                    ('group_window_clerk', False)], 1):
                with self.subTest(group=group):
                    user = staff(f'stop{n:02d}', group)
                    self.assertEqual(self.may_stop(user, n), allowed)

    @with_transaction()
    def test_department_stop_roles_changed(self):
        "With the window clerks as the only role, they alone stop it"
        pool = Pool()
        Configuration = pool.get('laisui.review.configuration')
        Group = pool.get('res.group')
        Data = pool.get('ir.model.data')
        configuration = Configuration(1)
        configuration.department_stop_groups = [Group(Data.get_id(
                    'laisui_base', 'group_window_clerk'))]
        configuration.save()
        with self.at():
            for n, (group, allowed) in enumerate([
                    ('group_window_clerk', True),
                    ('group_district_reviewer', False),
                    ('group_district_admin', False)], 1):
                with self.subTest(group=group):
                    user = staff(f'stop{n:02d}', group)
                    self.assertEqual(self.may_stop(user, n), allowed)

    @with_transaction()
    def test_department_stop_roles_admin_edits(self):
        "District admins edit the roles in the client, reviewers do not"
        Configuration = Pool().get('laisui.review.configuration')
        admin = staff('dadmin01', 'group_district_admin')
        reviewer = staff('reviewer01', 'group_district_reviewer')
        with acting(admin):
            Configuration.write([Configuration(1)],
                {'department_stop_groups': [('remove', [
                                g.id for g in Configuration(1)
                                .department_stop_groups])]})
        self.assertEqual(Configuration(1).department_stop_groups, ())
        with acting(reviewer):
            with self.assertRaises(AccessError):
                Configuration.write([Configuration(1)],
                    {'department_stop_groups': [('add', [
                                    g.id for g in reviewer.groups])]})

    @with_transaction()
    def test_min_reason_length_default(self):
        "Without the option: 3 characters are refused, 4 adjust"
        Line = Pool().get('laisui.review.line')
        hr = department_reviewer('hr01', 'RS')
        with self.at():
            insurance = line(self.case_with_correction(), 'insurance')
            with acting(hr):
                with self.assertRaises(DecisionError) as cm:
                    Line.decide([(insurance, 'adjust', Decimal(3), '少一年')])
                self.assertIn('不少于4个字', cm.exception.message)
                Line.decide([(insurance, 'adjust', Decimal(3), '少缴一年')])
        self.assertEqual(Line(insurance.id).state, 'adjusted')

    @with_transaction()
    def test_min_reason_length_changed(self):
        "Set to 6: 5 characters are refused, 6 and 7 adjust"
        Line = Pool().get('laisui.review.line')
        hr = department_reviewer('hr01', 'RS')
        education = department_reviewer('edu01', 'JY')
        with self.at(), setting('laisui_review', 'min_reason_length', '6'):
            case = self.case_with_correction()
            insurance = line(case, 'insurance')
            diploma = line(case, 'education')
            with acting(hr):
                with self.assertRaises(DecisionError) as cm:
                    Line.decide([(insurance, 'adjust', Decimal(3),
                                '少缴社保费')])
                self.assertIn('不少于6个字', cm.exception.message)
                self.assertEqual(Line(insurance.id).state, 'pending')
                Line.decide([(insurance, 'adjust', Decimal(3), '少缴一年社保')])
            with acting(education):
                Line.decide([(diploma, 'adjust', Decimal(20),
                            '学历为高中毕业')])
        self.assertEqual(Line(insurance.id).state, 'adjusted')
        self.assertEqual(Line(diploma.id).state, 'adjusted')

    @with_transaction()
    def test_min_reason_length_batch(self):
        "A batch sheet follows the same option: 5 refused, 6 planned"
        hr = department_reviewer('hr01', 'RS')
        with self.at(), setting('laisui_review', 'min_reason_length', '6'):
            insurance = line(self.case_with_correction(), 'insurance')
            with acting(hr):
                data, _ = export_lines(OPEN_LINES)
                for reason, planned in [
                        ('少缴社保费', False), ('少缴一年社保', True)]:
                    with self.subTest(reason=reason):
                        plan = read_sheet(edit_sheet(data, {
                                    (2, DECISION): '调整', (2, POINTS): 3,
                                    (2, REASON): reason}))
                        if planned:
                            self.assertEqual(
                                [r.line for r in plan.apply], [insurance])
                        else:
                            self.assertEqual(plan.apply, [])
                            (_, refusal), = plan.refused
                            self.assertIn('不少于6个字', refusal)
