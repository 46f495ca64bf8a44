# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""State transitions that two people may attempt at once."""
import functools

from sql import For, Literal
from sql.operators import In

from trytond import backend
from trytond.i18n import gettext
from trytond.transaction import Transaction

from .exceptions import StateConflictError


def lock_in_state(Model, records, states):
    """Lock `records` and return them fresh, all in one of `states`.

    The lock waits for a concurrent transaction instead of failing at
    once (Tryton's lock() uses NOWAIT, which under contention ends in a
    "503 service unavailable" for the loser). On PostgreSQL the wait ends
    in a serialisation failure when the other transaction changed the row;
    the dispatcher retries the call, which then finds the row in its new
    state. SQLite has no row locks and takes its write lock only at the
    first write of a transaction, so a write that changes nothing takes it
    before we read. Either way the loser gets StateConflictError with a
    clear message, never a second write.
    """
    ids = list(map(int, records))
    if not ids:
        return []
    table = Model.__table__()
    cursor = Transaction().connection.cursor()
    if backend.name == 'sqlite':
        cursor.execute(*table.update(
                [table.id], [table.id], where=In(table.id, ids)))
    else:
        cursor.execute(*table.select(Literal(1),
                where=In(table.id, ids), for_=For('UPDATE')))
    with Transaction().set_context(_check_access=False):
        moved = Model.search([
                ('id', 'in', ids),
                ('state', 'not in', list(states)),
                ], limit=1)
        if moved:
            record, = Model.browse(moved)
            state = dict(Model.fields_get(['state'])['state']['selection'])
            raise StateConflictError(gettext(
                    'laisui_base.msg_state_conflict',
                    record=record.rec_name,
                    state=state.get(record.state, record.state)))
    # The lock may have waited: forget values cached before it.
    return Model.browse(ids)


def check_timestamps(Model, records):
    """StateConflictError when a record changed after the person's form
    was read: sao sends the form's timestamps with a button click, and
    they compare as Tryton reads them."""
    transaction = Transaction()
    sent = transaction.timestamp or {}
    stale = [r for r in records if sent.get(str(r))]
    if not stale:
        return
    with transaction.set_context(_check_access=False):
        current = {r['id']: r['_timestamp']
            for r in Model.read([r.id for r in stale], ['_timestamp'])}
    for record in stale:
        if current[record.id] != sent[str(record)]:
            state = dict(Model.fields_get(['state'])['state']['selection'])
            raise StateConflictError(gettext(
                    'laisui_base.msg_state_conflict',
                    record=record.rec_name,
                    state=state.get(record.state, record.state)))
    # Checked once, as Tryton's own write does: the transaction's own
    # later writes must not look like somebody else's.
    for record in stale:
        sent.pop(str(record), None)


def transition(*states):
    """Decorate a ModelView.button that moves records out of `states`.

    It locks the records and fails with StateConflictError when one left
    `states` meanwhile. It runs before Tryton's own button checks, whose
    message for a stale click only says the button cannot be called.
    """
    def decorator(func):
        @functools.wraps(func)
        def wrapper(cls, records, *args, **kwargs):
            transaction = Transaction()
            if transaction.user and transaction.check_access:
                # Record rules first: no state of an unreadable record leaks.
                cls.read([r.id for r in records], ['id'])
            records = lock_in_state(cls, records, states)
            check_timestamps(cls, records)
            return func(cls, records, *args, **kwargs)
        return wrapper
    return decorator
