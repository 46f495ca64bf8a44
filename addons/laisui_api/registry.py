# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The resources of the API, declared once: the route that serves each
and the OpenAPI operation that documents it come from the same
declaration (openapi.py reads RESOURCES)."""
import re
from typing import NamedTuple

from trytond.protocols.wrappers import (
    set_max_request_size, with_pool, with_transaction)
from trytond.wsgi import app

from .call import api_call

PREFIX = '/<database_name>/api/v1'
# A body of 500 integrity questions is about 40 kB. Setting a size also
# keeps trytond's dispatcher from reading request.user_id, which would try
# a client's Basic credentials as a staff login.
MAX_REQUEST_SIZE = 256 * 1024
# OpenAPI's {name} as werkzeug's <name>: a string that the handler
# checks, so that a bad id gets the API's 400, not werkzeug's 404 page.
_PARAMETER = re.compile(r'\{(\w+)\}')


class Resource(NamedTuple):
    method: str
    path: str
    scope: str
    name: str
    summary: str
    response: str
    query: tuple = ()
    body: str = None

    @property
    def path_parameters(self):
        return _PARAMETER.findall(self.path)


RESOURCES = []


def resource(method, path, scope, name, summary, response, query=(),
        body=None):
    """Serve handler(call) at `path` (OpenAPI form, under /api/v1) and
    document it; `response` and `body` name schemas of schemas.py,
    `query` the query parameters of schemas.QUERY"""
    def decorator(handler):
        RESOURCES.append(Resource(method, path, scope, name, summary,
                response, tuple(query), body))
        view = set_max_request_size(MAX_REQUEST_SIZE)(with_pool(
                with_transaction(readonly=False, user=0)(
                    api_call(scope, name)(handler))))
        app.route(PREFIX + _PARAMETER.sub(r'<\1>', path),
            methods={method})(view)
        return handler
    return decorator
