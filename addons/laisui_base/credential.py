# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Signed credentials (电子凭证): admission notices, service vouchers,
points certificates... each a record with a signed token (its QR code)
that the public page or anybody offline verifies.

Higher modules add their kind and its number prefix in ``__setup__``::

    cls.kind.selection.append(('service_voucher', "Service Voucher"))
    cls._number_prefixes['service_voucher'] = 'FW'

their document model to ``_get_documents`` (and the model of their
holders to ``_get_holders``), then call ``issue`` and
``revoke``. The claims are what the public page shows of the credential:
the caller masks what is personal (names, ID numbers) before.
"""
import datetime as dt
import json

from cryptography.exceptions import InvalidSignature
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import clock, credential_token
from .exceptions import CredentialError
from .identity import mask_name
from .state_guard import guard

RESULTS = ['valid', 'expired', 'revoked', 'forged', 'unknown']
_EPOCH = dt.datetime(1970, 1, 1)


def unix(timestamp):
    "A naive UTC timestamp as Unix seconds"
    return int((timestamp - _EPOCH).total_seconds())


def end_of_day(date):
    "The first instant after date in Guangzhou, as naive UTC"
    start = dt.datetime.combine(date + dt.timedelta(days=1), dt.time(),
        tzinfo=clock.LOCAL_TZ)
    return start.astimezone(dt.timezone.utc).replace(tzinfo=None)


class Credential(ModelSQL, ModelView):
    "Credential"
    __name__ = 'laisui.credential'
    _rec_name = 'number'

    number = fields.Char("Number", required=True, readonly=True)
    kind = fields.Selection([
            ('certificate', "Certificate"),
            ], "Kind", required=True, readonly=True)
    holder = fields.Reference("Holder", selection='get_holders',
        required=True, readonly=True)
    document = fields.Reference("Document", selection='get_documents',
        readonly=True)
    title = fields.Char("Title", required=True, readonly=True)
    claims = fields.Text("Claims", readonly=True,
        help="What the public page shows, as JSON: label and value.")
    issued_at = fields.Timestamp("Issued At", required=True, readonly=True)
    expires_at = fields.Timestamp("Expires At", readonly=True,
        help="Valid until this instant (excluded); empty for never.")
    revoked_at = fields.Timestamp("Revoked At", readonly=True)
    revoked_by = fields.Many2One('res.user', "Revoked By", readonly=True)
    revocation_reason = fields.Text("Revocation Reason", readonly=True)
    token = fields.Char("Token", required=True, readonly=True, strip=False)
    state = fields.Function(fields.Selection([
                ('valid', "Valid"),
                ('expired', "Expired"),
                ('revoked', "Revoked"),
                ], "State"), 'get_state', searcher='search_state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('number_unique', Unique(t, t.number),
                'laisui_base.msg_credential_number_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.document, Index.Equality())),
                Index(t, (t.holder, Index.Equality())),
                })
        cls._order = [('issued_at', 'DESC'), ('id', 'DESC')]
        # kind → prefix of its numbers; higher modules add theirs.
        cls._number_prefixes = {'certificate': 'ZM'}
        cls._buttons.update({
                'revoke_wizard': {
                    'invisible': Eval('state') == 'revoked',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def _get_holders(cls):
        "Models of the persons credentials are issued to (they have a name)"
        return ['party.party']

    @classmethod
    def get_holders(cls):
        IrModel = Pool().get('ir.model')
        return [(m, IrModel.get_name(m)) for m in cls._get_holders()]

    @classmethod
    def _get_documents(cls):
        "Models a credential may be about"
        return ['party.party']

    @classmethod
    def get_documents(cls):
        IrModel = Pool().get('ir.model')
        return [(None, '')] + [(m, IrModel.get_name(m))
            for m in cls._get_documents()]

    @property
    def claims_list(self):
        "The claims as (label, value) pairs, in their order"
        return [tuple(pair) for pair in json.loads(self.claims or '[]')]

    @property
    def holder_masked(self):
        return mask_name(self.holder.name)

    @property
    def verification_path(self):
        "The portal path of the public page of this credential"
        return '/verify/' + self.token

    def get_state(self, name):
        if self.revoked_at:
            return 'revoked'
        if self.expires_at and self.expires_at <= clock.now():
            return 'expired'
        return 'valid'

    @classmethod
    def search_state(cls, name, clause):
        _, operator, value = clause
        now = clock.now()
        domains = {
            'revoked': [('revoked_at', '!=', None)],
            'expired': [('revoked_at', '=', None),
                ('expires_at', '!=', None), ('expires_at', '<=', now)],
            'valid': [('revoked_at', '=', None), ['OR',
                    ('expires_at', '=', None), ('expires_at', '>', now)]],
            }
        values = value if isinstance(value, (list, tuple)) else [value]
        if operator in {'=', 'in'}:
            chosen = [s for s in domains if s in values]
        elif operator in {'!=', 'not in'}:
            chosen = [s for s in domains if s not in values]
        else:
            raise ValueError(f"state {operator} not supported")
        return ['OR'] + [domains[s] for s in chosen] if chosen else [
            ('id', '=', None)]

    # Issue ---------------------------------------------------------------
    @classmethod
    def issue(cls, kind, holder, document, title, claims, expires_at=None):
        """A new signed credential of kind for holder (a record of
        _get_holders: a party, an applicant), about document (a record or
        None); claims: (label, value) pairs or
        a dict, shown as given on the public page. expires_at: a naive
        UTC datetime (valid before it), a date (valid through that day in
        Guangzhou) or None (never expires)."""
        pool = Pool()
        Sequence = pool.get('ir.sequence')
        ModelData = pool.get('ir.model.data')
        Key = pool.get('laisui.credential.key')
        Secret = pool.get('laisui.secret')
        AuditLog = pool.get('laisui.audit.log')
        if kind not in cls._number_prefixes:
            raise ValueError(f"unknown credential kind {kind!r}")
        if isinstance(expires_at, dt.datetime):
            expires_at = expires_at.replace(microsecond=0)
        elif isinstance(expires_at, dt.date):
            expires_at = end_of_day(expires_at)
        issued_at = clock.now().replace(microsecond=0)
        if isinstance(claims, dict):
            claims = claims.items()
        claims = [[str(label), str(value)] for label, value in claims]
        # The year of the number is Guangzhou's, of the issue.
        with Transaction().set_context(date=clock.to_local(issued_at).date()):
            number = cls._number_prefixes[kind] + Sequence(ModelData.get_id(
                    'laisui_base', 'sequence_credential')).get()
        kid, key = Key.signing_key()
        payload = {
            'v': credential_token.VERSION, 'kid': kid, 'number': number,
            'kind': kind, 'issued': unix(issued_at),
            'sub': Secret.digest('credential-subject', str(holder))[:16],
            }
        if expires_at:
            payload['expires'] = unix(expires_at)
        with Transaction().set_context(_check_access=False):
            credential, = cls.create([{
                        'number': number,
                        'kind': kind,
                        'holder': str(holder),
                        'document': str(document) if document else None,
                        'title': title,
                        'claims': json.dumps(claims, ensure_ascii=False),
                        'issued_at': issued_at,
                        'expires_at': expires_at,
                        'token': credential_token.encode(payload, key.sign),
                        }])
        AuditLog.log('create', resource=credential, to_value=number,
            detail=f'credential issued: {kind}')
        return credential

    # Revoke --------------------------------------------------------------
    @classmethod
    @ModelView.button_action('laisui_base.wizard_credential_revoke')
    def revoke_wizard(cls, credentials):
        pass

    @classmethod
    def revoke(cls, credentials, reason):
        """Revoke credentials for reason (required), as the current user;
        StateConflictError for one revoked already"""
        AuditLog = Pool().get('laisui.audit.log')
        reason = (reason or '').strip()
        if not reason:
            raise CredentialError(
                gettext('laisui_base.msg_credential_revoke_reason'))
        credentials = guard(cls, credentials, ('valid', 'expired'))
        if not credentials:
            return
        states = {c.id: c.state for c in credentials}
        user = Transaction().user or None
        with Transaction().set_context(_check_access=False):
            cls.write(credentials, {
                    'revoked_at': clock.now(),
                    'revoked_by': user,
                    'revocation_reason': reason,
                    })
        AuditLog.log_many([{
                    'action': 'state', 'resource': c,
                    'from_value': states[c.id], 'to_value': 'revoked',
                    'detail': reason,
                    } for c in credentials])

    # Verify --------------------------------------------------------------
    @classmethod
    def verify(cls, token, channel='api'):
        """(result, credential or None) for token, result one of RESULTS;
        logged in the scan log. Lean: the key from the process cache, one
        statement that looks the number up; the scan row is written with
        the transaction's others when it commits."""
        pool = Pool()
        Key = pool.get('laisui.credential.key')
        Scan = pool.get('laisui.credential.scan')
        try:
            payload, data, signature = credential_token.decode(token)
            public_key = Key.public_key_of(payload['kid'])
            if public_key:
                public_key.verify(signature, data)
                expires = payload.get('expires')
                expired = expires is not None and unix(clock.now()) >= expires
                result, id_ = Scan.log_issued(
                    payload['number'], token, expired, channel)
                return result, cls(id_) if id_ else None
        except (credential_token.Malformed, InvalidSignature):
            pass
        Scan.log(None, 'forged', channel)
        return 'forged', None

    @classmethod
    def delete(cls, credentials):
        # A credential on paper stays verifiable: revoke it instead.
        if credentials:
            raise CredentialError(
                gettext('laisui_base.msg_credential_delete'))

    @classmethod
    def copy(cls, credentials, default=None):
        if credentials:
            raise CredentialError(
                gettext('laisui_base.msg_credential_delete'))
        return []


class CredentialRevokeStart(ModelView):
    "Revoke Credential"
    __name__ = 'laisui.credential.revoke.start'

    reason = fields.Text("Reason", required=True)


class CredentialRevoke(Wizard):
    "Revoke Credential"
    __name__ = 'laisui.credential.revoke'

    start = StateView('laisui.credential.revoke.start',
        'laisui_base.credential_revoke_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Revoke", 'revoke', 'tryton-ok', default=True),
            ])
    revoke = StateTransition()

    def transition_revoke(self):
        self.model.revoke(self.records, self.start.reason)
        return 'end'
