# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The one guard of every button that moves records out of a state.

Two people may click at once. Every state-changing button is written::

    @classmethod
    @state_guard('open')
    @ModelView.button
    @Workflow.transition('done')        # where the model has one
    def close(cls, records):

The guard comes first, above Tryton's button checks: for a click on a
record that moved on meanwhile those only say that the button cannot be
called, the guard says who got there first. Code that changes state
without a button calls guard() itself, once, and then the same body.
"""
import functools

from sql import For, Literal
from sql.operators import In

from trytond import backend
from trytond.i18n import gettext
from trytond.transaction import Transaction

from .exceptions import StateConflictError


def state_guard(*states, parent=None, error=None):
    """Decorate a button that moves records out of `states`.

    parent: (field name, states) of a record to lock first, for records
    whose change is also a change of that record (a case's lines).
    error: error(record) for a record that left `states`, an exception
    clearer than the generic conflict for some states, or None.
    """
    def decorator(func):
        @functools.wraps(func)
        def wrapper(cls, records, *args, **kwargs):
            records = guard(cls, records, states, parent=parent,
                error=error)
            return func(cls, records, *args, **kwargs)
        return wrapper
    return decorator


def guard(Model, records, states, parent=None, error=None):
    """The records locked, fresh and all in one of `states`, else
    StateConflictError (or error(record)); see state_guard."""
    transaction = Transaction()
    if transaction.user and transaction.check_access:
        # Record rules first: no state of an unreadable record leaks.
        Model.read([r.id for r in records], ['id'])
    if parent:
        name, parent_states = parent
        Parent = Model._fields[name].get_target()
        # Always the parent first: two people changing different children
        # of one parent must not both miss the other's change.
        lock_in_state(Parent, sorted({getattr(r, name).id for r in records}),
            parent_states)
    records = lock_in_state(Model, records, states, error=error)
    check_timestamps(Model, records)
    return records


def lock_in_state(Model, records, states, error=None):
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
    lock_rows(Model, ids)
    with Transaction().set_context(_check_access=False):
        moved = Model.search([
                ('id', 'in', ids),
                ('state', 'not in', list(states)),
                ], limit=1)
        if moved:
            record, = Model.browse(moved)
            raise (error and error(record)) or _conflict(Model, record)
    # The lock may have waited: forget values cached before it.
    return Model.browse(ids)


def lock_rows(Model, ids):
    """Lock the rows of ids, waiting for a concurrent transaction (see
    lock_in_state): for a change that only one may make at a time"""
    table = Model.__table__()
    cursor = Transaction().connection.cursor()
    if backend.name == 'sqlite':
        cursor.execute(*table.update(
                [table.id], [table.id], where=In(table.id, ids)))
    else:
        cursor.execute(*table.select(Literal(1),
                where=In(table.id, ids), for_=For('UPDATE')))


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
            raise _conflict(Model, record)
    # Checked once, as Tryton's own write does: the transaction's own
    # later writes must not look like somebody else's.
    for record in stale:
        sent.pop(str(record), None)


def conflict(record, state):
    "The StateConflictError of a record found in another state"
    return StateConflictError(gettext('laisui_base.msg_state_conflict',
            record=record.rec_name, state=state))


def _conflict(Model, record):
    states = dict(Model.fields_get(['state'])['state']['selection'])
    return conflict(record, states.get(record.state, record.state))
