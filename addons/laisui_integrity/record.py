# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Literal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.audit_diff import (
    AuditedWritesMixin, audit_text, diff_entry)
from trytond.modules.laisui_base.state_guard import state_guard
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import IntegrityDeleteError, DecisionError
from .min_lengths import min_length
from .policy import KINDS

STATES = [
    ('reported', "Reported"),
    ('confirmed', "Confirmed"),
    ('dismissed', "Dismissed"),
    ]
# What the reporter found: fixed once reported. The decider writes the
# note; the buttons write the decision.
FINDINGS = {'applicant', 'kind', 'origin', 'evidence', 'description'}


class Record(AuditedWritesMixin, ModelSQL, ModelView):
    """Integrity record (诚信记录)

    A report of false or forged material. A district admin confirms it,
    which bars the applicant by the policy of its kind, or dismisses it.
    The document concerned (`origin`) is told of each change through its
    `integrity_changed(record)` method when it has one: a review case
    suspends itself while a record is reported.

    sao writes every widget of a form back before a save, and a selection
    widget being refilled shows its first option (其他失信行为 in zh_CN): the
    findings a person's save sends for a saved record are therefore not
    written, only audited.
    """
    __name__ = 'laisui.integrity.record'
    _rec_name = 'number'
    # Decisions have entries of their own.
    _audit_diff_skip = frozenset({'state'})

    _readonly = Eval('id', -1) >= 0

    number = fields.Char("Number", readonly=True)
    applicant = fields.Many2One('laisui.applicant', "Applicant",
        required=True, ondelete='RESTRICT', states={'readonly': _readonly})
    kind = fields.Selection(KINDS, "Kind", required=True,
        states={'readonly': _readonly})
    kind_string = kind.translated('kind')
    origin = fields.Reference("Concerned", selection='get_origin',
        states={'readonly': _readonly},
        help="The application, review line or fact the material was for.")
    evidence = fields.Many2One('laisui.evidence', "Material",
        ondelete='RESTRICT',
        domain=[('applicant', '=', Eval('applicant', -1))],
        states={'readonly': _readonly})
    description = fields.Text("Findings", required=True,
        states={'readonly': _readonly},
        help="Internal: never shown to the applicant.")
    reported_by = fields.Many2One('res.user', "Reported By", readonly=True)
    report_date = fields.Timestamp("Reported On", readonly=True)
    state = fields.Selection(STATES, "State", readonly=True, required=True,
        sort=False)
    state_string = state.translated('state')
    decided_by = fields.Many2One('res.user', "Decided By", readonly=True)
    decision_date = fields.Timestamp("Decided On", readonly=True)
    decision_note = fields.Text("Decision Note",
        states={'readonly': Eval('state') != 'reported'},
        help="Internal: never shown to the applicant.")
    entries = fields.One2Many(
        'laisui.integrity.blacklist', 'record', "Blacklist Entries",
        readonly=True)

    del _readonly

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('report_date', 'DESC'), ('id', 'DESC')]
        cls._sql_indexes.update({
                Index(t, (t.applicant, Index.Equality())),
                Index(t, (t.state, Index.Equality()),
                    where=t.state == Literal('reported')),
                })
        cls._buttons.update({
                'confirm': {
                    'invisible': Eval('state') != 'reported',
                    'depends': ['state'],
                    },
                'dismiss': {
                    'invisible': Eval('state') != 'reported',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'reported'

    @classmethod
    def default_reported_by(cls):
        return Transaction().user or None

    @classmethod
    def default_report_date(cls):
        return clock.now()

    @classmethod
    def _get_origin(cls):
        "Models a record may concern; review and admission add theirs"
        return ['laisui.fact', 'laisui.evidence']

    @classmethod
    def get_origin(cls):
        IrModel = Pool().get('ir.model')
        return [(None, '')] + [(m, IrModel.get_name(m))
            for m in cls._get_origin()]

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Sequence = pool.get('ir.sequence')
        ModelData = pool.get('ir.model.data')
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            values['number'] = Sequence(ModelData.get_id(
                    'laisui_integrity', 'sequence_record')).get()
            # Who and when come from the server, never from the client.
            values['reported_by'] = Transaction().user or None
            values['report_date'] = clock.now()
            values['state'] = 'reported'
        return values

    @classmethod
    def write(cls, *args):
        transaction = Transaction()
        if transaction.user and transaction.check_access:
            args = cls._without_findings(args)
        super().write(*args)

    @classmethod
    def _without_findings(cls, args):
        """The write of a person without the findings of reported records,
        each finding that would have changed audited as not written"""
        AuditLog = Pool().get('laisui.audit.log')
        result, entries = [], []
        actions = iter(args)
        for records, values in zip(actions, actions):
            if any(r.state != 'reported' for r in records):
                # Refused as a whole by check_modification.
                result.extend([records, values])
                continue
            for record in records:
                for name in sorted(FINDINGS & set(values)):
                    field = cls._fields[name]
                    old = audit_text(field, getattr(record, name))
                    new = audit_text(field, values[name])
                    if old != new:
                        entries.append(diff_entry(
                                record, name, old, new, success=False))
            result.extend([records, {k: v for k, v in values.items()
                        if k not in FINDINGS}])
        AuditLog.log_many(entries)
        return result

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if not external or mode != 'write':
            return
        for record in records:
            if record.state != 'reported':
                raise DecisionError(gettext(
                        'laisui_integrity.msg_record_decided',
                        record=record.number, state=record.state_string))
        if set(values) - FINDINGS - {'decision_note'}:
            raise DecisionError(gettext(
                    'laisui_integrity.msg_record_note_only',
                    record=', '.join(r.number for r in records)))

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names)
        if mode == 'create':
            Pool().get('laisui.audit.log').log_many([{
                        'action': 'create',
                        'resource': str(r),
                        'to_value': 'reported',
                        'detail': f'{r.number} {r.kind} {r.applicant}',
                        } for r in records])
            cls._tell_origins(records)

    @classmethod
    def _tell_origins(cls, records):
        for record in records:
            changed = getattr(record.origin, 'integrity_changed', None)
            if changed:
                changed(record)

    @classmethod
    def _decide(cls, records, state):
        AuditLog = Pool().get('laisui.audit.log')
        cls.write(records, {
                'state': state,
                'decided_by': Transaction().user or None,
                'decision_date': clock.now(),
                })
        AuditLog.log_many([{
                    'action': 'state',
                    'resource': str(r),
                    'from_value': 'reported',
                    'to_value': state,
                    'detail': r.decision_note,
                    } for r in records])

    @classmethod
    @state_guard('reported')
    @ModelView.button
    def confirm(cls, records):
        Entry = Pool().get('laisui.integrity.blacklist')
        cls._decide(records, 'confirmed')
        Entry.create_from_records(records)
        cls._tell_origins(records)

    @classmethod
    @state_guard('reported')
    @ModelView.button
    def dismiss(cls, records):
        length = min_length('min_dismiss_note_length')
        for record in records:
            if len((record.decision_note or '').strip()) < length:
                raise DecisionError(gettext(
                        'laisui_integrity.msg_dismiss_note',
                        record=record.number, length=length))
        cls._decide(records, 'dismissed')
        cls._tell_origins(records)

    @classmethod
    def pending(cls, origin):
        "Whether a reported record holds the document `origin`"
        with Transaction().set_context(_check_access=False):
            return bool(cls.search([
                        ('origin', '=', str(origin)),
                        ('state', '=', 'reported'),
                        ], limit=1))

    @classmethod
    def delete(cls, records):
        AuditLog = Pool().get('laisui.audit.log')
        cls.lock(records)
        for record in cls.browse(list(map(int, records))):
            if record.state != 'reported':
                raise IntegrityDeleteError(gettext(
                        'laisui_integrity.msg_record_delete',
                        record=record.number, state=record.state_string))
        AuditLog.log_many([{
                    'action': 'state',
                    'resource': str(r),
                    'from_value': 'reported',
                    'to_value': 'deleted',
                    'detail': r.number,
                    } for r in records])
        super().delete(records)

    @classmethod
    def copy(cls, records, default=None):
        default = dict(default or {})
        for name in ['entries', 'decided_by', 'decision_date',
                'decision_note']:
            default.setdefault(name, None)
        return super().copy(records, default=default)

