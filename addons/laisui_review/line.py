# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Per-indicator review lines (审核评分).

A line holds what the applicant declared for one indicator, what the
automatic comparison found, and the decision of the owning department:
confirm, adjust with a reason, or ask for a correction. Decisions go
through decide() only: it locks the lines, checks the version the person
saw, audits each line and tells the department tasks.
"""
import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.bulk import bulk_update, forget_cached
from trytond.modules.laisui_base.state_guard import (
    conflict, guard, state_guard)
from trytond.modules.laisui_points.adjustment import check_points
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import (
    Transaction, check_access, without_check_access)

from .configuration import min_reason_length
from .exceptions import DecisionError

STATES = [
    ('pending', "To Review"),
    ('confirmed', "Confirmed"),
    ('adjusted', "Adjusted"),
    ('correction', "Correction Requested"),
    ]
COMPARISONS = [
    ('not_compared', "Not Compared"),
    ('matched', "Matched"),
    ('mismatched', "Mismatched"),
    ('no_data', "No External Data"),
    ]
DECISIONS = {'confirm': 'confirmed', 'adjust': 'adjusted',
    'correction': 'correction'}
# What people write on a line before deciding it.
PROPOSAL_FIELDS = {'proposed_points', 'reason'}
# A line changes with its case: the case is locked first, always, so that
# two departments deciding their last lines at once do not both miss the
# other's.
_OPEN_CASE = ('case', ['open'])


class Decision(NamedTuple):
    "A decision on a line; decision is a key of DECISIONS"
    line: 'Line'
    decision: str
    points: Decimal
    reason: str


class _DecidedRow(NamedTuple):
    "The columns of a line a decision writes"
    id: int
    state: str
    points: Decimal
    reason: str
    proposed_points: Decimal
    reviewed_by: int
    reviewed_at: dt.datetime
    version: int
    write_uid: int
    write_date: dt.datetime


class Line(ModelSQL, ModelView):
    "Review line: one indicator of a case"
    __name__ = 'laisui.review.line'

    _pending = {'readonly': Eval('state') != 'pending'}

    case = fields.Many2One('laisui.review.case', "Case", required=True,
        readonly=True, ondelete='CASCADE')
    applicant = fields.Function(fields.Many2One('laisui.applicant',
            "Applicant"), 'get_applicant', searcher='search_applicant')
    indicator = fields.Many2One('laisui.points.indicator', "Indicator",
        required=True, readonly=True, ondelete='RESTRICT')
    department = fields.Many2One('laisui.department', "Department",
        readonly=True, ondelete='RESTRICT')
    sequence = fields.Integer("Sequence", readonly=True)
    facts = fields.Text("Declared Facts", readonly=True)
    declared_points = fields.Numeric("Declared Points", digits=(16, 2),
        readonly=True)
    comparison = fields.Selection(COMPARISONS, "Comparison", readonly=True,
        required=True)
    comparison_string = comparison.translated('comparison')
    verified_points = fields.Numeric("Points from External Data",
        digits=(16, 2), readonly=True)
    evidence = fields.Text("External Evidence", readonly=True,
        help="The external records the comparison used.")
    state = fields.Selection(STATES, "State", required=True, readonly=True)
    state_string = state.translated('state')
    proposed_points = fields.Numeric("Adjusted Points", digits=(16, 2),
        states=_pending,
        help="The points to give when adjusting.")
    reason = fields.Text("Reason", states=_pending)
    points = fields.Numeric("Confirmed Points", digits=(16, 2),
        readonly=True)
    reviewed_by = fields.Many2One('res.user', "Reviewed By", readonly=True)
    reviewed_at = fields.Timestamp("Reviewed At", readonly=True)
    version = fields.Integer("Version", readonly=True,
        help="Counts decisions; a batch sheet carries it to refuse stale "
        "rows.")

    del _pending

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('case', 'DESC'), ('sequence', 'ASC'), ('id', 'ASC')]
        cls._sql_indexes.update({
                Index(t, (t.case, Index.Equality())),
                Index(t, (t.department, Index.Equality()),
                    (t.state, Index.Equality())),
                })
        pending = Eval('state') != 'pending'
        cls._buttons.update({
                'confirm': {'invisible': pending, 'depends': ['state']},
                'adjust': {'invisible': pending, 'depends': ['state']},
                'request_correction': {
                    'invisible': pending, 'depends': ['state']},
                })

    @classmethod
    def default_state(cls):
        return 'pending'

    @classmethod
    def default_comparison(cls):
        return 'not_compared'

    @classmethod
    def default_version(cls):
        return 1

    def get_rec_name(self, name):
        return f'{self.case.rec_name} {self.indicator.name}'

    def get_applicant(self, name):
        return self.case.applicant.id

    @classmethod
    def search_applicant(cls, name, clause):
        return [('case.applicant',) + tuple(clause[1:])]

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        # People only propose: every effective change goes through decide.
        if external and mode == 'write' and (
                set(values) - PROPOSAL_FIELDS
                or any(l.state != 'pending' for l in lines)):
            raise DecisionError(gettext('laisui_review.msg_line_readonly'))
        if external and mode == 'delete':
            raise DecisionError(gettext('laisui_review.msg_line_readonly'))
        # A proposal is part of the decision: whoever may decide it now.
        if external and mode == 'write':
            Task = Pool().get('laisui.review.task')
            open_tasks = Task.open_departments({l.case.id for l in lines})
            user = Transaction().user
            for line in lines:
                line.check_stage(open_tasks, user)

    @classmethod
    def on_write(cls, records, values):
        "Each proposal a person changes is audited, old and new value"
        callbacks = super().on_write(records, values)
        names = sorted(PROPOSAL_FIELDS & set(values))
        if not (Transaction().user and names):
            return callbacks
        entries = []
        for line in records:
            for name in names:
                old, new = (_audit_text(cls, name, getattr(line, name)),
                    _audit_text(cls, name, values[name]))
                if old != new:
                    entries.append({'action': 'write', 'resource': str(line),
                            'from_value': old, 'to_value': new,
                            'detail': name})
        if entries:
            AuditLog = Pool().get('laisui.audit.log')
            callbacks.append(lambda: AuditLog.log_many(entries))
        return callbacks

    @classmethod
    def decide(cls, decisions, versions=None):
        """Apply decisions: a list of Decision, or of (line, decision,
        points, reason), with decision in confirm, adjust, correction.

        `versions` maps line id → the version the person saw; a line
        decided meanwhile gives StateConflictError and nothing changes.
        Returns the lines decided."""
        if not decisions:
            return []
        decisions = [Decision._make(d) for d in decisions]
        ids = [d.line.id for d in decisions]
        if len(set(ids)) != len(ids):
            raise ValueError("a line is decided once per call")
        # Record rules: only lines of the person's departments, also from
        # a wizard, which runs without access checks.
        with check_access():
            guard(cls, cls.browse(ids), ['pending'], parent=_OPEN_CASE)
        return cls._apply(decisions, versions)

    @classmethod
    def _apply(cls, decisions, versions=None):
        "Apply decisions on guarded lines: who may is checked line by line"
        with without_check_access():
            return cls._decide(decisions, versions)

    @classmethod
    def _decide(cls, decisions, versions):
        pool = Pool()
        AuditLog = pool.get('laisui.audit.log')
        Task = pool.get('laisui.review.task')
        transaction = Transaction()
        decisions = [Decision._make(d) for d in decisions]
        ids = [d.line.id for d in decisions]
        # One browse: a sheet of thousands of lines reads their cases in
        # a few queries, not one each.
        lines = {l.id: l for l in cls.browse(ids)}
        case_ids = sorted({l.case.id for l in lines.values()})
        open_tasks = Task.open_departments(case_ids)
        for line in lines.values():
            seen = (versions or {}).get(line.id)
            if seen is not None and seen != line.version:
                raise conflict(line, line.state_string)
            line.check_stage(open_tasks, transaction.user)
        now = clock.now()
        user = transaction.user or None
        rows, entries = [], []
        for decision in decisions:
            line = lines[decision.line.id]
            points, reason = line._checked_decision(
                decision.decision, decision.points, decision.reason)
            state = DECISIONS[decision.decision]
            rows.append(_DecidedRow(id=line.id, state=state, points=points,
                    reason=reason, proposed_points=None, reviewed_by=user,
                    reviewed_at=now, version=(line.version or 0) + 1,
                    write_uid=user, write_date=now))
            entries.append({
                    'action': ('adjust' if decision.decision == 'adjust'
                        else 'state'),
                    'resource': str(line),
                    'from_value': f'pending {line.declared_points}',
                    'to_value': f'{state} {points or ""}'.strip(),
                    'detail': reason,
                    })
        # Every value is checked above: written set-wise, below the ORM.
        bulk_update(cls._table, _DecidedRow._fields[1:], rows)
        forget_cached(cls.__name__)
        AuditLog.log_many(entries)
        Task.lines_decided(case_ids)
        return cls.browse(ids)

    def _checked_decision(self, decision, points, reason):
        "The points and reason to record, or DecisionError"
        reason = (reason or '').strip() or None
        if decision == 'adjust':
            length = min_reason_length()
            if points is None or not reason or len(reason) < length:
                raise DecisionError(gettext(
                        'laisui_review.msg_adjust_reason',
                        line=self.rec_name, length=length))
            points = Decimal(points).quantize(Decimal('0.01'))
            # The same bounds as any adjustment: 0 to the indicator's cap.
            check_points(self.indicator, points)
        elif decision == 'correction':
            if not reason:
                raise DecisionError(gettext(
                        'laisui_review.msg_correction_reason',
                        line=self.rec_name))
            points = None
        else:
            points = self.declared_points
        return points, reason

    def check_stage(self, open_tasks, user_id):
        """A line is decided by its department while the case waits for
        it, or by the desk that holds the case."""
        pool = Pool()
        User = pool.get('res.user')
        case = self.case
        stage = case.stage
        if stage.kind == 'department':
            if (case.id, self.department.id if self.department else None
                    ) in open_tasks:
                # Record rules let district staff read every line; the
                # decision is the owning department's alone.
                if user_id and self.department not in (
                        User(user_id).laisui_departments):
                    raise DecisionError(gettext(
                            'laisui_review.msg_line_department',
                            line=self.rec_name,
                            department=self.department.name))
                return
        elif stage.kind == 'task':
            if user_id:
                case.check_responsible(user_id)
            return
        raise DecisionError(gettext('laisui_review.msg_line_stage',
                line=self.rec_name, stage=stage.name))

    @classmethod
    def confirm_matched(cls, lines):
        "The comparison matched: confirmed without people, still audited"
        AuditLog = Pool().get('laisui.audit.log')
        now = clock.now()
        for line in lines:
            line.state = 'confirmed'
            line.points = line.declared_points
            line.reviewed_at = now
            line.reviewed_by = None
            line.version = (line.version or 0) + 1
        cls.save(lines)
        AuditLog.log_many([{
                    'action': 'state', 'resource': str(l),
                    'from_value': 'pending',
                    'to_value': f'confirmed {l.points}',
                    'detail': '自动比对一致',
                    } for l in lines])

    @classmethod
    def reopen(cls, lines):
        "The applicant corrected: review the lines again"
        cls.write(lines, {'state': 'pending', 'points': None,
                'comparison': 'not_compared'})
        for line in lines:
            line.version = (line.version or 0) + 1
        cls.save(lines)

    # The buttons sit on each row of the list, but a click may send every
    # checked row and the server cannot tell which one was clicked: a
    # button decides one line only. Many lines go by the batch sheet.
    @classmethod
    @state_guard('pending', parent=_OPEN_CASE)
    @ModelView.button
    def confirm(cls, lines):
        cls._apply([Decision(l, 'confirm', None, l.reason)
                for l in _one(lines)])

    @classmethod
    @state_guard('pending', parent=_OPEN_CASE)
    @ModelView.button
    def adjust(cls, lines):
        cls._apply([Decision(l, 'adjust', l.proposed_points, l.reason)
                for l in _one(lines)])

    @classmethod
    @state_guard('pending', parent=_OPEN_CASE)
    @ModelView.button
    def request_correction(cls, lines):
        cls._apply([Decision(l, 'correction', None, l.reason)
                for l in _one(lines)])


def _one(lines):
    "The lines of a button click, or DecisionError for more than one"
    if len(lines) > 1:
        raise DecisionError(gettext('laisui_review.msg_line_one_at_a_time',
                count=len(lines)))
    return lines


def _audit_text(Model, name, value):
    "A field value as the audit log shows it: numbers at their digits"
    field = Model._fields[name]
    if value is not None and isinstance(field, fields.Numeric):
        value = Decimal(value).quantize(
            Decimal(1).scaleb(-field.digits[1]))
    return value
