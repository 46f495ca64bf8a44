# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Workflow definitions (审核流程): stages and transitions as data.

A definition is edited as a draft, validated when it is activated and
then frozen: cases keep the version they started with, so a change is a
new version (copy, edit, activate) that applies to new cases only.
"""
from collections import defaultdict, deque

from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow as WorkflowMixin, fields,
    sequence_ordered)
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.sms import REQUESTED_TEMPLATES
from trytond.modules.laisui_base.state_guard import state_guard
from trytond.modules.laisui_points.formula import (
    FormulaError, compile_formula)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import WorkflowError

STATES = [
    ('draft', "Draft"),
    ('active', "Active"),
    ('superseded', "Superseded"),
    ]
# The designer's palette: five kinds of step, plus the end.
KINDS = [
    ('task', "Review Task"),
    ('department', "Department Fan-out"),
    ('condition', "Condition"),
    ('timer', "Timer"),
    ('automatic', "Automatic Step"),
    ('end', "End"),
    ]
EVENTS = [
    ('pass', "Pass"),
    ('return', "Return for Correction"),
    ('reject', "Reject"),
    ('mismatch', "Comparison Needs Review"),
    ('timeout', "Period Elapsed"),
    ('condition', "Condition Holds"),
    ('otherwise', "Otherwise"),
    ]
# Which exits each kind of stage may have, and which it must have.
KIND_EVENTS = {
    'task': {'pass', 'return', 'reject'},
    'department': {'pass', 'return'},
    'automatic': {'pass', 'mismatch'},
    'timer': {'timeout'},
    'condition': {'condition', 'otherwise'},
    'end': set(),
    }
KIND_REQUIRED = {
    'task': {'pass'},
    'department': {'pass'},
    'automatic': {'pass'},
    'timer': {'timeout'},
    'condition': {'otherwise'},
    'end': set(),
    }
ACTIONS = [
    (None, ''),
    ('compare', "Automatic Comparison"),
    ]
OUTCOMES = [
    (None, ''),
    ('approved', "Approved"),
    ('rejected', "Rejected"),
    ]
# What a condition may read about a case; reviewable documents add theirs
# (ReviewableMixin._review_variables).
CASE_VARIABLES = {
    'total_points': float,
    'mismatches': int,
    'no_data': int,
    'adjusted': int,
    'returns': int,
    }


class Workflow(WorkflowMixin, ModelSQL, ModelView):
    "Review workflow definition (审核流程), one version"
    __name__ = 'laisui.review.workflow'
    _active_cache = Cache('laisui.review.workflow.active_for', context=False)

    _draft = {'readonly': Eval('state') != 'draft'}

    name = fields.Char("Name", required=True, states=_draft)
    document_model = fields.Selection('get_document_models',
        "Application Type", required=True, states=_draft,
        help="The kind of application this workflow reviews.")
    scope = fields.Char("Scope", states=_draft,
        help="Empty: every application of the type. Else only those that "
        "name this scope (a public service's code), which then do not "
        "take the type's general workflow.")
    version = fields.Integer("Version", readonly=True)
    state = fields.Selection(STATES, "State", readonly=True, required=True)
    state_string = state.translated('state')
    stages = fields.One2Many('laisui.review.stage', 'workflow', "Stages",
        states=_draft)
    transitions = fields.One2Many('laisui.review.transition', 'workflow',
        "Transitions", states=_draft)
    previous = fields.Many2One('laisui.review.workflow', "Previous Version",
        readonly=True, ondelete='RESTRICT')
    activated_at = fields.Timestamp("Activated At", readonly=True)
    activated_by = fields.Many2One('res.user', "Activated By",
        readonly=True)
    note = fields.Text("Note")

    del _draft

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('version_unique', Unique(t, t.document_model, t.version),
                'laisui_review.msg_workflow_version_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.document_model, Index.Equality()),
                (t.state, Index.Equality())))
        cls._order = [('document_model', 'ASC'), ('version', 'DESC'),
            ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'active'),
            ('active', 'superseded'),
            }
        cls._buttons.update({
                'activate': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'new_version': {
                    'invisible': Eval('state') == 'draft',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def get_document_models(cls):
        Case = Pool().get('laisui.review.case')
        return Case.get_document_models()

    def get_rec_name(self, name):
        return f'{self.name} v{self.version}'

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('version'):
            values['version'] = cls._next_version(values['document_model'])
        return values

    @classmethod
    def _next_version(cls, document_model):
        latest = cls.search([('document_model', '=', document_model)],
            order=[('version', 'DESC')], limit=1)
        return (latest[0].version if latest else 0) + 1

    @classmethod
    def check_modification(cls, mode, workflows, values=None,
            external=False):
        super().check_modification(
            mode, workflows, values=values, external=external)
        # Activation changes the state, through its button only.
        engine = set() if external else {
            'state', 'activated_at', 'activated_by', 'previous'}
        if mode == 'delete' or (mode == 'write'
                and set(values) - engine - {'note'}):
            for workflow in workflows:
                workflow.check_draft(external)

    def check_draft(self, external=True):
        # Server code (the module's XML data loads the seeded workflow
        # active) is trusted; people change drafts only.
        if not external:
            return
        if self.state != 'draft':
            raise WorkflowError(gettext(
                    'laisui_review.msg_workflow_frozen',
                    workflow=self.rec_name, state=self.state_string))

    @classmethod
    def copy(cls, workflows, default=None):
        default = dict(default or {})
        default.setdefault('state', 'draft')
        default.setdefault('version', None)
        default.setdefault('activated_at', None)
        default.setdefault('activated_by', None)
        default.setdefault('previous', lambda data: data['id'])
        # Stages are copied with the workflow; transitions are remapped to
        # the copied stages below.
        default.setdefault('transitions', None)
        new_workflows = super().copy(workflows, default=default)
        for old, new in zip(workflows, new_workflows):
            old.copy_transitions(new)
        return new_workflows

    def copy_transitions(self, new):
        Transition = Pool().get('laisui.review.transition')
        stage_map = {o.code: n for o, n in zip(
                sorted(self.stages, key=lambda s: s.code),
                sorted(new.stages, key=lambda s: s.code))}
        Transition.create([{
                    'workflow': new.id,
                    'source': stage_map[t.source.code].id,
                    'target': stage_map[t.target.code].id,
                    'event': t.event,
                    'condition': t.condition,
                    'name': t.name,
                    'sequence': t.sequence,
                    } for t in self.transitions])

    @classmethod
    @ModelView.button
    def new_version(cls, workflows):
        new = cls.copy(workflows)
        return {
            'res_id': [w.id for w in new],
            }

    @classmethod
    @state_guard('draft')
    @ModelView.button
    @WorkflowMixin.transition('active')
    def activate(cls, workflows):
        pool = Pool()
        AuditLog = pool.get('laisui.audit.log')
        for workflow in workflows:
            workflow.validate_definition()
        keys = {(w.document_model, w.scope or None) for w in workflows}
        if len(keys) < len(workflows):
            raise WorkflowError(gettext(
                    'laisui_review.msg_workflow_one_active'))
        current = cls.search(['OR'] + [[
                    ('document_model', '=', model),
                    ('scope', '=', scope),
                    ('state', '=', 'active'),
                    ] for model, scope in keys])
        cls.supersede(current)
        cls.write(workflows, {
                'activated_at': clock.now(),
                'activated_by': Transaction().user or None,
                })
        AuditLog.log_many([{
                    'action': 'state', 'resource': str(w),
                    'from_value': 'draft', 'to_value': 'active',
                    'detail': w.rec_name,
                    } for w in workflows])

    @classmethod
    @WorkflowMixin.transition('superseded')
    def supersede(cls, workflows):
        pass

    @classmethod
    def active_for(cls, document_model, scope=None):
        """The active definition for the document model and scope, else
        the model's general one, or None"""
        # Cached: every submission asks, a definition changes rarely.
        key = (document_model, scope)
        workflow_id = cls._active_cache.get(key, -1)
        if workflow_id == -1:
            workflow_id = None
            for scope_ in ([scope, None] if scope else [None]):
                workflows = cls.search([
                        ('document_model', '=', document_model),
                        ('scope', '=', scope_),
                        ('state', '=', 'active'),
                        ], limit=1)
                if workflows:
                    workflow_id = workflows[0].id
                    break
            cls._active_cache.set(key, workflow_id)
        return cls(workflow_id) if workflow_id is not None else None

    @classmethod
    def on_modification(cls, mode, workflows, field_names=None):
        super().on_modification(mode, workflows, field_names)
        cls._active_cache.clear()

    def validate_definition(self):
        """Raise WorkflowError unless the definition can run: one start,
        an end, every stage reachable, the exits each kind needs, deadlines
        set and an end reachable from every stage (no loop without exit)."""
        Case = Pool().get('laisui.review.case')

        def error(message, **kwargs):
            raise WorkflowError(gettext(
                    'laisui_review.msg_workflow_' + message,
                    workflow=self.rec_name, **kwargs))

        stages = list(self.stages)
        initial = [s for s in stages if s.initial]
        if len(initial) != 1:
            error('initial')
        if not any(s.kind == 'end' for s in stages):
            error('no_end')
        exits = defaultdict(list)
        for transition in self.transitions:
            exits[transition.source].append(transition)
        variables = dict(CASE_VARIABLES,
            **Case.document_variables(self.document_model))
        for stage in stages:
            stage.validate_definition(exits[stage], variables, error)
        reachable = _reachable(initial, exits, lambda t: t.target)
        for stage in stages:
            if stage not in reachable:
                error('unreachable', stage=stage.rec_name)
        entries = defaultdict(list)
        for transition in self.transitions:
            entries[transition.target].append(transition)
        ending = _reachable(
            [s for s in stages if s.kind == 'end'], entries,
            lambda t: t.source)
        for stage in stages:
            if stage not in ending:
                error('dead_end', stage=stage.rec_name)


def _reachable(start, edges, follow):
    "Stages reached from `start` along `edges` (stage → transitions)"
    seen = set(start)
    queue = deque(start)
    while queue:
        for transition in edges[queue.popleft()]:
            stage = follow(transition)
            if stage not in seen:
                seen.add(stage)
                queue.append(stage)
    return seen


class Stage(sequence_ordered(), ModelSQL, ModelView):
    "Workflow stage (审核环节)"
    __name__ = 'laisui.review.stage'

    workflow = fields.Many2One('laisui.review.workflow', "Workflow",
        required=True, ondelete='CASCADE')
    code = fields.Char("Code", required=True)
    name = fields.Char("Name", required=True)
    kind = fields.Selection(KINDS, "Kind", required=True)
    kind_string = kind.translated('kind')
    initial = fields.Boolean("Start Stage")
    group = fields.Many2One('res.group', "Responsible Role",
        states={'invisible': Eval('kind') != 'task'},
        help="Only members of this group decide cases at this stage.")
    department = fields.Many2One('laisui.department',
        "Responsible Department",
        states={'invisible': Eval('kind') != 'task'},
        help="Only members of this department decide cases at this "
        "stage; empty for any.")
    deadline_days = fields.Integer("Deadline (Working Days)",
        states={
            'invisible': ~Eval('kind').in_(['task', 'department', 'timer']),
            },
        help="For a timer, the period it waits.")
    remind_days = fields.Integer("Remind Before (Working Days)",
        states={'invisible': ~Eval('kind').in_(['task', 'department'])},
        help="Remind the responsible staff this many working days before "
        "the deadline; empty for no early reminder.")
    escalate_days = fields.Integer("Escalate After (Working Days)",
        states={'invisible': ~Eval('kind').in_(['task', 'department'])},
        help="Alert the district admins when the deadline has passed by "
        "this many working days.")
    distinct_decider = fields.Boolean("Four Eyes",
        states={'invisible': ~Eval('kind').in_(['task', 'department'])},
        help="Whoever decided another stage of the case may not decide "
        "this one, nor its lines.")
    action = fields.Selection(ACTIONS, "Action",
        states={
            'invisible': Eval('kind') != 'automatic',
            'required': Eval('kind') == 'automatic',
            })
    outcome = fields.Selection(OUTCOMES, "Outcome",
        states={
            'invisible': Eval('kind') != 'end',
            'required': Eval('kind') == 'end',
            })
    outcome_string = outcome.translated('outcome')
    notice = fields.Many2One('laisui.sms.template', "Notice",
        ondelete='RESTRICT',
        # A code's template would count against its limits and say nothing.
        domain=[('code', 'not in', sorted(REQUESTED_TEMPLATES))],
        help="The SMS sent to the applicant when a case enters this stage; "
        "none when empty or when the template is deactivated.")
    # Where the designer draws it.
    x = fields.Integer("X")
    y = fields.Integer("Y")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.workflow, t.code),
                'laisui_review.msg_stage_code_unique'),
            ]

    @classmethod
    def default_kind(cls):
        return 'task'

    @classmethod
    def default_distinct_decider(cls):
        return False

    @classmethod
    def check_modification(cls, mode, stages, values=None, external=False):
        super().check_modification(
            mode, stages, values=values, external=external)
        _check_workflow_draft(cls, mode, stages, values, external)

    def validate_definition(self, exits, variables, error):
        events = [t.event for t in exits]
        for event in events:
            if event not in KIND_EVENTS[self.kind]:
                error('event', stage=self.rec_name, kind=self.kind_string,
                    event=event_label(event))
            if event != 'condition' and events.count(event) > 1:
                error('duplicate_event', stage=self.rec_name,
                    event=event_label(event))
        for event in KIND_REQUIRED[self.kind] - set(events):
            error('missing_exit', stage=self.rec_name,
                event=event_label(event))
        if self.kind in {'task', 'department', 'timer'} and not (
                self.deadline_days and self.deadline_days > 0):
            error('deadline', stage=self.rec_name)
        if self.kind == 'task' and not (self.group or self.department):
            error('responsible', stage=self.rec_name)
        for transition in exits:
            if transition.event == 'condition':
                transition.compiled(variables)


def _check_workflow_draft(Model, mode, records, values, external):
    "Stages and transitions change only with a draft workflow"
    Workflow = Pool().get('laisui.review.workflow')
    workflows = {r.workflow for r in records}
    if values and values.get('workflow'):
        workflows.add(Workflow(values['workflow']))
    for workflow in workflows:
        workflow.check_draft(external)


def event_label(event):
    "The event's name in the user's language"
    Transition = Pool().get('laisui.review.transition')
    return dict(Transition.fields_get(['event'])['event']['selection']).get(
        event, event)


class Transition(sequence_ordered(), ModelSQL, ModelView):
    "Workflow transition: where a stage goes on an event"
    __name__ = 'laisui.review.transition'

    workflow = fields.Many2One('laisui.review.workflow', "Workflow",
        required=True, ondelete='CASCADE')
    source = fields.Many2One('laisui.review.stage', "From", required=True,
        ondelete='CASCADE',
        domain=[('workflow', '=', Eval('workflow', -1))])
    target = fields.Many2One('laisui.review.stage', "To", required=True,
        ondelete='CASCADE',
        domain=[('workflow', '=', Eval('workflow', -1))])
    event = fields.Selection(EVENTS, "Event", required=True)
    event_string = event.translated('event')
    condition = fields.Char("Condition",
        states={
            'invisible': Eval('event') != 'condition',
            'required': Eval('event') == 'condition',
            },
        help="An expression over the case, e.g. mismatches == 0 and "
        "total_points >= 100.")
    name = fields.Char("Label",
        help="The button or line label; empty for the event's name.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.source, Index.Equality())))

    @classmethod
    def default_event(cls):
        return 'pass'

    def get_rec_name(self, name):
        return (f'{self.source.rec_name} → {self.target.rec_name} '
            f'({self.name or self.event_string})')

    @classmethod
    def check_modification(cls, mode, transitions, values=None,
            external=False):
        super().check_modification(
            mode, transitions, values=values, external=external)
        _check_workflow_draft(cls, mode, transitions, values, external)

    @classmethod
    def validate_fields(cls, transitions, field_names):
        super().validate_fields(transitions, field_names)
        for transition in transitions:
            if (transition.source.workflow != transition.workflow
                    or transition.target.workflow != transition.workflow):
                raise WorkflowError(gettext(
                        'laisui_review.msg_transition_workflow',
                        transition=transition.rec_name))

    def compiled(self, variables):
        try:
            return compile_formula(self.condition, variables)[0]
        except FormulaError as e:
            raise WorkflowError(gettext(
                    'laisui_review.msg_workflow_condition',
                    condition=self.condition or '',
                    stage=self.source.rec_name, detail=e.detail))
