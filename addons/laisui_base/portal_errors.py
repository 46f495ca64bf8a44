# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""zh_CN pages for the HTTP errors of the portal's paths.

trytond answers an unknown URL, a wrong method, a too large body or an
error outside a handler with werkzeug's English page. Under
/<database>/portal the applicant gets the portal's error page instead,
with the same status and headers (Allow, Retry-After). A refusal of
trytond before it dispatches (a foreign Origin) is the portal's page too.
"""
import re

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from trytond.protocols.wrappers import Response

from .http_headers import PAGE_HEADERS, SecurityHeaders
from .i18n import file_gettext

_PORTAL_PATH = re.compile(r'^/(?P<database>[^/]+)/portal(?:/|$)')
# Read from the .po file, not the database: the page may have no database
# to read messages from (an unknown database name, a failed pool).
MESSAGES = {
    400: 'laisui_base.msg_portal_bad_request',
    403: 'laisui_base.msg_portal_forbidden',
    404: 'laisui_base.msg_portal_not_found',
    405: 'laisui_base.msg_portal_method',
    413: 'laisui_base.msg_portal_too_large',
    429: 'laisui_base.msg_portal_rate',
    }
DEFAULT_MESSAGE = 'laisui_base.msg_portal_error'


def error_page(database_name, error):
    "The portal's page for the werkzeug HTTPException error"
    from .portal import CSRF_FIELD, _environment
    env = _environment(('laisui_base',))
    html = env.get_template('laisui_base/error.html').render(
        portal=None, user=None, root=f'/{database_name}/portal',
        csrf_field=CSRF_FIELD, menu=[], error=None, errors={}, info=None,
        message=file_gettext(
            MESSAGES.get(error.code, DEFAULT_MESSAGE), 'zh_CN'))
    response = Response(html, status=error.code,
        content_type='text/html; charset=utf-8')
    for name, value in error.get_headers():
        if name.lower() != 'content-type':
            response.headers[name] = value
    for name, value in PAGE_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def install(app):
    "Answer app's HTTP errors under the portal's paths with error_page"
    dispatch = app.dispatch_request
    if getattr(dispatch, 'laisui_portal_errors', False):
        return

    def dispatch_request(request):
        response = dispatch(request)
        match = _PORTAL_PATH.match(request.path)
        if (match and isinstance(response, HTTPException)
                and response.code and response.code >= 400):
            if (isinstance(response, MethodNotAllowed)
                    and set(response.valid_methods or []) <= {'OPTIONS'}):
                # trytond's CORS rule takes OPTIONS on every path: only
                # that one matched, so there is no such page.
                response = NotFound()
            response = error_page(match.group('database'), response)
        return response
    dispatch_request.laisui_portal_errors = True
    app.dispatch_request = dispatch_request

    # Inside the security headers (http_headers.install), which would
    # render the refusal with werkzeug's page.
    outer = app.wsgi_app
    if isinstance(outer, SecurityHeaders):
        if not isinstance(outer.app, Refusals):
            outer.app = Refusals(outer.app)
    elif not isinstance(outer, Refusals):
        app.wsgi_app = Refusals(outer)


class Refusals:
    """WSGI middleware: what trytond refuses before it dispatches (abort()
    in its wsgi_app) answered with error_page under the portal's paths"""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        try:
            return self.app(environ, start_response)
        except HTTPException as e:
            match = _PORTAL_PATH.match(environ.get('PATH_INFO', ''))
            if not match or not e.code or e.code < 400:
                raise
            return error_page(match.group('database'), e)(
                environ, start_response)
