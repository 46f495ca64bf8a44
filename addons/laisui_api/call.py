# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""One API call: its token, scope, rate limit, idempotency and audit.

Every resource handler runs inside `api_call`, which

1. reads the bearer token (token.py) and its client: 401 otherwise;
2. checks that the token carries the resource's scope: 403;
3. counts the call against the client's rate limit: 429 with Retry-After;
   every answer carries RateLimit-Limit, -Remaining and -Reset;
4. for a POST, requires an Idempotency-Key and answers a repeat with the
   first answer (idempotency.py);
5. runs the handler as the client's technical user with the groups of the
   token's scopes only (`_groups`), so that access rights, record rules
   and field access decide as for staff;
6. writes one audit entry: client, scope, resource and row count.

Errors are RFC 9457 problem details in zh_CN. Every call, a GET too,
runs in a read-write transaction: its audit entries (and the bulk-read
entries of personal data, personal.py) are written with it.
"""
import functools
import json
import uuid
from http import HTTPStatus

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.protocols.wrappers import Response, abort
from trytond.transaction import Transaction, without_check_access

from .idempotency import MAX_KEY_LENGTH, request_digest
from .token import Validator

MAX_PAGE = 500
DEFAULT_PAGE = 100
# Record ids are 32-bit integers in both backends.
MAX_ID = 2 ** 31 - 1


class Problem(Exception):
    "An answer other than success, as RFC 9457 problem details"

    def __init__(self, status, message, headers=None, **extra):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.extra = extra

    def response(self):
        status = HTTPStatus(self.status)
        body = dict({
                'type': 'about:blank',
                'title': status.phrase,
                'status': status.value,
                'detail': self.message,
                }, **self.extra)
        return json_response(body, status=status.value,
            content_type='application/problem+json', headers=self.headers)


def json_response(body, status=200, content_type='application/json',
        headers=None):
    response = Response(
        json.dumps(body, ensure_ascii=False, separators=(',', ':')),
        status=status, content_type=f'{content_type}; charset=utf-8')
    response.headers['Cache-Control'] = 'no-store'
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def message(msg_id, **values):
    return gettext(f'laisui_api.{msg_id}', **values)


class Call:
    "What a handler gets: the request, the client and its token"

    def __init__(self, request, pool, client, scopes, personal, path_args):
        self.request = request
        self.pool = pool
        self.client = client
        self.scopes = scopes
        # Whether the answers may give names and ID numbers whole
        self.personal = personal
        self.args = path_args
        self.audit = []
        self.digest = None

    def page(self):
        "(after, limit) of a list request; 400 for bad values"
        after = self.integer('after', 0, 0)
        limit = self.integer('limit', DEFAULT_PAGE, 1, MAX_PAGE)
        return after, limit

    def integer(self, name, default, minimum, maximum=MAX_ID):
        "The query parameter `name` as an integer; 400 for a bad value"
        value = self.request.args.get(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or not minimum <= number <= maximum:
            raise Problem(400, message('msg_bad_integer', name=name,
                    minimum=minimum, maximum=maximum))
        return number

    def path_id(self):
        "The record id of the path; 400 unless a positive integer"
        value = self.args['id']
        if not value.isdigit() or not 0 < int(value) <= MAX_ID:
            raise Problem(400, message('msg_bad_id'))
        return int(value)

    def json(self):
        "The request's JSON object; 400 otherwise"
        try:
            body = json.loads(self.request.get_data() or b'null')
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise Problem(400, message('msg_bad_json'))
        return body

    def unmasked(self, resource, count):
        "Audit the whole personal data of `count` rows given out"
        if count:
            self.audit.append({
                    'action': 'unmask',
                    'resource': resource,
                    'to_value': str(count),
                    'detail': f'API {self.client.client_id}',
                    })

    def page_result(self, items, limit):
        "A list answer with its next page's link when there may be one"
        result = {'items': items, 'next': None}
        if len(items) == limit:
            after = items[-1]['id']
            result['next'] = (f'{self.request.base_url}'
                f'?after={after}&limit={limit}')
        return result


def _token(request):
    header = request.headers.get('Authorization', '')
    kind, _, token = header.partition(' ')
    if kind.lower() != 'bearer' or not token.strip():
        return None
    try:
        claims = Validator().authenticate_token(token.strip())
        if claims is None:
            return None
        claims.validate()
    except Exception:
        return None
    return claims


def _refused(status, name, event, resource, headers=None, **values):
    "The refusal to raise, counted as a security failure"
    Pool().get('laisui.security.counter').record(event, resource=resource)
    return Problem(status, message(name, **values), headers=headers)


def api_call(scope, resource_name):
    """Decorate a handler(call) → (body, rows) as an API resource of
    `scope`; `resource_name` names it in the audit log"""
    def decorator(handler):
        @functools.wraps(handler)
        def wrapper(request, pool, **path_args):
            try:
                Client = pool.get('laisui.api.client')
            except KeyError:
                # Routes are global to the process: not this database.
                abort(HTTPStatus.NOT_FOUND)
            request_id = request.headers.get('X-Request-Id') or (
                uuid.uuid4().hex)
            transaction = Transaction()
            with transaction.set_context(language='zh_CN',
                    laisui_request_id=request_id[:64]):
                try:
                    return _run(request, pool, Client, handler, scope,
                        resource_name, path_args)
                except Problem as problem:
                    return problem.response()
        return wrapper
    return decorator


def _run(request, pool, Client, handler, scope, resource_name, path_args):
    Usage = pool.get('laisui.api.usage')
    AuditLog = pool.get('laisui.audit.log')
    transaction = Transaction()
    path = request.path
    unauthorized = {'WWW-Authenticate': 'Bearer realm="laisui"'}
    claims = _token(request)
    clients = Client.search(
        [('client_id', '=', claims['client_id'])], limit=1) if claims else []
    if not clients or not clients[0].user:
        raise _refused(401, 'msg_unauthorized', 'access_denied', path,
            headers=unauthorized)
    client, = clients
    scopes = set((claims.get('scope') or '').split())
    # A scope withdrawn from the client stops its tokens at once.
    scopes &= {s.code for s in client.scopes}
    if scope not in scopes:
        raise _refused(403, 'msg_scope_missing', 'access_denied', path,
            headers={'WWW-Authenticate': (
                    f'Bearer realm="laisui", error="insufficient_scope", '
                    f'scope="{scope}"')},
            scope=scope)
    count, reset = Usage.hit(client.id)
    limits = {
        'RateLimit-Limit': str(client.rate_limit),
        'RateLimit-Remaining': str(max(client.rate_limit - count, 0)),
        'RateLimit-Reset': str(reset),
        }
    if count > client.rate_limit:
        raise _refused(429, 'msg_rate_limited', 'rate_limit', path,
            headers=dict(limits, **{'Retry-After': str(reset)}),
            limit=client.rate_limit)

    # The client's scopes are read already: their groups need no search.
    granted = [s for s in client.scopes if s.code in scopes]
    groups = tuple(sorted({g.id for s in granted for g in s.groups}))
    personal = any(s.personal for s in granted)
    with transaction.set_user(client.user.id), \
            transaction.set_context(_check_access=True, _groups=groups):
        call = Call(request, pool, client, scopes, personal, path_args)
        key = None
        if request.method == 'POST':
            key, replay = _idempotent(call)
            if replay:
                replay.headers.update(limits)
                return replay
        try:
            body, rows = handler(call)
            status = 200
        except Problem as problem:
            problem.headers.update(limits)
            raise
        except AccessError as e:
            raise Problem(403, e.message, headers=limits)
        except UserError as e:
            raise Problem(400, e.message, headers=limits)
        response = json_response(body, status=status, headers=limits)
        if key:
            Idempotency = pool.get('laisui.api.idempotency')
            with without_check_access():
                Idempotency.remember(client, key, call.digest, status,
                    response.get_data())
        AuditLog.log_many(call.audit + [{
                    'action': 'api_call',
                    'resource': resource_name,
                    'to_value': str(rows),
                    'detail': (f'{client.client_id} {scope} '
                        f'{request.method} {path}'),
                    }])
        return response


def _idempotent(call):
    """(key, stored answer or None) of a POST; 400 without a key, 422 for
    a key first used with another request"""
    Idempotency = call.pool.get('laisui.api.idempotency')
    request = call.request
    key = request.headers.get('Idempotency-Key', '').strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise Problem(400, message('msg_idempotency_key_missing',
                length=MAX_KEY_LENGTH))
    call.digest = request_digest(
        request.method, request.path, request.get_data())
    with without_check_access():
        stored = Idempotency.find(call.client, key)
        if not stored:
            return key, None
        if stored.request_digest != call.digest:
            raise Problem(422, message('msg_idempotency_key_reused'))
        status, body = stored.status, bytes(stored.body or b'')
    response = Response(body, status=status,
        content_type='application/json; charset=utf-8')
    response.headers['Cache-Control'] = 'no-store'
    response.headers['Idempotent-Replayed'] = 'true'
    return None, response
