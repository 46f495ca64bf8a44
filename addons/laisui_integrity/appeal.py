# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.state_guard import state_guard
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import AppealError, DecisionError, IntegrityDeleteError
from .min_lengths import min_length

STATES = [
    ('pending', "Pending"),
    ('upheld', "Upheld"),
    ('lifted', "Lifted"),
    ]


class Appeal(ModelSQL, ModelView):
    """Appeal against a blacklist entry (申诉)

    One per entry. A district admin upholds the entry or lifts it; the
    reply is shown to the applicant.
    """
    __name__ = 'laisui.integrity.appeal'

    entry = fields.Many2One('laisui.integrity.blacklist', "Blacklist Entry",
        required=True, ondelete='RESTRICT',
        states={'readonly': Eval('id', -1) >= 0})
    applicant = fields.Many2One('laisui.applicant', "Applicant",
        readonly=True, ondelete='RESTRICT')
    statement = fields.Text("Statement", required=True,
        states={'readonly': Eval('id', -1) >= 0},
        help="The applicant's grounds.")
    evidence = fields.Many2One('laisui.evidence', "Evidence",
        ondelete='RESTRICT',
        domain=[('applicant', '=', Eval('applicant', -1))],
        states={'readonly': Eval('id', -1) >= 0})
    lodged_date = fields.Timestamp("Lodged On", readonly=True)
    state = fields.Selection(STATES, "State", readonly=True, required=True)
    state_string = state.translated('state')
    reply = fields.Text("Reply",
        states={'readonly': Eval('state') != 'pending'},
        help="Shown to the applicant.")
    decided_by = fields.Many2One('res.user', "Decided By", readonly=True)
    decision_date = fields.Timestamp("Decided On", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('lodged_date', 'DESC'), ('id', 'DESC')]
        cls._sql_constraints += [
            ('entry_unique', Unique(t, t.entry),
                'laisui_integrity.msg_appeal_once'),
            ]
        cls._sql_indexes.add(Index(t, (t.applicant, Index.Equality())))
        cls._buttons.update({
                'uphold': {
                    'invisible': Eval('state') != 'pending',
                    'depends': ['state'],
                    },
                'lift': {
                    'invisible': Eval('state') != 'pending',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'pending'

    def get_rec_name(self, name):
        return self.entry.rec_name

    @classmethod
    def preprocess_values(cls, mode, values):
        Entry = Pool().get('laisui.integrity.blacklist')
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            entry = Entry(values['entry'])
            values['applicant'] = entry.applicant.id
            values['lodged_date'] = clock.now()
            values['state'] = 'pending'
        return values

    @classmethod
    def validate_fields(cls, appeals, field_names):
        super().validate_fields(appeals, field_names)
        for appeal in appeals:
            if appeal.state == 'pending':
                cls._check_entry(appeal.entry)
            cls._check_statement(appeal.statement)

    @classmethod
    def _check_entry(cls, entry):
        if entry.state != 'active' or entry.end_date < clock.today():
            raise AppealError(gettext(
                    'laisui_integrity.msg_appeal_entry_ended'))

    @classmethod
    def _check_statement(cls, statement):
        length = min_length('min_appeal_statement_length')
        if len((statement or '').strip()) < length:
            raise AppealError(gettext(
                    'laisui_integrity.msg_appeal_statement', length=length))

    @classmethod
    def lodge(cls, entry, statement, evidence=None):
        "Appeal from the portal, once per entry"
        if cls.search([('entry', '=', entry.id)], limit=1):
            raise AppealError(gettext('laisui_integrity.msg_appeal_once'))
        cls._check_entry(entry)
        cls._check_statement(statement)
        appeal, = cls.create([{
                    'entry': entry.id,
                    'statement': statement,
                    'evidence': evidence.id if evidence else None,
                    }])
        return appeal

    @classmethod
    def on_modification(cls, mode, appeals, field_names=None):
        super().on_modification(mode, appeals, field_names)
        if mode == 'create':
            Pool().get('laisui.audit.log').log_many([{
                        'action': 'create',
                        'resource': str(a),
                        'to_value': 'pending',
                        'detail': str(a.entry),
                        } for a in appeals])

    @classmethod
    def _decide(cls, appeals, state):
        pool = Pool()
        AuditLog = pool.get('laisui.audit.log')
        Entry = pool.get('laisui.integrity.blacklist')
        length = min_length('min_appeal_reply_length')
        for appeal in appeals:
            if len((appeal.reply or '').strip()) < length:
                raise DecisionError(gettext(
                        'laisui_integrity.msg_appeal_reply', length=length))
        cls.write(appeals, {
                'state': state,
                'decided_by': Transaction().user or None,
                'decision_date': clock.now(),
                })
        AuditLog.log_many([{
                    'action': 'state',
                    'resource': str(a),
                    'from_value': 'pending',
                    'to_value': state,
                    'detail': a.reply,
                    } for a in appeals])
        entries = [a.entry for a in appeals]
        if state == 'lifted':
            Entry.lift(entries)
        Entry.notify(entries, 'integrity_appeal_decided',
            result=dict(cls.fields_get(['state'])['state']['selection'])[
                state])

    @classmethod
    @state_guard('pending')
    @ModelView.button
    def uphold(cls, appeals):
        cls._decide(appeals, 'upheld')

    @classmethod
    @state_guard('pending')
    @ModelView.button
    def lift(cls, appeals):
        cls._decide(appeals, 'lifted')

    @classmethod
    def delete(cls, appeals):
        if appeals:
            raise IntegrityDeleteError(gettext(
                    'laisui_integrity.msg_appeal_delete'))
        super().delete(appeals)
