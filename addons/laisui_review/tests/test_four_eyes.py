# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Who may decide: four eyes on the district stages (a stage option of
the workflow), the owning department on its lines, one line per click."""
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase, staff
from trytond.modules.laisui_review.batch import (
    DECISION, OPEN_LINES, apply_sheet, export_lines)
from trytond.modules.laisui_review.exceptions import DecisionError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .test_designer import page_data
from .test_workflow import SIMPLE, SIMPLE_EXITS, build
from .tools import (
    NOW, acting, as_root, case_at_departments, case_at_district_review,
    department, department_reviewer, edit_sheet, line, stage_codes)


class FourEyesTestCase(ActivatedTestCase):
    "Who decides a stage and a line"
    modules = ['laisui_review']

    def at(self):
        return Transaction().set_context(_laisui_now=NOW)

    def to_district_review(self, first_reviewer):
        case = case_at_district_review(first_reviewer)
        self.assertEqual(case.stage.code, 'district_review')
        return case

    def assertRefused(self, call, *texts):
        with self.assertRaises(DecisionError) as cm:
            call()
        for text in texts:
            self.assertIn(text, cm.exception.message)

    @with_transaction()
    def test_seeded_four_eyes_stages(self):
        "District review and confirmation need a new person; desks do not"
        Workflow = Pool().get('laisui.review.workflow')
        workflow, = Workflow.search([('state', '=', 'active')])
        self.assertEqual(
            {s.code for s in workflow.stages if s.distinct_decider},
            {'district_review', 'confirmation'})

    @with_transaction()
    def test_designer_sets_four_eyes(self):
        "The graphical designer shows the option and saves it"
        Workflow = Pool().get('laisui.review.workflow')
        workflow = build(SIMPLE, SIMPLE_EXITS)
        stamp, data = page_data(workflow)
        desk, = [s for s in data['stages'] if s['code'] == 'desk']
        self.assertIs(desk['distinct_decider'], False)
        desk['distinct_decider'] = True
        with acting(staff('wf_admin', 'group_district_admin')):
            Workflow(workflow.id).save_diagram(data, stamp)
        self.assertEqual(
            {s.code: s.distinct_decider for s in Workflow(workflow.id).stages},
            {'desk': True, 'done': False, 'refused': False})

    @with_transaction()
    def test_first_reviewer_refused_at_district_review(self):
        "Who passed 初审 may not decide 区来穗审核; another reviewer may"
        pool = Pool()
        Case = pool.get('laisui.review.case')
        AuditLog = pool.get('laisui.audit.log')
        first = staff('reviewer01', 'group_district_reviewer')
        second = staff('reviewer02', 'group_district_reviewer')
        with self.at():
            case = self.to_district_review(first)
            steps = stage_codes(case)
            audits = AuditLog.search_count([('resource', '=', str(case))])
            with acting(first):
                self.assertRefused(lambda: Case.pass_([Case(case.id)]),
                    '区来穗审核', '不得由', '同一人')
                self.assertRefused(
                    lambda: Case.decide([Case(case.id)], 'reject', '不符'),
                    '区来穗审核')
            case = Case(case.id)
            self.assertEqual((case.state, case.stage.code),
                ('open', 'district_review'))
            self.assertEqual(stage_codes(case), steps)
            self.assertEqual(AuditLog.search_count(
                    [('resource', '=', str(case))]), audits)

            with acting(second):
                Case.pass_([Case(case.id)])
            self.assertEqual(Case(case.id).stage.code, 'confirmation')

    @with_transaction()
    def test_district_reviewer_refused_at_confirmation(self):
        "A reviewer who is also an admin does not confirm his own review"
        pool = Pool()
        Case = pool.get('laisui.review.case')
        first = staff('reviewer01', 'group_district_reviewer')
        both = staff('dadmin01', 'group_district_reviewer',
            'group_district_admin')
        admin = staff('dadmin02', 'group_district_admin')
        with self.at():
            case = self.to_district_review(first)
            with acting(both):
                Case.pass_([Case(case.id)])
                self.assertRefused(lambda: Case.pass_([Case(case.id)]),
                    '认定')
            self.assertEqual(Case(case.id).stage.code, 'confirmation')
            with acting(admin):
                Case.pass_([Case(case.id)])
            self.assertEqual(Case(case.id).stage.code, 'publication')

    @with_transaction()
    def test_flag_off_allows_same_person(self):
        "A version without the option lets one reviewer decide both"
        pool = Pool()
        Workflow = pool.get('laisui.review.workflow')
        Stage = pool.get('laisui.review.stage')
        Case = pool.get('laisui.review.case')
        seeded, = Workflow.search([('state', '=', 'active')])
        draft, = Workflow.copy([seeded])
        copied = {s.code: s for s in draft.stages}
        # The copy keeps the option; the admin turns it off.
        self.assertTrue(copied['district_review'].distinct_decider)
        Stage.write([copied['district_review']], {'distinct_decider': False})
        Workflow.activate([draft])
        first = staff('reviewer01', 'group_district_reviewer')
        with self.at():
            case = self.to_district_review(first)
            self.assertEqual(case.workflow, draft)
            with acting(first):
                Case.pass_([Case(case.id)])
            self.assertEqual(Case(case.id).stage.code, 'confirmation')

    @with_transaction()
    def test_district_reviewer_on_open_department_line(self):
        "While a department's task is open only that department decides"
        pool = Pool()
        Case = pool.get('laisui.review.case')
        Line = pool.get('laisui.review.line')
        Correction = pool.get('laisui.review.correction')
        reviewer = staff('reviewer01', 'group_district_reviewer')
        hr = department_reviewer('hr01', 'RS')
        with self.at():
            case = case_at_departments()
            insurance = line(case, 'insurance')
            with acting(reviewer):
                # The row button, the service and the batch sheet.
                self.assertRefused(lambda: Line.confirm([insurance]),
                    '人力资源和社会保障局')
                self.assertRefused(lambda: Line.decide(
                        [(insurance, 'confirm', None, None)]),
                    '人力资源和社会保障局')
                data, count = export_lines(OPEN_LINES)
                self.assertEqual(count, 2)
                sheet = edit_sheet(data,
                    {(2, DECISION): '确认', (3, DECISION): '确认'})
                self.assertRefused(lambda: apply_sheet(sheet),
                    '部门审核待办')
            self.assertEqual(Line(insurance.id).state, 'pending')
            self.assertEqual(line(case, 'education').state, 'pending')

            # The district stops the fan-out; the tasks are closed and
            # the case waits again at 初审, the district reviewer's desk.
            with as_root():
                Correction.create([{'case': case.id,
                            'description': '请补交学历证书原件'}])
                Case.decide([Case(case.id)], 'return', '材料不全')
                Case.resubmit([Case(case.id)])
            case = Case(case.id)
            self.assertEqual(case.stage.code, 'first_review')
            self.assertEqual({t.state for t in case.tasks}, {'cancelled'})
            with acting(hr):
                self.assertRefused(lambda: Line.confirm(
                        [line(case, 'insurance')]), '初审')
            with acting(reviewer):
                Line.confirm([line(case, 'insurance')])
            self.assertEqual(line(case, 'insurance').state, 'confirmed')

    @with_transaction()
    def test_row_button_one_line(self):
        "The click sends the checked rows too: one line is decided a time"
        pool = Pool()
        Line = pool.get('laisui.review.line')
        AuditLog = pool.get('laisui.audit.log')
        both = department_reviewer('hrjy01', 'RS')
        both.laisui_departments += (department('JY'),)
        both.save()
        with self.at():
            case = case_at_departments()
            insurance, education = (line(case, 'insurance'),
                line(case, 'education'))
            # What sao sends for a row button with two rows checked.
            rpc = Line.__rpc__['confirm']
            with acting(both):
                args, _, _, _ = rpc.convert(
                    Line, [education.id, insurance.id], {})
                self.assertRefused(lambda: Line.confirm(*args), '一次只能')
            self.assertEqual(
                [Line(insurance.id).state, Line(education.id).state],
                ['pending', 'pending'])
            self.assertEqual(AuditLog.search_count([('resource', 'in',
                            [str(insurance), str(education)])]), 0)
            with acting(both):
                args, _, _, _ = rpc.convert(Line, [education.id], {})
                Line.confirm(*args)
            self.assertEqual(
                [Line(insurance.id).state, Line(education.id).state],
                ['pending', 'confirmed'])
