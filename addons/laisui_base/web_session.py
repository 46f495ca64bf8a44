# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Portal sessions, opened without deleting anybody else's.

web_user's UserSession.add() deletes every expired session before it
creates one: when the application window opens, parents signing in at the
same moment delete the same expired sessions, and under PostgreSQL's
repeatable read all but one end in a serialization failure (retried, then
answered 500). Here add() only creates; a cron job removes the expired
sessions, which the portal refuses meanwhile (PortalRequest)."""
import datetime as dt

from sql.conditionals import Coalesce

from trytond.pool import PoolMeta
from trytond.transaction import Transaction

from .portal import SESSION_MAX_AGE


class WebUserSession(metaclass=PoolMeta):
    __name__ = 'web.user.session'

    @classmethod
    def add(cls, user):
        session = cls(user=user)
        session.save()
        return session.key

    @property
    def seconds_left(self):
        """Seconds before the portal ends the session if it stays unused:
        the idle or the absolute limit, whichever comes first
        (PortalRequest._load_session)"""
        now = dt.datetime.now()
        left = min(self.timeout() - (now - self.last_modified_at),
            SESSION_MAX_AGE - (now - self.create_date))
        return max(int(left.total_seconds()), 0)

    @classmethod
    def purge_expired(cls):
        "Cron: remove the sessions unused for [session] web_timeout"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        # The clock of the `expired` property (SQLite cannot subtract an
        # interval from CURRENT_TIMESTAMP).
        cursor.execute(*table.delete(
                where=Coalesce(table.write_date, table.create_date)
                < dt.datetime.now() - cls.timeout()))


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('web.user.session|purge_expired',
                "Purge Expired Portal Sessions"))
