# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Corrections of who an applicant is (更正姓名、身份证号码).

The name and ID number identify the applicant to every department and
decide age points: the applicant cannot change them, only ask. The request
says what they should be and why, with a scan if there is one; a window
clerk or district reviewer approves it, which changes the applicant (and
the name of their party), or rejects it with a reply. One open request per
applicant; every step audited, numbers and names masked.
"""
from sql.operators import Equal

from trytond.i18n import gettext
from trytond.model import Exclude, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.exceptions import IdNumberError
from trytond.modules.laisui_base.identity import mask_id_number, mask_name
from trytond.modules.laisui_base.state_guard import state_guard
from trytond.modules.laisui_base.validation import checked_id_number
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .exceptions import IdentityCorrectionError

STATES = [
    ('requested', "Requested"),
    ('approved', "Approved"),
    ('rejected', "Rejected"),
    ]
# A name as registration takes it (laisui_base.routes.register).
NAME_LENGTH = (2, 30)
REASON_MIN_LENGTH = 4


class IdentityCorrection(Workflow, ModelSQL, ModelView):
    "Identity correction request (身份信息更正申请)"
    __name__ = 'laisui.applicant.identity_correction'

    applicant = fields.Many2One('laisui.applicant', "Applicant",
        required=True, readonly=True, ondelete='CASCADE')
    # Masked: what the request changes, not a second copy of the number.
    name_before = fields.Char("Name Before", readonly=True)
    id_number_before = fields.Char("ID Number Before", readonly=True)
    requested_name = fields.Char("Requested Name", readonly=True,
        help="Empty: the name stays as it is.")
    # Lazy and read by no client, as the applicant's own number.
    requested_id_number = fields.Char("Requested ID Number", readonly=True,
        loading='lazy')
    requested_id_number_masked = fields.Function(
        fields.Char("Requested ID Number",
            help="Empty: the ID number stays as it is."),
        'get_requested_id_number_masked')
    reason = fields.Text("Reason", required=True, readonly=True)
    evidence = fields.Many2One('laisui.evidence', "Evidence",
        readonly=True, ondelete='RESTRICT',
        domain=[('applicant', '=', Eval('applicant', -1))],
        help="The scan the applicant sent with the request.")
    state = fields.Selection(STATES, "State", required=True, readonly=True,
        sort=False)
    state_string = state.translated('state')
    reply = fields.Text("Reply",
        states={'readonly': Eval('state') != 'requested'},
        help="Shown to the applicant; required to reject.")
    decided_by = fields.Many2One('res.user', "Decided By", readonly=True)
    decided_at = fields.Timestamp("Decided At", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('id', 'DESC')]
        cls._sql_constraints += [
            # The last guard of "one open request", should two posts race.
            ('applicant_open_exclude', Exclude(t, (t.applicant, Equal),
                    where=t.state == 'requested'),
                'laisui_points.msg_identity_correction_open'),
            ]
        cls._transitions |= {
            ('requested', 'approved'),
            ('requested', 'rejected'),
            }
        cls._buttons.update({
                'approve': {
                    'invisible': Eval('state') != 'requested',
                    'depends': ['state'],
                    },
                'reject': {
                    'invisible': Eval('state') != 'requested',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'requested'

    def get_requested_id_number_masked(self, name):
        return mask_id_number(self.requested_id_number)

    def get_rec_name(self, name):
        return f'{self.applicant.rec_name} #{self.id}'

    # The request -----------------------------------------------------------
    @classmethod
    def request_values(cls, applicant, name, id_number, reason):
        """(values, errors): the values of a request for the applicant and
        {form field: message} of what is wrong with them, all at once.

        A name or number equal to the present one is no change."""
        errors = {}
        name = (name or '').strip()
        if name == applicant.name:
            name = ''
        if name and not NAME_LENGTH[0] <= len(name) <= NAME_LENGTH[1]:
            errors['name'] = gettext('laisui_base.msg_name_invalid')
        number = None
        if (id_number or '').strip():
            try:
                number = checked_id_number(id_number)
            except IdNumberError as e:
                errors['id_number'] = e.message
            else:
                if number == applicant.id_number:
                    number = None
        if not errors and not (name or number):
            errors['name'] = gettext(
                'laisui_points.msg_identity_correction_nothing')
        reason = (reason or '').strip()
        if len(reason) < REASON_MIN_LENGTH:
            errors['reason'] = gettext(
                'laisui_points.msg_identity_correction_reason',
                length=REASON_MIN_LENGTH)
        values = {
            'applicant': applicant.id,
            'name_before': mask_name(applicant.name),
            'id_number_before': mask_id_number(applicant.id_number),
            'requested_name': name or None,
            'requested_id_number': number,
            'reason': reason[:2000],
            }
        return values, errors

    @classmethod
    def open_request(cls, applicant):
        "The applicant's request waiting for a decision, or None"
        requests = cls.search([
                ('applicant', '=', applicant.id),
                ('state', '=', 'requested'),
                ], limit=1)
        return requests[0] if requests else None

    @classmethod
    def request(cls, applicant, name, id_number, reason, evidence=None):
        """The applicant's new request, audited; IdentityCorrectionError
        for the first thing wrong with it or when one is open already"""
        if cls.open_request(applicant):
            raise IdentityCorrectionError(gettext(
                    'laisui_points.msg_identity_correction_open'))
        values, errors = cls.request_values(
            applicant, name, id_number, reason)
        if errors:
            raise IdentityCorrectionError(next(iter(errors.values())))
        record, = cls.create([dict(values,
                    evidence=evidence.id if evidence else None)])
        Pool().get('laisui.audit.log').log('create', resource=record,
            from_value=_identity_text(
                values['name_before'], values['id_number_before']),
            to_value=record.requested_text(), detail=record.reason)
        return record

    def requested_text(self):
        "What the request asks for, masked"
        return _identity_text(
            mask_name(self.requested_name) if self.requested_name else None,
            self.requested_id_number_masked or None)

    @classmethod
    def check_modification(cls, mode, corrections, values=None,
            external=False):
        super().check_modification(
            mode, corrections, values=values, external=external)
        if not external or mode == 'create':
            return
        # People write the reply of an open request; the rest is the
        # applicant's request and its decision, kept as they were.
        for correction in corrections:
            if (mode == 'delete' or correction.state != 'requested'
                    or set(values) - {'reply'}):
                raise AccessError(gettext(
                        'laisui_points.msg_identity_correction_readonly',
                        request=correction.rec_name))

    # The decision ----------------------------------------------------------
    @classmethod
    @state_guard('requested')
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, corrections):
        pool = Pool()
        Applicant = pool.get('laisui.applicant')
        Party = pool.get('party.party')
        for correction in corrections:
            applicant = correction.applicant
            values = {}
            if correction.requested_name:
                values['name'] = correction.requested_name
            number = correction.requested_id_number
            if number:
                with without_check_access():
                    others = Applicant.search([
                            ('id_number', '=', number),
                            ('id', '!=', applicant.id),
                            ], limit=1)
                if others:
                    raise IdentityCorrectionError(gettext(
                            'laisui_points.msg_identity_correction_taken',
                            id_number=mask_id_number(number),
                            applicant=others[0].rec_name))
                values['id_number'] = number
            # The applicant's own write audits the old and new values.
            Applicant.write([applicant], values)
            if 'name' in values:
                parties = {p for p in [applicant.party,
                        applicant.web_user.party if applicant.web_user
                        else None] if p}
                if parties:
                    Party.write(list(parties), {'name': values['name']})
        cls._decide(corrections, 'approved')

    @classmethod
    @state_guard('requested')
    @ModelView.button
    @Workflow.transition('rejected')
    def reject(cls, corrections):
        for correction in corrections:
            if not (correction.reply or '').strip():
                raise IdentityCorrectionError(gettext(
                        'laisui_points.msg_identity_correction_reply',
                        request=correction.rec_name))
        cls._decide(corrections, 'rejected')

    @classmethod
    def _decide(cls, corrections, state):
        AuditLog = Pool().get('laisui.audit.log')
        entries = [{
                'action': 'state',
                'resource': str(c),
                'from_value': c.state,
                'to_value': state,
                'detail': c.requested_text(),
                } for c in corrections]
        cls.write(corrections, {
                'state': state,
                'decided_by': Transaction().user or None,
                'decided_at': clock.now(),
                })
        AuditLog.log_many(entries)


def _identity_text(name, id_number):
    return ' '.join(v for v in [name, id_number] if v) or None
