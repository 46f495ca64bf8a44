# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Idempotency-Key: a POST retried with the same key gets the first
answer again instead of being done twice.

The key is the client's, so that two clients cannot collide; the request
it was first used with is kept as a digest (method, path, body), and a key
sent again with another request is refused. Answers are kept KEEP.
"""
import datetime as dt
import hashlib

from trytond.model import Index, ModelSQL, Unique, fields
from trytond.modules.laisui_base import clock
from trytond.transaction import Transaction

KEEP = dt.timedelta(hours=24)
MAX_KEY_LENGTH = 255


def request_digest(method, path, body):
    digest = hashlib.sha256()
    for part in [method.encode(), path.encode(), body]:
        digest.update(len(part).to_bytes(8, 'big'))
        digest.update(part)
    return digest.hexdigest()


class Idempotency(ModelSQL):
    "API idempotency key"
    __name__ = 'laisui.api.idempotency'

    client = fields.Many2One('laisui.api.client', "Client", required=True,
        ondelete='CASCADE')
    key = fields.Char("Key", required=True)
    request_digest = fields.Char("Request Digest", required=True)
    status = fields.Integer("Status", required=True)
    body = fields.Binary("Body")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('client_key_unique', Unique(t, t.client, t.key),
                'laisui_api.msg_idempotency_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.create_date, Index.Range())))

    @classmethod
    def find(cls, client, key):
        records = cls.search([
                ('client', '=', client.id),
                ('key', '=', key),
                ('create_date', '>=', clock.now() - KEEP),
                ], limit=1)
        return records[0] if records else None

    @classmethod
    def remember(cls, client, key, digest, status, body):
        cls.create([{
                    'client': client.id,
                    'key': key,
                    'request_digest': digest,
                    'status': status,
                    'body': body,
                    }])

    @classmethod
    def purge(cls):
        "Drop the answers older than KEEP (cron)"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.delete(
                where=table.create_date < clock.now() - KEEP))
