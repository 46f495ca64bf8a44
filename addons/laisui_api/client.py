# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The outside systems that call the API (OAuth 2 confidential clients).

A client authenticates with its id and a secret that the server shows
once, at its making, and keeps only as a keyed digest: a random secret
of 256 bits needs no slow hash. Each client acts as its own technical
user, which has no password and no group: what a call may do comes from
the scopes of its token (scope.py). Deactivating a client refuses its
tokens at once, as every call reads it for its rate limit.
"""
import hmac
import secrets

from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields)
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.audit_diff import AuditedDiffMixin
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

# Requests a minute: a client paging through every statement at the
# benchmark's rate stays well inside; a runaway loop does not.
DEFAULT_RATE_LIMIT = 600


class Client(AuditedDiffMixin, DeactivableMixin, ModelSQL, ModelView):
    "API client"
    __name__ = 'laisui.api.client'

    name = fields.Char("Name", required=True,
        help="The outside system, as the district knows it.")
    client_id = fields.Char("Client ID", required=True, readonly=True)
    # Keyed SHA-256 of the secret (laisui.secret); no client reads it.
    secret_digest = fields.Char("Secret Digest", readonly=True,
        loading='lazy')
    secret_set_at = fields.Timestamp("Secret Made At", readonly=True)
    user = fields.Many2One('res.user', "Technical User", readonly=True,
        ondelete='RESTRICT',
        help="Who the client's calls act as, in the records and the audit "
        "log.")
    scopes = fields.Many2Many('laisui.api.client-laisui.api.scope',
        'client', 'scope', "Scopes",
        help="What the client may ask a token for.")
    rate_limit = fields.Integer("Requests per Minute", required=True)
    contact = fields.Char("Contact",
        help="Who answers for the outside system.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('client_id_unique', Unique(t, t.client_id),
                'laisui_api.msg_client_id_unique'),
            ]
        cls._buttons.update({
                'new_secret': {'readonly': ~Eval('active', True)},
                })

    @classmethod
    def default_client_id(cls):
        return 'lsc_' + secrets.token_urlsafe(12)

    @classmethod
    def default_rate_limit(cls):
        return DEFAULT_RATE_LIMIT

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        User = pool.get('res.user')
        vlist = [v.copy() for v in vlist]
        client_id = cls.default_client_id
        for values in vlist:
            values.setdefault('client_id', client_id())
        with Transaction().set_user(0):
            users = User.create([{
                        'name': f"API: {v['name']}",
                        'login': f"api.{v['client_id']}",
                        'menu': None,
                        } for v in vlist])
        for values, user in zip(vlist, users):
            values['user'] = user.id
        return super().create(vlist)

    @classmethod
    def copy(cls, clients, default=None):
        default = default.copy() if default else {}
        # Another system, with its own id, user and secret.
        for name in ['client_id', 'user', 'secret_digest', 'secret_set_at']:
            default.setdefault(name, None)
        return super().copy(clients, default=default)

    @classmethod
    @ModelView.button_action('laisui_api.wizard_new_secret')
    def new_secret(cls, clients):
        pass

    def make_secret(self):
        "A new secret for the client, returned once, its digest kept"
        Secret = Pool().get('laisui.secret')
        secret = secrets.token_urlsafe(32)
        self.secret_digest = Secret.digest('api-client', self.client_id,
            secret)
        self.secret_set_at = clock.now()
        self.save()
        return secret

    @classmethod
    def authenticate(cls, client_id, secret):
        "The active client of id and secret, or None"
        Secret = Pool().get('laisui.secret')
        clients = cls.search([('client_id', '=', client_id or '')], limit=1)
        # One digest computed whether the id exists or not.
        digest = Secret.digest('api-client', client_id, secret or '')
        if not clients or not clients[0].secret_digest:
            return None
        client, = clients
        if hmac.compare_digest(digest, client.secret_digest):
            return client
        return None

    def allowed_scopes(self, requested):
        """The codes of `requested` (all of the client's for none) that
        the client may have; None when it asks for one it may not"""
        mine = {s.code for s in self.scopes}
        if not requested:
            return sorted(mine)
        if set(requested) - mine:
            return None
        return sorted(set(requested))


class ClientScope(ModelSQL):
    "API client - scope"
    __name__ = 'laisui.api.client-laisui.api.scope'

    client = fields.Many2One('laisui.api.client', "Client", required=True,
        ondelete='CASCADE')
    scope = fields.Many2One('laisui.api.scope', "Scope", required=True,
        ondelete='CASCADE')


class SecretShow(ModelView):
    "API client secret"
    __name__ = 'laisui.api.client.secret'

    client_id = fields.Char("Client ID", readonly=True)
    secret = fields.Char("Client Secret", readonly=True,
        help="Shown this once: give it to the outside system now. A new "
        "secret replaces it.")


class NewSecret(Wizard):
    "Make a new client secret"
    __name__ = 'laisui.api.client.new_secret'
    start_state = 'make'

    make = StateTransition()
    show = StateView('laisui.api.client.secret',
        'laisui_api.client_secret_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def transition_make(self):
        AuditLog = Pool().get('laisui.audit.log')
        client = self.record
        self._secret = client.make_secret()
        AuditLog.log('security_config', resource=str(client),
            detail=f'{client.client_id}: new secret')
        return 'show'

    def default_show(self, fields):
        return {
            'client_id': self.record.client_id,
            'secret': self._secret,
            }
