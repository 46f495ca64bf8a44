# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The graphical designer saves into the workflow's own stages and
transitions, only for a draft, only for who may write workflows, and
never over a change made meanwhile."""
import datetime as dt

from trytond.model.exceptions import AccessError
from trytond.modules.laisui_base.exceptions import StateConflictError
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase, staff
from trytond.modules.laisui_review.exceptions import WorkflowError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from trytond.modules.laisui_review.tests.test_workflow import (
    SIMPLE, SIMPLE_EXITS, build)
from trytond.modules.laisui_review.tests.tools import acting


def page_data(workflow):
    "What the page sends back unchanged: the diagram as it loaded it"
    diagram = workflow.diagram()
    stages = [dict(s, key=f"s{s['id']}") for s in diagram['stages']]
    transitions = [dict(t, source=f"s{t['source']}",
            target=f"s{t['target']}") for t in diagram['transitions']]
    return diagram['stamp'], {'stages': stages, 'transitions': transitions}


def shape(workflow):
    "Stages as (code, kind, x, y) and transitions as (from, event, to)"
    return (
        sorted((s.code, s.kind, s.x, s.y) for s in workflow.stages),
        sorted((t.source.code, t.event, t.target.code)
            for t in workflow.transitions))


class DesignerTestCase(ActivatedTestCase):
    "Graphical workflow designer"
    modules = ['laisui_review']

    def admin(self):
        return staff('wf_admin', 'group_district_admin')

    @with_transaction()
    def test_round_trip_adds_moves_and_removes(self):
        "A timer added, a stage moved, a stage removed, exits redrawn"
        Workflow = Pool().get('laisui.review.workflow')
        workflow = build(SIMPLE, SIMPLE_EXITS)
        stamp, data = page_data(workflow)
        desk = next(s for s in data['stages'] if s['code'] == 'desk')
        desk.update(x=300, y=120, deadline_days=4)
        data['stages'] = [s for s in data['stages']
            if s['code'] != 'refused']
        data['stages'].append({'key': 'Event_new', 'id': None,
                'code': 'wait', 'name': '公示', 'kind': 'timer',
                'deadline_days': 5, 'x': 500, 'y': 120})
        data['transitions'] = [
            {'source': desk['key'], 'target': 'Event_new', 'event': 'pass'},
            {'source': 'Event_new', 'target': next(
                    s['key'] for s in data['stages']
                    if s['code'] == 'done'), 'event': 'timeout'},
            ]
        with acting(self.admin()):
            Workflow(workflow.id).save_diagram(data, stamp)
        workflow = Workflow(workflow.id)
        self.assertEqual(shape(workflow), (
                [('desk', 'task', 300, 120), ('done', 'end', None, None),
                    ('wait', 'timer', 500, 120)],
                [('desk', 'pass', 'wait'), ('wait', 'timeout', 'done')]))
        self.assertEqual(
            {s.code: s.deadline_days for s in workflow.stages}['desk'], 4)
        # What was drawn is a definition like any other.
        Workflow.activate([workflow])
        self.assertEqual(workflow.state, 'active')

    @with_transaction()
    def test_transition_order_is_kept(self):
        "The order conditions are tried survives a save; new ones go last"
        Workflow = Pool().get('laisui.review.workflow')
        workflow = build(SIMPLE, SIMPLE_EXITS)
        stamp, data = page_data(workflow)
        first, second = data['transitions']
        first['sequence'], second['sequence'] = 50, 20
        data['transitions'].append({'source': first['source'],
                'target': first['source'], 'event': 'return'})
        with acting(self.admin()):
            Workflow(workflow.id).save_diagram(data, stamp)
        self.assertEqual([(t.event, t.sequence)
                for t in Workflow(workflow.id).transitions],
            [('reject', 20), ('pass', 50), ('return', 60)])

    @with_transaction()
    def test_codes_swapped(self):
        "Two stages exchanging their codes in one save"
        Workflow = Pool().get('laisui.review.workflow')
        workflow = build(SIMPLE, SIMPLE_EXITS)
        stamp, data = page_data(workflow)
        done, refused = [s for s in data['stages']
            if s['code'] in {'done', 'refused'}]
        done['code'], refused['code'] = 'refused', 'done'
        with acting(self.admin()):
            Workflow(workflow.id).save_diagram(data, stamp)
        self.assertEqual(sorted((s.code, s.outcome)
                for s in Workflow(workflow.id).stages if s.kind == 'end'),
            [('done', 'rejected'), ('refused', 'approved')])

    @with_transaction()
    def test_stale_page_is_refused(self):
        "A workflow changed since the page loaded it is not overwritten"
        Workflow = Pool().get('laisui.review.workflow')
        workflow = build(SIMPLE, SIMPLE_EXITS)
        stamp, data = page_data(workflow)
        desk, = [s for s in workflow.stages if s.code == 'desk']
        desk.name = '窗口受理'
        desk.save()
        before = shape(Workflow(workflow.id))
        data['stages'] = data['stages'][:1]
        data['transitions'] = []
        with acting(self.admin()), self.assertRaises(
                StateConflictError) as cm:
            Workflow(workflow.id).save_diagram(data, stamp)
        self.assertIn('已被修改', cm.exception.message)
        self.assertEqual(shape(Workflow(workflow.id)), before)

    @with_transaction()
    def test_active_workflow_is_frozen(self):
        "The designer only shows an active version"
        Workflow = Pool().get('laisui.review.workflow')
        workflow = build(SIMPLE, SIMPLE_EXITS)
        Workflow.activate([workflow])
        stamp, data = page_data(workflow)
        self.assertFalse(workflow.diagram()['workflow']['editable'])
        data['transitions'] = []
        with acting(self.admin()), self.assertRaises(WorkflowError):
            Workflow(workflow.id).save_diagram(data, stamp)
        self.assertEqual(len(Workflow(workflow.id).transitions), 2)

    @with_transaction()
    def test_bad_diagrams_change_nothing(self):
        "Foreign stages, loose ends and malformed data are refused"
        Workflow = Pool().get('laisui.review.workflow')
        workflow = build(SIMPLE, SIMPLE_EXITS)
        other = build(SIMPLE, SIMPLE_EXITS, name="另一流程")
        before = shape(workflow)
        stamp, data = page_data(workflow)
        foreign = dict(data, stages=data['stages'] + [{
                    'key': 'x', 'id': other.stages[0].id, 'code': 'x',
                    'name': 'x', 'kind': 'task'}])
        loose = dict(data, transitions=data['transitions'] + [{
                    'source': 'nowhere', 'target': data['stages'][0]['key'],
                    'event': 'return'}])
        kind = dict(data, stages=[dict(data['stages'][0], kind='script')]
            + data['stages'][1:])
        typed = dict(data, stages=[dict(data['stages'][0], x='left')]
            + data['stages'][1:])
        cases = [
            (foreign, '其他流程'),
            (loose, '流转'),
            (kind, '无法读取'),
            (typed, '无法读取'),
            ({'stages': 'all'}, '无法读取'),
            (dict(data, stages=[dict(data['stages'][0], id=True)]
                    + data['stages'][1:]), '无法读取'),
            (dict(data, transitions=[dict(data['transitions'][0],
                            source=[1])]), '无法读取'),
            (None, '无法读取'),
            ]
        admin = self.admin()
        for diagram, text in cases:
            with self.subTest(text=text), acting(admin), \
                    self.assertRaises(WorkflowError) as cm:
                Workflow(workflow.id).save_diagram(diagram, stamp)
            self.assertIn(text, cm.exception.message)
            self.assertEqual(shape(Workflow(workflow.id)), before)

    @with_transaction()
    def test_reviewers_cannot_design(self):
        "Saving runs with the person's access: a reviewer may not"
        Workflow = Pool().get('laisui.review.workflow')
        workflow = build(SIMPLE, SIMPLE_EXITS)
        stamp, data = page_data(workflow)
        reviewer = staff('wf_reviewer', 'group_district_reviewer')
        with acting(reviewer), self.assertRaises(AccessError):
            Workflow(workflow.id).save_diagram(data, stamp)

    @with_transaction()
    def test_grant(self):
        "The button grants one person one workflow for a while"
        pool = Pool()
        Workflow = pool.get('laisui.review.workflow')
        Grant = pool.get('laisui.review.designer.grant')
        workflow = build(SIMPLE, SIMPLE_EXITS)
        other = build(SIMPLE, SIMPLE_EXITS, name="另一流程")
        admin = self.admin()
        with Transaction().set_user(admin.id):
            action = Workflow.design([workflow])
        self.assertEqual(action['type'], 'ir.action.url')
        token = action['url'].split('token=')[1]
        self.assertNotIn(token, str(Grant.search([])[0].token_digest))
        self.assertEqual(Grant.user_for(workflow.id, token), admin)
        self.assertIsNone(Grant.user_for(other.id, token))
        self.assertIsNone(Grant.user_for(workflow.id, token + 'x'))
        later = dt.datetime.now() + dt.timedelta(hours=3)
        with Transaction().set_context(_laisui_now=later):
            self.assertIsNone(Grant.user_for(workflow.id, token))
        admin.active = False
        admin.save()
        self.assertIsNone(Grant.user_for(workflow.id, token))
