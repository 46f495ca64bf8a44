# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The public side of credentials: the verification page that a QR code
opens (HTML, or JSON for machines asking ``Accept: application/json``)
and the published keys for offline verification.

A verification answers for revocation now: the page is never cached.
Failed verifications are counted per client address (security_counter):
past FAILURES_PER_HOUR an address is refused for the rest of the hour,
so that nobody walks through numbers with the page.
"""
import hashlib
import json
from http import HTTPStatus

from trytond.exceptions import RateLimitException
from trytond.i18n import gettext
from trytond.protocols.wrappers import (
    Response, abort, with_pool, with_transaction)
from trytond.wsgi import app

from .portal import _local_time, portal_route

FAILURES_PER_HOUR = 100
INVALID = {'forged', 'unknown'}
KEYS_MAX_AGE = 300


def result_label(result):
    "The zh_CN words of a verification result"
    name = 'invalid' if result in INVALID else result
    return gettext(f'laisui_base.msg_credential_result_{name}')


def _wants_json(request):
    return request.accept_mimetypes.best_match(
        ['text/html', 'application/json']) == 'application/json'


def credential_data(result, credential):
    "What the page shows, as JSON"
    data = {'result': result, 'label': result_label(result)}
    if credential:
        data.update({
                'number': credential.number,
                'kind': credential.kind,
                'title': credential.title,
                'holder': credential.holder_masked,
                'claims': credential.claims_list,
                'issued_at': _local_time(credential.issued_at),
                'expires_at': _local_time(credential.expires_at) or None,
                })
        if result == 'revoked':
            data.update({
                    'revoked_at': _local_time(credential.revoked_at),
                    'revocation_reason': credential.revocation_reason,
                    })
    return data


def verify_page(portal, token):
    "The answer of the public page for token"
    pool = portal.pool
    Credential = pool.get('laisui.credential')
    Counter = pool.get('laisui.security.counter')
    if Counter.counted('credential_invalid') >= FAILURES_PER_HOUR:
        raise RateLimitException()
    as_json = _wants_json(portal.request)
    result, credential = Credential.verify(
        token or '', channel='api' if as_json else 'online')
    status = HTTPStatus.NOT_FOUND if result in INVALID else HTTPStatus.OK
    if result in INVALID:
        Counter.record('credential_invalid', resource=portal.request.path)
    if as_json:
        response = Response(json.dumps(credential_data(result, credential),
                ensure_ascii=False), status=status,
            content_type='application/json; charset=utf-8')
        response.vary.add('Accept')
        return portal.finish(response)
    response = portal.render('laisui_base/credential.html', status=status,
        result=result, label=result_label(result), credential=credential,
        keys_url=f'/{portal.database_name}/laisui/credentials/keys')
    response.vary.add('Accept')
    return response


@portal_route('/verify/<token>', login=False, public=True)
def verify(portal, token):
    return verify_page(portal, token)


@portal_route('/verify', login=False, public=True)
def verify_query(portal):
    return verify_page(portal, portal.request.args.get('token', ''))


@app.route('/<database_name>/laisui/credentials/keys', methods={'GET'})
@with_pool
@with_transaction(readonly=True)
def keys(request, pool):
    "The public keys that verify, as a JWK set (each with its PEM)"
    try:
        Key = pool.get('laisui.credential.key')
    except KeyError:
        abort(HTTPStatus.NOT_FOUND)
    body = json.dumps(Key.published(), sort_keys=True)
    etag = hashlib.sha256(body.encode()).hexdigest()[:32]
    if request.if_none_match.contains(etag):
        response = Response(status=HTTPStatus.NOT_MODIFIED)
    else:
        response = Response(body, content_type='application/json')
    response.set_etag(etag)
    # Short: a key made by a rotation must reach the verifiers soon.
    response.headers['Cache-Control'] = f'public, max-age={KEYS_MAX_AGE}'
    response.headers['Access-Control-Allow-Origin'] = '*'
    return response
