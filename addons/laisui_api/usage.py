# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Per-client rate limits: requests counted per client and minute.

The count is written in its own transaction, committed before the call
runs: a call that fails still counts, and every server process sees the
same count (an in-process counter would give each worker its own limit).
One INSERT … ON CONFLICT per call, so that two first calls of a minute
cannot both insert.
"""
import datetime as dt

from sql import Conflict, Literal

from trytond.model import Index, ModelSQL, Unique, fields
from trytond.modules.laisui_base import clock
from trytond.transaction import Transaction

WINDOW = dt.timedelta(minutes=1)
# Windows kept for the usage statistics before the cron drops them.
KEEP = dt.timedelta(days=7)


def window_start(timestamp):
    return timestamp.replace(second=0, microsecond=0)


class Usage(ModelSQL):
    "API usage"
    __name__ = 'laisui.api.usage'

    client = fields.Many2One('laisui.api.client', "Client", required=True,
        ondelete='CASCADE')
    window = fields.Timestamp("Minute", required=True)
    count = fields.Integer("Requests", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('client_window_unique', Unique(t, t.client, t.window),
                'laisui_api.msg_usage_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.window, Index.Range())))

    @classmethod
    def hit(cls, client_id):
        """Count one request of the client: (count in the window, seconds
        until the window ends), committed at once"""
        now = clock.now()
        window = window_start(now)
        with Transaction().new_transaction() as transaction:
            table = cls.__table__()
            cursor = transaction.connection.cursor()
            cursor.execute(*table.insert(
                    [table.client, table.window, table.count,
                        table.create_uid, table.create_date],
                    [[client_id, window, Literal(1), Literal(0), now]],
                    on_conflict=Conflict(table,
                        indexed_columns=[table.client, table.window],
                        columns=[table.count],
                        values=[table.count + 1])))
            # Not RETURNING: SQLite refuses the alias python-sql gives it.
            cursor.execute(*table.select(table.count,
                    where=(table.client == client_id)
                    & (table.window == window)))
            count, = cursor.fetchone()
            transaction.commit()
        reset = (window + WINDOW - now).total_seconds()
        return count, max(int(reset + 0.999), 1)

    @classmethod
    def purge(cls):
        "Drop the windows older than KEEP (cron)"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.delete(
                where=table.window < clock.now() - KEEP))
