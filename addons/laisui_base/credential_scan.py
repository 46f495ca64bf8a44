# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The scan log: every online verification of a credential token, with
its result, the channel and the client's network (never its full
address: a verifier is anybody holding the paper).

Rows are only inserted, below the ORM, and set-wise: a verification
appends its row to the transaction's pending scans, written in one
statement when the transaction commits (or when it reads the log). With
the lookup of the number, a verification costs one round trip to the
database beside the signature check; a venue checking a batch of tokens
writes their rows at once.
"""
import ipaddress

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from . import clock
from .audit import AppendOnlyMixin, request_info
from .bulk import bulk_insert
from .credential import RESULTS
from .exceptions import AuditLogError

CHANNELS = ['online', 'api']
# The network kept of a client address: the host part is dropped.
PREFIXES = {4: 24, 6: 48}
COLUMNS = ['create_uid', 'create_date', 'timestamp', 'credential', 'result',
    'channel', 'address']
# (backend, table): the SQL of the lookup of a number
_LOOKUPS = {}


class _PendingScans:
    "The scan rows of one transaction, inserted before it commits"

    def __init__(self, table):
        self.table = table
        self.rows = []

    def __eq__(self, other):
        return isinstance(other, _PendingScans) and other.table == self.table

    def __hash__(self):
        return hash((_PendingScans, self.table))

    def flush(self):
        rows, self.rows = self.rows, []
        bulk_insert(self.table, COLUMNS, rows)

    def tpc_begin(self, transaction):
        pass

    def commit(self, transaction):
        self.flush()

    def tpc_vote(self, transaction):
        pass

    def tpc_finish(self, transaction):
        pass

    def tpc_abort(self, transaction):
        self.rows = []


def masked_address(address):
    "203.0.113.7 → 203.0.113.0/24; None for no or a bad address"
    try:
        address = ipaddress.ip_address(address or '')
    except ValueError:
        return None
    return str(ipaddress.ip_network(address).supernet(
            new_prefix=PREFIXES[address.version]))


class CredentialScan(AppendOnlyMixin, ModelSQL, ModelView):
    "Credential Scan"
    __name__ = 'laisui.credential.scan'

    timestamp = fields.Timestamp("Timestamp", readonly=True)
    credential = fields.Many2One('laisui.credential', "Credential",
        readonly=True, ondelete='RESTRICT')
    result = fields.Selection([
            ('valid', "Valid"),
            ('expired', "Expired"),
            ('revoked', "Revoked"),
            ('forged', "Invalid"),
            ('unknown', "Unknown"),
            ], "Result", required=True, readonly=True)
    channel = fields.Selection([
            ('online', "Web Page"),
            ('api', "API"),
            ], "Channel", required=True, readonly=True)
    address = fields.Char("Client Network", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('id', 'DESC')]
        cls._sql_indexes.update({
                Index(t, (t.credential, Index.Equality())),
                Index(t, (t.timestamp, Index.Range())),
                })

    @classmethod
    def _pending(cls):
        return Transaction().join(_PendingScans(cls._table))

    @classmethod
    def flush(cls):
        "Write the transaction's pending rows: the log is read after"
        cls._pending().flush()

    @classmethod
    def search(cls, *args, **kwargs):
        cls.flush()
        return super().search(*args, **kwargs)

    @classmethod
    def read(cls, ids, fields_names):
        cls.flush()
        return super().read(ids, fields_names)

    @classmethod
    def log(cls, credential_id, result, channel):
        "Append one row to the transaction's pending scans"
        if result not in RESULTS or channel not in CHANNELS:
            raise ValueError(f'scan result {result}, channel {channel}')
        now = clock.now()
        cls._pending().rows.append((0, now, now, credential_id, result,
                channel, masked_address(request_info()[0])))

    @classmethod
    def log_issued(cls, number, token, expired, channel):
        """(result, credential id or None) of a token whose signature is
        good, from the credential of its number: none issued, not the
        token issued (only a leaked key signs one), revoked, past its
        expiry (expired, from the token), else valid; logged"""
        Credential = Pool().get('laisui.credential')
        key = (backend.name, Credential._table)
        if key not in _LOOKUPS:
            # Made once a process: the value only makes the placeholder;
            # a number is unique.
            table = Credential.__table__()
            _LOOKUPS[key], _ = tuple(table.select(
                    table.id, table.token, table.revoked_at,
                    where=table.number == ''))
        cursor = Transaction().connection.cursor()
        cursor.execute(_LOOKUPS[key], [number])
        row = cursor.fetchone()
        credential_id = None
        if not row:
            result = 'unknown'
        elif row[1] != token:
            result = 'forged'
        else:
            credential_id = row[0]
            result = ('revoked' if row[2] is not None
                else 'expired' if expired else 'valid')
        cls.log(credential_id, result, channel)
        return result, credential_id

    @classmethod
    def create(cls, vlist):
        raise AuditLogError(gettext('laisui_base.msg_audit_append_only'))

