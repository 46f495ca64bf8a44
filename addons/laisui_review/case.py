# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Review cases (审核案件): one per reviewed document, driven by the
workflow version it started with.

A case sits in one stage. People decide task stages (pass, return for
correction, reject); a department stage waits for the department tasks it
fanned out; automatic, condition and end stages run as soon as a case
enters them; a timer stage waits for its period (cron). Every stage a case
passes through leaves a step in its timeline.
"""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql import Null

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.model.fields import SQL_OPERATORS
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.bulk import (
    bulk_insert, bulk_update, forget_cached)
from trytond.modules.laisui_base.state_guard import (
    conflict, guard, state_guard)
from trytond.modules.laisui_points.formula import evaluate, namespace
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import (
    Transaction, check_access, without_check_access)

from .deadline import DeadlineMixin, close_reminders
from .exceptions import DecisionError
from .reviewable import ReviewableMixin
from .workflow import CASE_VARIABLES, EVENTS, OUTCOMES, event_label

STATES = [
    ('open', "Under Review"),
    ('returned', "Returned for Correction"),
    ('approved', "Approved"),
    ('rejected', "Rejected"),
    ('withdrawn', "Withdrawn"),
    ]
# More automatic stages than this in one go means a loop of automatic and
# condition stages that no data will ever leave.
_MAX_AUTOMATIC_HOPS = 50


class Case(DeadlineMixin, ModelSQL, ModelView):
    "Review case (审核案件)"
    __name__ = 'laisui.review.case'

    document = fields.Reference("Document", 'get_document_models',
        required=True, readonly=True)
    applicant = fields.Many2One('laisui.applicant', "Applicant",
        required=True, readonly=True, ondelete='RESTRICT')
    workflow = fields.Many2One('laisui.review.workflow', "Workflow",
        required=True, readonly=True, ondelete='RESTRICT')
    stage = fields.Many2One('laisui.review.stage', "Stage", readonly=True,
        ondelete='RESTRICT')
    stage_kind = fields.Function(fields.Selection('get_stage_kinds',
            "Stage Kind"), 'get_stage_kind')
    state = fields.Selection(STATES, "State", required=True, readonly=True)
    state_string = state.translated('state')
    entered_at = fields.Timestamp("In Stage Since", readonly=True)
    # Who claimed the case at its stage (queue.py); a new stage frees it.
    assignee = fields.Many2One('res.user', "Assignee", readonly=True,
        ondelete='SET NULL')
    returns = fields.Integer("Times Returned", readonly=True)
    mismatches = fields.Integer("Mismatched Lines", readonly=True)
    comment = fields.Text("Review Comment",
        states={'readonly': Eval('state') != 'open'},
        help="The reason of the next decision; kept in the timeline.")
    # Editable for the proposals of the lines; Line checks who may.
    lines = fields.One2Many('laisui.review.line', 'case', "Indicator Lines",
        states={'readonly': Eval('state') != 'open'})
    tasks = fields.One2Many('laisui.review.task', 'case', "Department Tasks",
        readonly=True)
    steps = fields.One2Many('laisui.review.step', 'case', "Timeline",
        readonly=True)
    corrections = fields.One2Many('laisui.review.correction', 'case',
        "Items to Correct",
        states={'readonly': Eval('state') != 'open'})
    total_points = fields.Function(fields.Numeric("Confirmed Points",
            digits=(16, 2)), 'get_total_points')
    declared_points = fields.Function(fields.Numeric("Declared Points",
            digits=(16, 2)), 'get_total_points')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('id', 'DESC')]
        cls._sql_indexes.update({
                Index(t, (t.document, Index.Equality())),
                Index(t, (t.applicant, Index.Equality())),
                Index(t, (t.stage, Index.Equality()),
                    (t.state, Index.Equality())),
                })
        open_ = Eval('state') != 'open'
        task = Eval('stage_kind') != 'task'
        cls._buttons.update({
                'pass_': {
                    'invisible': open_ | task,
                    'depends': ['state', 'stage_kind'],
                    },
                'return_': {
                    'invisible': open_ | ~Eval('stage_kind').in_(
                        ['task', 'department']),
                    'depends': ['state', 'stage_kind'],
                    },
                'reject': {
                    'invisible': open_ | task,
                    'depends': ['state', 'stage_kind'],
                    },
                'resubmit': {
                    'invisible': Eval('state') != 'returned',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'open'

    @classmethod
    def check_modification(cls, mode, cases, values=None, external=False):
        super().check_modification(
            mode, cases, values=values, external=external)
        # People write the comment of an open case and the proposals of
        # its lines (the form saves them through the case); the engine
        # the rest. Lines are never added to or taken from a case.
        if external and (mode != 'write'
                or set(values) - {'comment', 'corrections', 'lines'}
                or any(c.state != 'open' for c in cases)
                or any(action[0] != 'write'
                    for action in values.get('lines') or [])):
            raise DecisionError(gettext('laisui_review.msg_case_readonly'))

    @classmethod
    def default_returns(cls):
        return 0

    @classmethod
    def default_mismatches(cls):
        return 0

    @classmethod
    def get_document_models(cls):
        "Every registered model that is reviewable"
        # Cached by ir.model: every case written validates its document.
        Model = Pool().get('ir.model')
        return [(None, '')] + Model.get_name_items(ReviewableMixin)

    @classmethod
    def document_variables(cls, document_model):
        "Names and types of the document's workflow variables"
        if not document_model:
            return {}
        return Pool().get(document_model)._review_variables

    @classmethod
    def get_stage_kinds(cls):
        Stage = Pool().get('laisui.review.stage')
        return [(None, '')] + Stage.fields_get(['kind'])['kind']['selection']

    def get_stage_kind(self, name):
        return self.stage.kind if self.stage else None

    def get_rec_name(self, name):
        return f'{self.document.rec_name if self.document else ""} #{self.id}'

    @classmethod
    def get_total_points(cls, cases, names):
        # The lines the reader may read: a department reviewer sums its
        # own department's only (the engine reads variables() instead).
        pool = Pool()
        Line = pool.get('laisui.review.line')
        Rule = pool.get('ir.rule')
        result = {n: {c.id: Decimal(0) for c in cases} for n in names}
        # Record rules only: reading the case already checked the access.
        with check_access():
            rules = Rule.domain_get(Line.__name__, mode='read')
        lines = Line.search([('case', 'in', [c.id for c in cases]), rules])
        for line in lines:
            case_id = line.case.id
            if 'declared_points' in names:
                result['declared_points'][case_id] += (
                    line.declared_points or 0)
            if 'total_points' in names and line.state in {
                    'confirmed', 'adjusted'}:
                result['total_points'][case_id] += line.points or 0
        return result

    # Start -------------------------------------------------------------
    @classmethod
    def start(cls, documents):
        "Create and start one case per document; return the cases"
        pool = Pool()
        Workflow = pool.get('laisui.review.workflow')
        Line = pool.get('laisui.review.line')
        workflows = {}
        vlist = []
        for document in documents:
            key = (document.__name__, document.review_workflow_scope())
            if key not in workflows:
                workflows[key] = Workflow.active_for(*key)
            if not workflows[key]:
                raise DecisionError(gettext(
                        'laisui_review.msg_no_active_workflow',
                        document=document.rec_name))
            vlist.append({
                    'document': str(document),
                    'applicant': document.review_applicant().id,
                    'workflow': workflows[key].id,
                    })
        cases = cls.create(vlist)
        Line.create([dict(values, case=case.id)
                for document, case in zip(documents, cases)
                for values in document.review_line_values()])
        by_stage = defaultdict(list)
        for case in cases:
            initial, = [s for s in case.workflow.stages if s.initial]
            by_stage[initial].append(case)
        cls._run(list(by_stage.items()))
        return cls.browse(cases)

    # Engine ------------------------------------------------------------
    @classmethod
    def _run(cls, pending):
        """Enter cases into stages and run every stage that decides by
        itself, until each case waits for a person, a timer or ended.

        `pending` is a list of (stage, cases)."""
        hops = 0
        while pending:
            hops += 1
            if hops > _MAX_AUTOMATIC_HOPS * max(len(pending), 1):
                raise DecisionError(gettext(
                        'laisui_review.msg_automatic_loop'))
            stage, cases = pending.pop(0)
            cls._enter(cases, stage)
            cases = cls.browse(cases)
            for event, moved in cls._act(cases, stage).items():
                pending.extend(cls._leave(moved, stage, event))

    @classmethod
    def _enter(cls, cases, stage):
        pool = Pool()
        Step = pool.get('laisui.review.step')
        Calendar = pool.get('laisui.calendar.day')
        now = clock.now()
        deadline = None
        if stage.deadline_days and stage.kind in {
                'task', 'department', 'timer'}:
            deadline = Calendar.add_working_days(
                clock.to_local(now).date(), stage.deadline_days)
        cls.write(cases, {
                'stage': stage.id,
                'state': 'open',
                'assignee': None,
                'entered_at': now,
                'deadline': deadline,
                'reminded': False,
                'overdue_notified': False,
                'escalated': False,
                })
        # Steps are the engine's own rows: written set-wise.
        bulk_insert(Step._table, ['case', 'stage', 'entered_at', 'deadline',
                'create_uid', 'create_date'],
            [(c.id, stage.id, now, deadline, Transaction().user, now)
                for c in cases])
        forget_cached(Step.__name__)
        cls._notify(cases, stage)

    @classmethod
    def _notify(cls, cases, stage):
        """Queue the stage's notice to the applicants of the cases entering
        it, in one go: a batch decision moves hundreds of cases."""
        Message = Pool().get('laisui.sms.message')
        template = stage.notice
        if not template or not template.active:
            return
        entries = []
        for case in cls.browse(cases):
            document, phone = case.document, case.applicant.phone
            if phone:
                entries.append((phone, template.code, {
                            'document': document._review_label,
                            'number': getattr(document, 'number', '') or '',
                            'stage': stage.name,
                            }))
        Message.queue_many(entries)

    @classmethod
    def _act(cls, cases, stage):
        """What a stage does on entry: {event: cases} for the cases that
        leave it at once; the others wait."""
        pool = Pool()
        Task = pool.get('laisui.review.task')
        Rule = pool.get('laisui.review.comparison.rule')
        if stage.kind == 'end':
            cls._finish(cases, stage.outcome)
            return {}
        if stage.kind == 'automatic' and stage.action == 'compare':
            Rule.compare(cases)
            exits = {t.event for t in stage.workflow.transitions
                if t.source == stage}
            waiting = _with_pending_lines(cases)
            result = defaultdict(list)
            for case in cases:
                result['mismatch' if case.id in waiting and 'mismatch' in exits
                    else 'pass'].append(case)
            return result
        if stage.kind == 'condition':
            return cls._choose(cases, stage)
        if stage.kind == 'department':
            waiting = {c.id for c in Task.fan_out(cases, stage)}
            return cls._department_exits(
                [c for c in cases if c.id not in waiting])
        return {}

    @classmethod
    def _choose(cls, cases, stage):
        "The first condition that holds for each case, else otherwise"
        variables = dict(cls._variables_types(stage.workflow))
        exits = sorted((t for t in stage.workflow.transitions
                if t.source == stage), key=lambda t: (t.sequence or 0, t.id))
        compiled = [(t, t.compiled(variables)) for t in exits
            if t.event == 'condition']
        result = defaultdict(list)
        for case in cls.browse(cases):
            globals_ = namespace(case.variables())
            for transition, code in compiled:
                if evaluate(code, globals_):
                    result[transition].append(case)
                    break
            else:
                result['otherwise'].append(case)
        return result

    @classmethod
    def _variables_types(cls, workflow):
        return dict(CASE_VARIABLES,
            **cls.document_variables(workflow.document_model))

    def variables(self):
        "Values the conditions of the workflow read"
        lines = self.lines
        values = {
            'total_points': float(sum(
                    (l.points or l.declared_points or 0) for l in lines)),
            'mismatches': sum(l.comparison == 'mismatched' for l in lines),
            'no_data': sum(l.comparison == 'no_data' for l in lines),
            'adjusted': sum(l.state == 'adjusted' for l in lines),
            'returns': self.returns or 0,
            }
        values.update(self.document.review_variables())
        return values

    @classmethod
    def _leave(cls, cases, stage, event, comment=None):
        """Close the current step of the cases with `event` and return
        (stage, cases) pairs to enter next. `event` is an event name or,
        for a condition, the transition chosen."""
        pool = Pool()
        Step = pool.get('laisui.review.step')
        Transition = pool.get('laisui.review.transition')
        if not cases:
            return []
        if isinstance(event, Transition):
            transition, event = event, event.event
        else:
            transition, = [t for t in stage.workflow.transitions
                if t.source == stage and t.event == event]
        Step.close(cases, event, comment)
        close_reminders(cases)
        if stage.kind == 'department':
            pool.get('laisui.review.task').cancel_open(cases)
        if event == 'return':
            cls._return(cases, transition.target)
            return []
        return [(transition.target, cases)]

    @classmethod
    def _finish(cls, cases, outcome):
        pool = Pool()
        Step = pool.get('laisui.review.step')
        Step.close(cases, outcome, None)
        cls.write(cases, {'state': outcome, 'deadline': None})
        cls._audit(cases, 'open', outcome)
        for Document, documents in _documents(cases).items():
            Document.review_finished(documents, outcome)

    @classmethod
    def _return(cls, cases, resume_stage):
        """Send the applicant one complete list of what to correct; the
        case waits at the stage it will resume from."""
        pool = Pool()
        Correction = pool.get('laisui.review.correction')
        items = {}
        new = []
        cases = cls.browse(cases)
        for case in cases:
            lines = [l for l in case.lines if l.state == 'correction']
            for line in lines:
                new.append({'case': case.id, 'indicator': line.indicator.id,
                        'description': line.reason})
        if new:
            Correction.create(new)
        for case in cls.browse(cases):
            open_items = [c for c in case.corrections if not c.sent]
            items[case] = [c.rec_name for c in open_items]
            Correction.write(open_items, {'sent': True,
                    'round': (case.returns or 0) + 1})
        for case in cases:
            case.returns = (case.returns or 0) + 1
            case.stage = resume_stage
            case.state = 'returned'
            case.deadline = None
        cls.save(cases)
        cls._audit(cases, 'open', 'returned')
        for Document, documents in _documents(cases).items():
            for document in documents:
                Document.review_returned(
                    [document], items[document.review_case])

    @classmethod
    def _audit(cls, cases, from_state, to_state):
        AuditLog = Pool().get('laisui.audit.log')
        AuditLog.log_many([{
                    'action': 'state', 'resource': str(c),
                    'from_value': from_state, 'to_value': to_state,
                    'detail': c.stage.name if c.stage else None,
                    } for c in cases])

    # Decisions ---------------------------------------------------------
    @classmethod
    def decide(cls, cases, event, comment=None, stages=None):
        """A person's decision on cases at a task stage.

        `stages` maps case id → the stage id the person saw; a case that
        moved on meanwhile (or whose form is older than its last change)
        gives StateConflictError and nothing changes."""
        cases = guard(cls, cases, ['open'])
        for case in cases:
            seen = (stages or {}).get(case.id)
            if seen is not None and seen != case.stage.id:
                raise conflict(case, case.stage.name)
        cls._apply_decision(cases, event, comment)

    @classmethod
    def _apply_decision(cls, cases, event, comment=None):
        "The decision on guarded cases, if theirs to make"
        comment = (comment or '').strip() or None
        for case in cases:
            case.check_decision(event, comment)
        # Who may decide is checked: the engine's own writes (steps,
        # tasks, audit) are not the person's to make.
        with without_check_access():
            cls._decide(cases, event, comment)

    @classmethod
    def _decide(cls, cases, event, comment):
        pending = []
        by_stage = defaultdict(list)
        for case in cases:
            by_stage[case.stage].append(case)
        for stage, stage_cases in by_stage.items():
            comments = {c.id: comment or c.comment for c in stage_cases}
            pending.extend(cls._leave(stage_cases, stage, event, comments))
        cls.write(cases, {'comment': None})
        cls._audit_decision(cases, event)
        cls._run(pending)

    def check_decision(self, event, comment):
        transaction = Transaction()
        stage = self.stage
        if stage.kind not in {'task', 'department'} or not any(
                t.source == stage and t.event == event
                for t in self.workflow.transitions):
            raise DecisionError(gettext(
                    'laisui_review.msg_decision_not_allowed',
                    case=self.rec_name, stage=stage.name,
                    decision=event_label(event)))
        if stage.kind == 'department' and event != 'return':
            raise DecisionError(gettext(
                    'laisui_review.msg_decision_not_allowed',
                    case=self.rec_name, stage=stage.name,
                    decision=event_label(event)))
        if event == 'return' and not (
                any(not c.sent for c in self.corrections)
                or any(l.state == 'correction' for l in self.lines)):
            raise DecisionError(gettext(
                    'laisui_review.msg_return_items', case=self.rec_name))
        if event in {'return', 'reject'} and not (
                comment or self.comment):
            raise DecisionError(gettext(
                    'laisui_review.msg_decision_reason',
                    decision=event_label(event)))
        # Also from a button, whose body runs without access checks.
        if transaction.user:
            self.check_responsible(transaction.user)
        self.document.review_check_decision(event)

    def check_responsible(self, user_id):
        """Only the stage's role and department decide a task stage, and
        at a four-eyes stage nobody who decided another stage of the case"""
        pool = Pool()
        User = pool.get('res.user')
        Configuration = pool.get('laisui.review.configuration')
        stage = self.stage
        user = User(user_id)
        if stage.kind == 'department':
            # Stopping a fan-out is the district's call: the roles of the
            # review configuration.
            if not Configuration.may_stop_department_review(user):
                raise DecisionError(gettext(
                        'laisui_review.msg_not_responsible',
                        stage=stage.name))
        elif stage.kind == 'task':
            if ((stage.group and stage.group not in user.groups)
                    or (stage.department and stage.department
                        not in user.laisui_departments)):
                raise DecisionError(gettext(
                        'laisui_review.msg_not_responsible',
                        stage=stage.name))
        else:
            return
        if stage.distinct_decider:
            earlier = self.decided_stages(user_id)
            if earlier:
                raise DecisionError(gettext(
                        'laisui_review.msg_four_eyes',
                        case=self.rec_name, stage=stage.name,
                        earlier=earlier[0].name))

    def decided_stages(self, user_id):
        """The other task stages of the case the user decided, in any
        round: a return does not make a person new to the case"""
        Step = Pool().get('laisui.review.step')
        with without_check_access():
            steps = Step.search([
                    ('case', '=', self.id),
                    ('decided_by', '=', user_id),
                    ('stage', '!=', self.stage.id),
                    ('stage.kind', '=', 'task'),
                    ])
        return list(dict.fromkeys(s.stage for s in steps))

    @classmethod
    def _audit_decision(cls, cases, event):
        AuditLog = Pool().get('laisui.audit.log')
        AuditLog.log_many([{
                    'action': 'state', 'resource': str(c),
                    'from_value': c.stage.name,
                    'to_value': event,
                    } for c in cases])

    @classmethod
    @state_guard('open')
    @ModelView.button
    def pass_(cls, cases):
        cls._apply_decision(cases, 'pass')

    @classmethod
    @state_guard('open')
    @ModelView.button
    def return_(cls, cases):
        cls._apply_decision(cases, 'return')

    @classmethod
    @state_guard('open')
    @ModelView.button
    def reject(cls, cases):
        cls._apply_decision(cases, 'reject')

    @classmethod
    @state_guard('returned')
    @ModelView.button
    def resubmit(cls, cases):
        "The applicant corrected: review again from the resume stage"
        pool = Pool()
        Line = pool.get('laisui.review.line')
        Line.reopen([l for c in cases for l in c.lines
                if l.state == 'correction'])
        cls._audit(cases, 'returned', 'open')
        for Document, documents in _documents(cases).items():
            Document.review_resumed(documents)
        by_stage = defaultdict(list)
        for case in cases:
            by_stage[case.stage].append(case)
        cls._run(list(by_stage.items()))

    @classmethod
    def withdraw(cls, cases):
        "The applicant withdrew the document: the case ends undecided"
        pool = Pool()
        Step = pool.get('laisui.review.step')
        Task = pool.get('laisui.review.task')
        cases = guard(cls, cases, ['open', 'returned'])
        Step.close(cases, 'withdrawn', None)
        close_reminders(cases)
        Task.cancel_open(cases)
        for state in {c.state for c in cases}:
            same = [c for c in cases if c.state == state]
            cls.write(same, {'state': 'withdrawn', 'deadline': None})
            cls._audit(same, state, 'withdrawn')

    @classmethod
    def department_done(cls, cases):
        """Called when every task of the cases' department stage is done:
        return for correction if a department asked for it, else pass."""
        pending = []
        for stage in {c.stage for c in cases}:
            stage_cases = [c for c in cases if c.stage == stage]
            for event, event_cases in cls._department_exits(
                    stage_cases).items():
                pending.extend(cls._leave(event_cases, stage, event))
        cls._run(pending)

    @classmethod
    def _department_exits(cls, cases):
        "{event: cases} of cases leaving their department stage"
        Line = Pool().get('laisui.review.line')
        wanting = {l.case.id for l in Line.search([
                    ('case', 'in', [c.id for c in cases]),
                    ('state', '=', 'correction'),
                    ])}
        result = defaultdict(list)
        for case in cases:
            exits = {t.event for t in case.workflow.transitions
                if t.source == case.stage}
            result['return' if case.id in wanting and 'return' in exits
                else 'pass'].append(case)
        return result

    @classmethod
    def fire_timers(cls):
        "Cron: cases whose timer stage (e.g. publicity) has elapsed"
        today = clock.today()
        cases = cls.search([
                ('state', '=', 'open'),
                ('stage.kind', '=', 'timer'),
                ('deadline', '<', today),
                ])
        by_stage = defaultdict(list)
        for case in cases:
            by_stage[case.stage].append(case)
        pending = []
        for stage, stage_cases in by_stage.items():
            pending.extend(cls._leave(stage_cases, stage, 'timeout'))
        cls._run(pending)

    @classmethod
    def deadline_domain(cls):
        return super().deadline_domain() + [('stage.kind', '=', 'task')]

    @classmethod
    def remind(cls):
        "Cron: the to-do reminders of cases and department tasks"
        Task = Pool().get('laisui.review.task')
        return (cls.send_reminders() + Task.send_reminders()
            + Task.escalate_unstaffed())

    def deadline_recipients(self):
        "The users who decide this case at its stage"
        pool = Pool()
        User = pool.get('res.user')
        stage = self.stage
        if not stage or stage.kind != 'task':
            return []
        domain = [('active', '=', True)]
        if stage.group:
            domain.append(('groups', '=', stage.group.id))
        if stage.department:
            domain.append(('laisui_departments', '=', stage.department.id))
        return User.search(domain)

    def deadline_label(self):
        return f'{self.rec_name}（{self.stage.name}）'


def _with_pending_lines(cases):
    "Ids of the cases with a line still waiting for people"
    Line = Pool().get('laisui.review.line')
    line = Line.__table__()
    cursor = Transaction().connection.cursor()
    result = set()
    for sub_ids in grouped_slice([c.id for c in cases], 1000):
        cursor.execute(*line.select(line.case,
                where=SQL_OPERATORS['in'](line.case, list(sub_ids))
                & (line.state == 'pending'),
                group_by=[line.case]))
        result.update(c for c, in cursor)
    return result


def _datetime(value):
    "SQLite gives timestamps as text"
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    return value


def _date(value):
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def _documents(cases):
    "The documents of the cases grouped by model"
    pool = Pool()
    result = defaultdict(list)
    for case in cases:
        document = case.document
        result[pool.get(document.__name__)].append(document)
    return result


class Step(ModelSQL, ModelView):
    "Review step: one stage a case went through (timeline)"
    __name__ = 'laisui.review.step'

    case = fields.Many2One('laisui.review.case', "Case", required=True,
        readonly=True, ondelete='CASCADE')
    stage = fields.Many2One('laisui.review.stage', "Stage", required=True,
        readonly=True, ondelete='RESTRICT')
    entered_at = fields.Timestamp("Entered At", readonly=True)
    deadline = fields.Date("Deadline", readonly=True)
    left_at = fields.Timestamp("Left At", readonly=True)
    decision = fields.Selection(
        [(None, '')] + EVENTS + [o for o in OUTCOMES if o[0]]
        + [('withdrawn', "Withdrawn")], "Decision",
        readonly=True)
    decision_string = decision.translated('decision')
    decided_by = fields.Many2One('res.user', "Decided By", readonly=True)
    comment = fields.Text("Comment", readonly=True)
    duration = fields.TimeDelta("Time Spent", readonly=True)
    overdue = fields.Boolean("Overdue", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('entered_at', 'ASC'), ('id', 'ASC')]
        cls._sql_indexes.add(Index(t, (t.case, Index.Equality())))

    @classmethod
    def close(cls, cases, decision, comments):
        """End the open step of each case; comments is one text or a map
        case id → text."""
        now = clock.now()
        user = Transaction().user or None
        today = clock.to_local(now).date()
        step = cls.__table__()
        cursor = Transaction().connection.cursor()
        rows = []
        for sub_ids in grouped_slice([c.id for c in cases], 1000):
            cursor.execute(*step.select(
                    step.id, step.case, step.entered_at, step.deadline,
                    where=SQL_OPERATORS['in'](step.case, list(sub_ids))
                    & (step.left_at == Null)))
            rows.extend(cursor)
        updates = []
        for step_id, case_id, entered_at, deadline in rows:
            entered_at, deadline = _datetime(entered_at), _date(deadline)
            comment = (comments.get(case_id)
                if isinstance(comments, dict) else comments)
            updates.append((step_id, now, decision, user, comment,
                    now - entered_at, bool(deadline and today > deadline),
                    user, now))
        bulk_update(cls._table, ['left_at', 'decision', 'decided_by',
                'comment', 'duration', 'overdue', 'write_uid', 'write_date'],
            updates)
        forget_cached(cls.__name__)


class Correction(ModelSQL, ModelView):
    "Item the applicant must correct or supply (补正事项)"
    __name__ = 'laisui.review.correction'

    case = fields.Many2One('laisui.review.case', "Case", required=True,
        ondelete='CASCADE')
    indicator = fields.Many2One('laisui.points.indicator', "Indicator",
        ondelete='RESTRICT')
    evidence_type = fields.Many2One('laisui.evidence.type',
        "Evidence to Supply", ondelete='RESTRICT')
    description = fields.Text("What to Correct", required=True)
    sent = fields.Boolean("Sent", readonly=True)
    round = fields.Integer("Return", readonly=True,
        help="The return for correction that sent it.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.case, Index.Equality())))

    def get_rec_name(self, name):
        parts = [self.indicator.name if self.indicator else None,
            self.evidence_type.name if self.evidence_type else None,
            self.description]
        return '：'.join(p for p in parts if p)

    @classmethod
    def check_modification(cls, mode, corrections, values=None,
            external=False):
        super().check_modification(
            mode, corrections, values=values, external=external)
        # What was sent to the applicant is history; people add items to
        # open cases only, and never mark them sent.
        if mode != 'create' and any(c.sent for c in corrections):
            if (mode == 'delete' or external
                    or set(values or {}) - {'sent', 'round'}):
                raise DecisionError(gettext(
                        'laisui_review.msg_correction_sent'))
        if external and (
                any(c.case.state != 'open' or c.sent or c.round
                    for c in corrections)
                or set(values or {}) & {'sent', 'round', 'case'}):
            raise DecisionError(gettext(
                    'laisui_review.msg_correction_sent'))
