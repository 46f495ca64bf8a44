# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Failed sign-ins of staff and applicants, counted without conflicts.

trytond's LoginAttempt.add() deletes every expired row before inserting its
own: sign-ins failing at the same moment then delete the same rows, and
under PostgreSQL's repeatable read all but one end in a serialization
failure, retried five times and then answered 500 (16 clients sending
wrong passwords: scripts/bench/load.py). Here add() only inserts; a cron
job removes the expired rows every ten minutes. The counts only look at
the rows of the window, so the rows waiting for it change nothing."""
from sql.aggregate import Count

from trytond.model import Index
from trytond.pool import PoolMeta
from trytond.transaction import Transaction


class AttemptMixin:
    __slots__ = ()

    @classmethod
    def add(cls, login, device_cookie=None):
        ip_address, ip_network = Transaction().remote_address()
        cls.create([{
                    'login': login[:cls.login.size],
                    'device_cookie': device_cookie,
                    'ip_address': str(ip_address) if ip_address else None,
                    'ip_network': str(ip_network) if ip_network else None,
                    }])

    @classmethod
    def purge_expired(cls):
        "Cron: remove the attempts past [session] timeout"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.delete(where=table.create_date < cls.delay()))


class LoginAttempt(AttemptMixin, metaclass=PoolMeta):
    __name__ = 'res.user.login.attempt'


class WebUserAuthenticateAttempt(AttemptMixin, metaclass=PoolMeta):
    __name__ = 'web.user.authenticate.attempt'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # Every portal sign-in counts by login, address and network: one
        # range scan each (trytond declares no index on the table).
        cls._sql_indexes.update({
                Index(t, (t.login, Index.Equality(cardinality='high')),
                    (t.create_date, Index.Range())),
                Index(t, (t.ip_address, Index.Equality()),
                    (t.create_date, Index.Range())),
                Index(t, (t.ip_network, Index.Equality()),
                    (t.create_date, Index.Range())),
                Index(t, (t.create_date, Index.Range())),
                })

    @classmethod
    def count_ip_address(cls):
        "Failures of the client's own address within the window"
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        table = cls.__table__()
        ip_address, _ = transaction.remote_address()
        ip_address = str(ip_address) if ip_address else None
        cursor.execute(*table.select(Count(),
                where=(table.ip_address == ip_address)
                & (table.create_date >= cls.delay())))
        return cursor.fetchone()[0]


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection += [
            ('res.user.login.attempt|purge_expired',
                "Purge Expired Staff Login Attempts"),
            ('web.user.authenticate.attempt|purge_expired',
                "Purge Expired Portal Sign-in Attempts"),
            ]
