# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Short-lived tokens that let one staff member's browser tab open a page
about one record outside sao (a form's preview).

sao keeps its session to itself, so a button grants the page a token for
one person and one record. Only its digest is stored; it ends after a few
minutes and is worth nothing for another record or once the person is
deactivated.
"""
import datetime as dt
import hashlib
import secrets

from trytond.model import Index, ModelSQL, fields
from trytond.transaction import Transaction

from . import clock

MAX_TOKEN = 100


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


class AccessGrant(ModelSQL):
    "Access grant: lets one person's page open one record for a while"
    __name__ = 'laisui.access.grant'

    resource = fields.Char("Resource", required=True)
    user = fields.Many2One('res.user', "User", required=True,
        ondelete='CASCADE')
    token_digest = fields.Char("Token Digest", required=True, strip=False)
    expires_at = fields.Timestamp("Expires At", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.token_digest, Index.Equality())))

    @classmethod
    def issue(cls, resource, minutes):
        "A new token for the current user on resource ('model,id')"
        token = secrets.token_urlsafe(32)
        now = clock.now()
        # Expired grants are useless: drop them while here.
        cls.delete(cls.search([('expires_at', '<', now)]))
        cls.create([{
                    'resource': resource,
                    'user': Transaction().user,
                    'token_digest': _digest(token),
                    'expires_at': now + dt.timedelta(minutes=minutes),
                    }])
        return token

    @classmethod
    def user_for(cls, resource, token):
        "The active user the token was granted to for resource, or None"
        if not isinstance(token, str) or not token or (
                len(token) > MAX_TOKEN) or not token.isascii():
            return None
        grants = cls.search([
                ('token_digest', '=', _digest(token)),
                ('resource', '=', resource),
                ('expires_at', '>', clock.now()),
                ], limit=1)
        if grants and grants[0].user.active:
            return grants[0].user
        return None
