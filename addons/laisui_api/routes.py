# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The routes of /<database>/api/v1 besides the resources (resources.py):
the token endpoint and the OpenAPI document."""
from http import HTTPStatus

from trytond.protocols.wrappers import (
    abort, set_max_request_size, with_pool, with_transaction)
from trytond.transaction import Transaction
from trytond.wsgi import app

from . import resources  # noqa: F401 (the resources' routes)
from .call import json_response
from .openapi import document
from .registry import MAX_REQUEST_SIZE, PREFIX
from .token import AuthorizationServer


def _activated(pool):
    try:
        pool.get('laisui.api.client')
    except KeyError:
        # Routes are global to the process: not this database.
        abort(HTTPStatus.NOT_FOUND)


@app.route(PREFIX + '/token', methods={'POST'})
@set_max_request_size(MAX_REQUEST_SIZE)
@with_pool
@with_transaction()
def token(request, pool):
    "OAuth 2 token endpoint: client credentials only"
    _activated(pool)
    AuditLog = pool.get('laisui.audit.log')
    SecurityCounter = pool.get('laisui.security.counter')
    issued = []
    server = AuthorizationServer(on_client=issued.append)
    response = server.create_token_response(request)
    if response.status_code == 200:
        client, = issued
        AuditLog.log('login', resource=str(client),
            detail=f'API token {client.client_id} '
            f'{response.json.get("scope", "")}')
    else:
        SecurityCounter.record('access_denied', resource=request.path)
    response.headers['Cache-Control'] = 'no-store'
    return response


@app.route(PREFIX + '/openapi.json', methods={'GET'})
@set_max_request_size(MAX_REQUEST_SIZE)
@with_pool
@with_transaction()
def openapi(request, pool):
    "The API's OpenAPI document, for anybody: it holds no data"
    _activated(pool)
    Scope = pool.get('laisui.api.scope')
    with Transaction().set_context(language='zh_CN'):
        scopes = {s.code: s.name for s in Scope.search([])}
    response = json_response(document(pool.database_name, scopes))
    response.headers['Cache-Control'] = 'public, max-age=300'
    return response
