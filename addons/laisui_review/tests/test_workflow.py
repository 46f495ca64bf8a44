# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Workflow definitions: validation before activation, frozen versions,
conditions."""
from trytond.model.exceptions import RequiredValidationError
from trytond.modules.laisui_review.exceptions import WorkflowError
from trytond.pool import Pool
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from trytond.modules.laisui_base.tests.tools import staff

from .tools import (
    NOW, acting, as_root, make_applicant, stage_codes, submit,
    use_reference_date)

MODEL = 'laisui.review.points_request'


def build(stages, transitions, name="测试流程"):
    """A draft workflow: stages as (code, kind, values), transitions as
    (source code, event, target code[, condition])"""
    pool = Pool()
    Workflow = pool.get('laisui.review.workflow')
    Transition = pool.get('laisui.review.transition')
    Data = pool.get('ir.model.data')
    reviewer = Data.get_id('laisui_base', 'group_district_reviewer')
    vlist = []
    for sequence, (code, kind, values) in enumerate(stages):
        stage = {'code': code, 'name': code, 'kind': kind,
            'sequence': sequence, 'initial': sequence == 0}
        if kind == 'task':
            stage.update(group=reviewer, deadline_days=3)
        if kind == 'end':
            stage['outcome'] = 'approved'
        stage.update(values)
        vlist.append(stage)
    workflow, = Workflow.create([{'name': name, 'document_model': MODEL,
                'stages': [('create', vlist)]}])
    codes = {s.code: s.id for s in workflow.stages}
    Transition.create([{'workflow': workflow.id, 'source': codes[t[0]],
                'event': t[1], 'target': codes[t[2]],
                'condition': t[3] if len(t) > 3 else None,
                'sequence': i} for i, t in enumerate(transitions)])
    return Workflow(workflow.id)


SIMPLE = [('desk', 'task', {}), ('done', 'end', {}),
    ('refused', 'end', {'outcome': 'rejected'})]
SIMPLE_EXITS = [('desk', 'pass', 'done'), ('desk', 'reject', 'refused')]


class WorkflowTestCase(ActivatedTestCase):
    "Workflow definitions"
    modules = ['laisui_review']

    def assertRefused(self, workflow, *texts):
        Workflow = Pool().get('laisui.review.workflow')
        with self.assertRaises(WorkflowError) as cm:
            Workflow.activate([workflow])
        for text in texts:
            self.assertIn(text, cm.exception.message)
        self.assertEqual(Workflow(workflow.id).state, 'draft')

    @with_transaction()
    def test_seeded_workflow(self):
        "The points workflow is active, valid and covers every stage kind"
        Workflow = Pool().get('laisui.review.workflow')
        workflow, = Workflow.search([('state', '=', 'active')])
        self.assertEqual(workflow.document_model, MODEL)
        workflow.validate_definition()
        self.assertEqual({s.kind for s in workflow.stages},
            {'task', 'automatic', 'department', 'timer', 'end'})

    @with_transaction()
    def test_activate_and_supersede(self):
        "Activating a version supersedes the active one; it is audited"
        pool = Pool()
        Workflow = pool.get('laisui.review.workflow')
        AuditLog = pool.get('laisui.audit.log')
        seeded, = Workflow.search([('state', '=', 'active')])
        workflow = build(SIMPLE, SIMPLE_EXITS)
        self.assertEqual(workflow.version, seeded.version + 1)
        Workflow.activate([workflow])
        self.assertEqual(Workflow(seeded.id).state, 'superseded')
        self.assertEqual(Workflow.active_for(MODEL), workflow)
        self.assertEqual(AuditLog.search_count(
                [('resource', '=', str(workflow))]), 1)

    @with_transaction()
    def test_unreachable_stage(self):
        workflow = build(SIMPLE + [('orphan', 'task', {})],
            SIMPLE_EXITS + [('orphan', 'pass', 'done')])
        self.assertRefused(workflow, '“orphan”', '无法到达')

    @with_transaction()
    def test_loop_without_exit(self):
        workflow = build(SIMPLE + [('check', 'condition', {}),
                ('a', 'task', {}), ('b', 'task', {})],
            [('desk', 'pass', 'check'), ('desk', 'reject', 'refused'),
                ('check', 'condition', 'a', 'returns > 0'),
                ('check', 'otherwise', 'done'),
                ('a', 'pass', 'b'), ('b', 'pass', 'a')])
        self.assertRefused(workflow, '没有出口的循环')

    @with_transaction()
    def test_dead_end_and_missing_exit(self):
        workflow = build(SIMPLE + [('wait', 'timer', {'deadline_days': 5})],
            SIMPLE_EXITS[:1] + [('desk', 'reject', 'wait')])
        self.assertRefused(workflow, '“wait”', '缺少“期间届满”出口')

    @with_transaction()
    def test_exit_not_for_kind(self):
        workflow = build(SIMPLE, SIMPLE_EXITS + [('desk', 'timeout', 'done')])
        self.assertRefused(workflow, '不能有“期间届满”出口')

    @with_transaction()
    def test_deadline_and_responsible_required(self):
        workflow = build([('desk', 'task', {'deadline_days': None}),
                *SIMPLE[1:]], SIMPLE_EXITS)
        self.assertRefused(workflow, '办理期限')
        workflow = build([('desk', 'task', {'group': None}), *SIMPLE[1:]],
            SIMPLE_EXITS, name="无负责人")
        self.assertRefused(workflow, '负责角色或部门')

    @with_transaction()
    def test_automatic_stage_needs_action(self):
        "An automatic stage without action or an end without outcome"
        with self.assertRaises(RequiredValidationError) as cm:
            build([('desk', 'task', {}), ('auto', 'automatic', {}),
                    *SIMPLE[1:]], [])
        self.assertIn('自动动作', cm.exception.message)
        with self.assertRaises(RequiredValidationError):
            build([('desk', 'task', {}),
                    ('done', 'end', {'outcome': None})], [])

    @with_transaction()
    def test_bad_condition(self):
        workflow = build([('desk', 'task', {}), ('check', 'condition', {}),
                *SIMPLE[1:]],
            [('desk', 'pass', 'check'), ('desk', 'reject', 'refused'),
                ('check', 'condition', 'done', '__import__("os")'),
                ('check', 'otherwise', 'refused')])
        self.assertRefused(workflow, '条件', '无效')

    @with_transaction()
    def test_active_version_frozen(self):
        "An active definition cannot change; a new version can"
        pool = Pool()
        Workflow = pool.get('laisui.review.workflow')
        Stage = pool.get('laisui.review.stage')
        Transition = pool.get('laisui.review.transition')
        active, = Workflow.search([('state', '=', 'active')])
        admin = staff('dadmin01', 'group_district_admin')
        with acting(admin):
            with self.assertRaises(WorkflowError) as cm:
                Stage.write([active.stages[0]], {'deadline_days': 30})
            self.assertIn('不能修改', cm.exception.message)
            with self.assertRaises(WorkflowError):
                Transition.delete(active.transitions[:1])
            with self.assertRaises(WorkflowError):
                Stage.create([{'workflow': active.id, 'code': 'x',
                            'name': 'x', 'kind': 'task'}])
            # Nor back to draft behind the activation's back.
            with self.assertRaises(WorkflowError):
                Workflow.write([active], {'state': 'draft'})
        self.assertEqual(Workflow(active.id).state, 'active')

        new, = Workflow.new_version([active])['res_id']
        new = Workflow(new)
        self.assertEqual((new.state, new.previous, new.version),
            ('draft', active, active.version + 1))
        self.assertEqual(len(new.stages), len(active.stages))
        self.assertEqual(
            sorted((t.source.code, t.event, t.target.code)
                for t in new.transitions),
            sorted((t.source.code, t.event, t.target.code)
                for t in active.transitions))
        self.assertTrue(all(t.source.workflow == new
                for t in new.transitions))

    @with_transaction()
    def test_case_keeps_its_version(self):
        "Cases started before a new version finish on their own version"
        pool = Pool()
        Workflow = pool.get('laisui.review.workflow')
        Case = pool.get('laisui.review.case')
        use_reference_date()
        with Transaction().set_context(_laisui_now=NOW):
            old_case = submit(make_applicant(1))
            old = old_case.workflow
            workflow = build(SIMPLE, SIMPLE_EXITS)
            Workflow.activate([workflow])
            new_case = submit(make_applicant(2))
            self.assertEqual(new_case.workflow, workflow)
            self.assertEqual(Case(old_case.id).workflow, old)
            with as_root():
                Case.decide([Case(old_case.id)], 'pass')
                Case.decide([new_case], 'pass')
            self.assertEqual(Case(old_case.id).stage.code, 'acceptance')
            self.assertEqual(Case(new_case.id).state, 'approved')

    @with_transaction()
    def test_condition_routes(self):
        "A condition stage takes the first exit whose condition holds"
        pool = Pool()
        Workflow = pool.get('laisui.review.workflow')
        Case = pool.get('laisui.review.case')
        use_reference_date()
        workflow = build([('desk', 'task', {}), ('check', 'condition', {}),
                ('second', 'task', {}), *SIMPLE[1:]],
            [('desk', 'pass', 'check'), ('desk', 'reject', 'refused'),
                ('check', 'condition', 'done', 'total_points >= 200'),
                ('check', 'condition', 'refused', 'returns > 3'),
                ('check', 'otherwise', 'second'),
                ('second', 'pass', 'done'), ('second', 'reject', 'refused')])
        Workflow.activate([workflow])
        with Transaction().set_context(_laisui_now=NOW):
            case = submit(make_applicant())
            with as_root():
                Case.decide([case], 'pass')
            case = Case(case.id)
            # 86 declared points: neither condition holds.
            self.assertEqual(stage_codes(case), ['desk', 'check', 'second'])
            self.assertEqual(case.steps[1].decision, 'otherwise')
