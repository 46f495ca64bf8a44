# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The scan log: every online verification of a credential token, with
its result, the channel and the client's network (never its full
address: a verifier is anybody holding the paper).

Written below the ORM, in one statement a verification, its SQL made once
a process: verify() must stay close to the raw signature check (python-sql
and a second round trip to the database would cost as much). Rows are
only inserted.
"""
import ipaddress

from sql import Flavor

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from . import clock
from .audit import AppendOnlyMixin, request_info
from .credential import RESULTS
from .exceptions import AuditLogError

CHANNELS = ['online', 'api']
# The network kept of a client address: the host part is dropped.
PREFIXES = {4: 24, 6: 48}
# (backend, table): the SQL of the insert
_INSERTS = {}
# (backend, table): the SQL of the lookup of a signed token with its insert
_ISSUED = {}
# The result of a token with a good signature, from the credential of its
# number (c): none issued, not the token issued (only a leaked key signs
# one), revoked, past its expiry (computed from the token), else valid.
_ISSUED_SQL = (
    'WITH c AS (SELECT id, token, revoked_at FROM "{credential}" '
    'WHERE number = {p} LIMIT 1) '
    'INSERT INTO "{scan}" (create_uid, create_date, "timestamp", '
    'credential, result, channel, address) '
    'SELECT 0, {p}, {p}, CASE WHEN c.token = {p} THEN c.id END, '
    "CASE WHEN c.id IS NULL THEN 'unknown' "
    "WHEN c.token <> {p} THEN 'forged' "
    "WHEN c.revoked_at IS NOT NULL THEN 'revoked' "
    "WHEN {p} THEN 'expired' ELSE 'valid' END, {p}, {p} "
    'FROM (SELECT 1) AS one LEFT JOIN c ON 1 = 1 '
    'RETURNING result, credential')


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
    def log(cls, credential, result, channel):
        "Append one row, in one INSERT"
        assert result in RESULTS and channel in CHANNELS
        key = (backend.name, cls._table)
        if key not in _INSERTS:
            table = cls.__table__()
            # Made once a process: the values only make placeholders.
            _INSERTS[key], _ = tuple(table.insert(
                    [table.create_uid, table.create_date, table.timestamp,
                        table.credential, table.result, table.channel,
                        table.address], [[0] * 7]))
        now = clock.now()
        Transaction().connection.cursor().execute(_INSERTS[key], [
                0, now, now, credential.id if credential else None,
                result, channel, masked_address(request_info()[0])])

    @classmethod
    def log_issued(cls, number, token, expired, channel):
        """(result, credential id or None) of a token whose signature is
        good, its scan row written: one statement, one round trip"""
        Credential = Pool().get('laisui.credential')
        key = (backend.name, cls._table)
        if key not in _ISSUED:
            _ISSUED[key] = _ISSUED_SQL.format(credential=Credential._table,
                scan=cls._table, p=Flavor.get().param)
        now = clock.now()
        cursor = Transaction().connection.cursor()
        cursor.execute(_ISSUED[key], [number, now, now, token, token,
                bool(expired), channel, masked_address(request_info()[0])])
        return tuple(cursor.fetchone())

    @classmethod
    def create(cls, vlist):
        raise AuditLogError(gettext('laisui_base.msg_audit_append_only'))

