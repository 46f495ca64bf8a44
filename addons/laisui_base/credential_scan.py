# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The scan log: every online verification of a credential token, with
its result, the channel and the client's network (never its full
address: a verifier is anybody holding the paper).

Written below the ORM, one INSERT a verification: verify() must stay
close to the raw signature check. Rows are only inserted.
"""
import ipaddress

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.transaction import Transaction

from . import clock
from .audit import request_info
from .credential import RESULTS
from .exceptions import AuditLogError

CHANNELS = ['online', 'api']
# The network kept of a client address: the host part is dropped.
PREFIXES = {4: 24, 6: 48}


def masked_address(address):
    "203.0.113.7 → 203.0.113.0/24; None for no or a bad address"
    try:
        address = ipaddress.ip_address(address or '')
    except ValueError:
        return None
    return str(ipaddress.ip_network(address).supernet(
            new_prefix=PREFIXES[address.version]))


class CredentialScan(ModelSQL, ModelView):
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
        table = cls.__table__()
        now = clock.now()
        Transaction().connection.cursor().execute(*table.insert(
                [table.create_uid, table.create_date, table.timestamp,
                    table.credential, table.result, table.channel,
                    table.address],
                [[0, now, now, credential.id if credential else None,
                        result, channel,
                        masked_address(request_info()[0])]]))

    @classmethod
    def create(cls, vlist):
        raise AuditLogError(gettext('laisui_base.msg_audit_append_only'))

    @classmethod
    def write(cls, *args):
        if any(args[::2]):
            raise AuditLogError(gettext('laisui_base.msg_audit_append_only'))

    @classmethod
    def delete(cls, records):
        if records:
            raise AuditLogError(gettext('laisui_base.msg_audit_append_only'))

    @classmethod
    def copy(cls, records, default=None):
        if records:
            raise AuditLogError(gettext('laisui_base.msg_audit_append_only'))
        return []
