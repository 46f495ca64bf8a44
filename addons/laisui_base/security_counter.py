# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Repeated security failures, counted instead of logged one by one.

A scanner failing the CSRF check thousands of times would write as many
rows into the append-only audit log. Failures are counted per event,
client address and hour: the first ones of a window are logged at once
as before, the rest only increment a counter, and when the window has
closed a cron writes one audit row with the total and drops the counter.
"""
import datetime as dt

from trytond.model import Index, ModelSQL, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from . import clock
from .audit import request_info

WINDOW = dt.timedelta(hours=1)
# event: (audit action, audit detail, failures logged one by one a window)
EVENTS = {
    'csrf': ('access_denied', 'CSRF', 1),
    'rate_limit': ('access_denied', 'rate limit', 1),
    # Somebody else's record: which one matters, so more are kept.
    'access_denied': ('access_denied', None, 50),
    # A credential token that is not ours (credential_routes).
    'credential_invalid': ('access_denied', 'credential verification', 1),
    }


def window_start(timestamp):
    return timestamp.replace(minute=0, second=0, microsecond=0)


class SecurityCounter(ModelSQL):
    "Security failure counter"
    __name__ = 'laisui.security.counter'

    event = fields.Selection(
        [(e, e) for e in EVENTS], "Event", required=True, readonly=True)
    ip_address = fields.Char("IP Address", readonly=True)
    window = fields.Timestamp("Window", required=True, readonly=True)
    count = fields.Integer("Count", required=True, readonly=True)
    resource = fields.Char("First Resource", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.event, Index.Equality()),
                    (t.ip_address, Index.Equality()),
                    (t.window, Index.Range())),
                })

    @classmethod
    def record(cls, event, resource=None, web_user=None):
        "Count one failure; audit it when it is among the first of its window"
        pool = Pool()
        AuditLog = pool.get('laisui.audit.log')
        action, detail, logged = EVENTS[event]
        ip_address = request_info()[0] or ''
        window = window_start(clock.now())
        counters = cls.search([
                ('event', '=', event),
                ('ip_address', '=', ip_address),
                ('window', '=', window),
                ], limit=1)
        if counters:
            counter, = counters
            count = counter.count + 1
            # In SQL: two requests must not both write the same count
            # (PostgreSQL makes the later one retry).
            table = cls.__table__()
            Transaction().connection.cursor().execute(*table.update(
                    [table.count], [table.count + 1],
                    where=table.id == counter.id))
        else:
            count = 1
            cls.create([{
                        'event': event,
                        'ip_address': ip_address,
                        'window': window,
                        'count': count,
                        'resource': str(resource) if resource else None,
                        }])
        if count <= logged:
            AuditLog.log(action, resource=resource, detail=detail,
                success=False, web_user=web_user)

    @classmethod
    def counted(cls, event):
        "The failures of event counted for the client's address this window"
        counters = cls.search([
                ('event', '=', event),
                ('ip_address', '=', request_info()[0] or ''),
                ('window', '=', window_start(clock.now())),
                ], limit=1)
        return counters[0].count if counters else 0

    @classmethod
    def flush(cls):
        "Cron: one audit row for each closed window, then forget it"
        pool = Pool()
        AuditLog = pool.get('laisui.audit.log')
        transaction = Transaction()
        counters = cls.search([
                ('window', '<', window_start(clock.now())),
                ], order=[('window', 'ASC'), ('id', 'ASC')])
        for counter in counters:
            action, detail, logged = EVENTS[counter.event]
            if counter.count <= logged:
                continue
            end = counter.window + WINDOW
            summary = (
                f"{detail or counter.event} ×{counter.count} "
                f"({counter.window:%Y-%m-%d %H:%M}–{end:%H:%M} UTC; "
                f"first {logged} logged one by one)")
            # The audit row takes its address from the request context.
            with transaction.set_context(
                    _request={'remote_addr': counter.ip_address or None},
                    laisui_request_id=None):
                AuditLog.log(action, resource=counter.resource,
                    detail=summary, success=False)
        cls.delete(counters)


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('laisui.security.counter|flush', "Log Counted Security Failures"))
