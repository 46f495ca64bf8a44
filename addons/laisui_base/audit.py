# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Append-only audit log.

Tryton's _history keeps row snapshots but not reads, exports, IP or
failures; this table records them. Rows are only ever inserted: the ORM
refuses write, delete and copy for everybody (root included) and a database
trigger refuses UPDATE and DELETE from any SQL too.
"""
import contextlib
import uuid

from trytond import backend
from trytond.cache import BaseCache
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from . import clock
from .bulk import bulk_insert
from .exceptions import AuditLogError
from .identity import mask_text

_TRIGGERS = {
    'postgresql': [
        'CREATE OR REPLACE FUNCTION laisui_audit_refuse() RETURNS trigger '
        "AS $$ BEGIN RAISE EXCEPTION 'laisui_audit_log is append-only'; "
        'END $$ LANGUAGE plpgsql',
        'DROP TRIGGER IF EXISTS laisui_audit_append_only '
        'ON laisui_audit_log',
        'CREATE TRIGGER laisui_audit_append_only '
        'BEFORE UPDATE OR DELETE ON laisui_audit_log '
        'FOR EACH ROW EXECUTE FUNCTION laisui_audit_refuse()',
        ],
    'sqlite': [
        'CREATE TRIGGER IF NOT EXISTS laisui_audit_no_update '
        'BEFORE UPDATE ON laisui_audit_log BEGIN '
        "SELECT RAISE(ABORT, 'laisui_audit_log is append-only'); END",
        'CREATE TRIGGER IF NOT EXISTS laisui_audit_no_delete '
        'BEFORE DELETE ON laisui_audit_log BEGIN '
        "SELECT RAISE(ABORT, 'laisui_audit_log is append-only'); END",
        ],
    }

_COLUMNS = ('timestamp', 'user', 'web_user', 'action', 'resource',
    'from_value', 'to_value', 'detail', 'success', 'ip_address',
    'request_id')


@contextlib.contextmanager
def _writable():
    """Where an entry is written: the current transaction, or one of its
    own when that is read-only (a read over RPC or REST audited as a bulk
    read). PostgreSQL refuses any INSERT in a read-only transaction."""
    transaction = Transaction()
    if not transaction.readonly:
        yield
        return
    with transaction.new_transaction() as own:
        yield
        own.commit()


# Each portal request carries its id and user in the context
# (portal_route): they must not be part of the cache keys, or every cache
# keyed on the context (triggers, languages, access rights...) would miss
# on every request.
BaseCache.context_ignored_keys.update({
        'laisui_request_id', 'laisui_web_user'})


def request_info():
    "Remote address and request id of the current transaction"
    context = Transaction().context
    request = context.get('_request') or {}
    return request.get('remote_addr'), context.get('laisui_request_id')


class AppendOnlyMixin:
    "Rows that are inserted, then never changed, deleted or copied"
    __slots__ = ()

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


class AuditLog(AppendOnlyMixin, ModelSQL, ModelView):
    "Audit log entry"
    __name__ = 'laisui.audit.log'

    timestamp = fields.Timestamp("Timestamp", readonly=True)
    user = fields.Many2One('res.user', "Staff User", readonly=True)
    web_user = fields.Many2One('web.user', "Portal User", readonly=True)
    action = fields.Selection([
            ('state', "State Change"),
            ('create', "Create"),
            ('write', "Modify"),
            ('delete', "Delete"),
            ('adjust', "Adjustment"),
            ('export', "Export"),
            ('unmask', "Unmask"),
            ('login', "Login"),
            ('login_failed', "Failed Login"),
            ('logout', "Logout"),
            ('register', "Registration"),
            ('password_reset', "Password Reset"),
            ('password_change', "Password Change"),
            ('grant', "Role Granted"),
            ('revoke', "Role Revoked"),
            ('security_config', "Security Configuration"),
            ('bulk_read', "Bulk Read"),
            ('access_denied', "Access Denied"),
            ('upload', "Upload"),
            ('quarantine', "Quarantine"),
            ], "Action", readonly=True, required=True)
    resource = fields.Char("Resource", readonly=True)
    from_value = fields.Char("From", readonly=True)
    to_value = fields.Char("To", readonly=True)
    detail = fields.Text("Detail", readonly=True)
    success = fields.Boolean("Success", readonly=True)
    ip_address = fields.Char("IP Address", readonly=True)
    request_id = fields.Char("Request ID", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('id', 'DESC')]
        cls._sql_indexes.update({
                Index(t, (t.resource, Index.Equality())),
                Index(t, (t.timestamp, Index.Range())),
                })

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        cursor = Transaction().connection.cursor()
        for statement in _TRIGGERS.get(backend.name, []):
            cursor.execute(statement)

    @classmethod
    def log(cls, action, resource=None, from_value=None, to_value=None,
            detail=None, success=True, web_user=None):
        "Append one entry; masks ID and phone numbers in the free text"
        values = cls._entry_values([dict(
                    action=action, resource=resource, from_value=from_value,
                    to_value=to_value, detail=detail, success=success,
                    web_user=web_user)])
        with _writable():
            transaction = Transaction()
            with transaction.set_context(_laisui_audit_insert=True), \
                    transaction.set_user(0):
                return cls.create(values)

    @classmethod
    def log_many(cls, entries):
        """Append entries set-wise: a batch sheet logs thousands of
        decisions, and the ORM's per-row work would cost more than them."""
        values = cls._entry_values(entries)
        actions = {a for a, _ in cls.action.selection}
        if any(v['action'] not in actions for v in values):
            raise ValueError("unknown audit action")
        columns = list(_COLUMNS)
        now = clock.now()
        with _writable():
            bulk_insert(cls._table, columns + ['create_uid', 'create_date'],
                [[v[c] for c in columns] + [0, now] for v in values])

    @classmethod
    def _entry_values(cls, entries):
        transaction = Transaction()
        ip_address, request_id = request_info()
        request_id = request_id or uuid.uuid4().hex
        user = transaction.user or None
        timestamp = clock.now()
        # Set by the portal for the signed-in applicant's requests
        portal_user = transaction.context.get('laisui_web_user')
        values = []
        for entry in entries:
            web_user = entry.get('web_user') or portal_user
            resource = entry.get('resource')
            values.append({
                    'timestamp': timestamp,
                    'user': user,
                    'web_user': getattr(web_user, 'id', web_user),
                    'action': entry['action'],
                    'resource': str(resource) if resource else None,
                    'from_value': _text(entry.get('from_value')),
                    'to_value': _text(entry.get('to_value')),
                    'detail': _text(entry.get('detail')),
                    'success': entry.get('success', True),
                    'ip_address': ip_address,
                    'request_id': request_id,
                    })
        return values

    @classmethod
    def create(cls, vlist):
        if not Transaction().context.get('_laisui_audit_insert'):
            raise AuditLogError(gettext('laisui_base.msg_audit_append_only'))
        return super().create(vlist)


class AuditedChangesMixin:
    """Every change a person makes to the model's records is audited: which
    record, which fields, by whom. For configuration whose edits change
    rights or decisions; module updates (the server itself, user 0) are
    deployments, not people's changes."""
    __slots__ = ()
    _audit_action = 'write'

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        if Transaction().user and mode in {'create', 'write'}:
            cls._audit_changes(mode,
                [(str(r), r.rec_name) for r in records], field_names)

    @classmethod
    def on_delete(cls, records):
        callbacks = super().on_delete(records)
        if Transaction().user:
            names = [(str(r), r.rec_name) for r in records]
            callbacks.append(
                lambda: cls._audit_changes('delete', names, None))
        return callbacks

    @classmethod
    def _audit_changes(cls, mode, names, field_names):
        detail = mode
        if field_names:
            detail += ': ' + ', '.join(sorted(field_names))
        Pool().get('laisui.audit.log').log_many([{
                    'action': cls._audit_action,
                    'resource': resource,
                    'to_value': name,
                    'detail': detail,
                    } for resource, name in names])


def _text(value):
    if value is None:
        return None
    return mask_text(str(value))
