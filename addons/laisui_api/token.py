# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""OAuth 2 client credentials (RFC 6749 §4.4) with JWT access tokens
(RFC 9068), through Authlib.

This server is both the authorization server and the only resource server
of its tokens, so they are signed with HMAC-SHA256 under a key derived
from ``laisui.secret`` (HKDF): nothing to publish, and a database dump
without the configuration's secret cannot mint tokens. A token lives
TOKEN_LIFETIME; every call also reads its client, so that a deactivated
client or a withdrawn scope stops working before its tokens expire.
"""
import json
from collections import defaultdict

from authlib.oauth2 import rfc6749
from authlib.oauth2.rfc6749 import (
    ClientMixin, OAuth2Payload, OAuth2Request)
from authlib.oauth2.rfc6749.errors import InvalidScopeError
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc9068 import (
    JWTBearerTokenGenerator, JWTBearerTokenValidator)
from joserfc.jwk import OctKey

from trytond.pool import Pool
from trytond.protocols.wrappers import Response

ISSUER = 'laisui'
AUDIENCE = 'laisui-api-v1'
TOKEN_LIFETIME = 600
ALGORITHM = 'HS256'


def signing_key():
    return OctKey.import_key(
        Pool().get('laisui.secret').derive(b'laisui-api-token'))


class _Payload(OAuth2Payload):
    def __init__(self, request):
        self._request = request

    @property
    def data(self):
        return self._request.form

    @property
    def datalist(self):
        values = defaultdict(list)
        for key in self._request.form:
            values[key].extend(self._request.form.getlist(key))
        return values


class _Request(OAuth2Request):
    "A werkzeug request as Authlib reads it"

    def __init__(self, request):
        super().__init__(request.method, request.url,
            headers=request.headers)
        self._request = request
        self.payload = _Payload(request)

    @property
    def args(self):
        return self._request.args

    @property
    def form(self):
        return self._request.form


class _Client(ClientMixin):
    "A laisui.api.client as Authlib asks it"

    def __init__(self, record):
        self.record = record

    def get_client_id(self):
        return self.record.client_id

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        requested = scope.split() if scope else []
        allowed = self.record.allowed_scopes(requested)
        if allowed is None:
            raise InvalidScopeError()
        return ' '.join(allowed)

    def check_redirect_uri(self, redirect_uri):
        return False

    def check_client_secret(self, client_secret):
        Client = Pool().get('laisui.api.client')
        return bool(self.record.active and Client.authenticate(
                self.record.client_id, client_secret))

    def check_endpoint_auth_method(self, method, endpoint):
        return method in {'client_secret_basic', 'client_secret_post'}

    def check_response_type(self, response_type):
        return False

    def check_grant_type(self, grant_type):
        return grant_type == 'client_credentials'


class _Grant(ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post']


class _Generator(JWTBearerTokenGenerator):
    def get_jwks(self):
        return signing_key()

    def get_audiences(self, client, user, scope):
        return AUDIENCE


class Validator(JWTBearerTokenValidator):
    def __init__(self):
        super().__init__(ISSUER, AUDIENCE)

    def get_jwks(self):
        return signing_key()

    def authenticate_token(self, token_string):
        claims = super().authenticate_token(token_string)
        # RFC 9068 §4: only access tokens, never another JWT of ours.
        if claims.header.get('typ', '').lower() not in {
                'at+jwt', 'application/at+jwt'}:
            return None
        if claims.header.get('alg') != ALGORITHM:
            return None
        return claims


class AuthorizationServer(rfc6749.AuthorizationServer):
    "The token endpoint of the API"

    def __init__(self, on_client=None):
        super().__init__()
        self.on_client = on_client
        self.register_grant(_Grant)
        self.register_token_generator('default', _Generator(ISSUER,
                alg=ALGORITHM,
                expires_generator=lambda client, grant_type: TOKEN_LIFETIME))

    def query_client(self, client_id):
        Client = Pool().get('laisui.api.client')
        clients = Client.search([('client_id', '=', client_id)], limit=1)
        return _Client(clients[0]) if clients else None

    def save_token(self, token, request):
        # A JWT is its own record: nothing to store.
        pass

    def send_signal(self, name, *args, **kwargs):
        if name == 'after_authenticate_client' and self.on_client:
            self.on_client(kwargs['client'].record)

    def create_oauth2_request(self, request):
        return _Request(request)

    def create_json_request(self, request):
        raise NotImplementedError

    def handle_response(self, status, body, headers):
        if isinstance(body, dict):
            body = json.dumps(body)
        return Response(body, status=status, headers=headers,
            content_type='application/json')
