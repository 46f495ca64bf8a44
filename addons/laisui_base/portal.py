# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Applicant portal framework: routing, session, CSRF, templates, headers.

Every portal page is declared with ``portal_route``. It runs the handler in
a Tryton transaction as root (there is no staff user behind a portal
request), so each handler must check ownership itself: ``PortalRequest``
gives it the signed-in web user and nothing else.
"""
import datetime as dt
import functools
import hmac
import importlib
import logging
import os
import re
import secrets
import urllib.parse
import uuid
from http import HTTPStatus

from jinja2 import (
    Environment, FileSystemLoader, PrefixLoader, StrictUndefined)
from werkzeug.exceptions import HTTPException

import trytond.config as config
from trytond import backend
from trytond.exceptions import RateLimitException, UserError
from trytond.i18n import gettext
from trytond.model import Model
from trytond.pool import Pool
from trytond.protocols.wrappers import (
    Response, abort, redirect, set_max_request_size, with_pool,
    with_transaction)
from trytond.transaction import Transaction, TransactionError
from trytond.wsgi import app

from . import clock
from .exceptions import PortalError, PortalForbidden, PortalNotFound
from .form_engine import condition_text, form_value_text
from .http_headers import PAGE_HEADERS
from .identity import mask_id_number, mask_name, mask_phone

logger = logging.getLogger(__name__)

SESSION_COOKIE = 'laisui_session'
CSRF_COOKIE = 'laisui_csrf'
# A browser that signed in to a number before: its own allowance of failed
# password logins, which nobody else's failures use up (as Tryton's staff
# login has with res.user.device).
DEVICE_COOKIE = 'laisui_device'
DEVICE_MAX_AGE = dt.timedelta(days=180)
CSRF_FIELD = 'csrf_token'
# Absolute session age; the idle limit is [session] web_timeout.
SESSION_MAX_AGE = dt.timedelta(hours=12)
# Record ids are INTEGER columns: a larger number names no record (and
# SQLite cannot even bind it).
MAX_ID = 2 ** 31 - 1


@functools.lru_cache(maxsize=None)
def _environment(modules):
    loaders = {m: FileSystemLoader(_template_dir(m)) for m in modules}
    # StrictUndefined: a name a template misses fails its test instead of
    # rendering blank.
    env = Environment(
        loader=PrefixLoader(loaders), autoescape=True,
        trim_blocks=True, lstrip_blocks=True, undefined=StrictUndefined)
    env.filters.update({
            'mask_id': mask_id_number,
            'mask_phone': mask_phone,
            'mask_name': mask_name,
            'local': _local_time,
            'form_value': form_value_text,
            })
    env.globals['form_condition'] = condition_text
    return env


def environment():
    """The Jinja environment of the modules' templates, for documents the
    back office prints (no portal request)"""
    Portal = Pool().get('laisui.portal')
    return _environment(tuple(Portal.template_modules()))


def _local_time(timestamp):
    "A stored (UTC) timestamp as Guangzhou wall-clock time"
    if not timestamp:
        return ''
    return clock.to_local(timestamp).strftime('%Y-%m-%d %H:%M')


def _template_dir(module):
    package = importlib.import_module(f'trytond.modules.{module}')
    return os.path.join(os.path.dirname(package.__file__), 'templates')


class PortalRequest:
    "What a portal handler needs about the request it serves"

    def __init__(self, request, pool, database_name, anonymous=False):
        self.request = request
        self.pool = pool
        self.database_name = database_name
        self.root = f'/{database_name}/portal'
        # A public page is the same for everybody: no session looked up.
        self.session_key = (
            None if anonymous else request.cookies.get(SESSION_COOKIE))
        self.user = None
        self._session = None
        self._cookies = []
        self._anon_token = request.cookies.get(CSRF_COOKIE)
        if self.session_key:
            self._load_session()

    # Session -------------------------------------------------------------
    def _load_session(self):
        Session = self.pool.get('web.user.session')
        sessions = Session.search([('key', '=', self.session_key)], limit=1)
        if not sessions:
            return
        session, = sessions
        now = dt.datetime.now()
        if (session.expired
                or now - session.create_date > SESSION_MAX_AGE
                or not session.user.active):
            Session.delete([session])
            return
        # Sliding idle timeout; touch at most once a minute.
        if now - session.last_modified_at > dt.timedelta(minutes=1):
            Session.write([session], {})
        self._session = session
        self.user = session.user

    @property
    def session_seconds_left(self):
        "Seconds before the session ends if unused, None when signed out"
        if self._session:
            return self._session.seconds_left

    def login(self, web_user):
        "Start a new session: a fresh key, never the one sent by the client"
        if self._session:
            self.logout()
        key = web_user.new_session()
        self.session_key = key
        self.user = web_user
        self._cookies.append((SESSION_COOKIE, key, True, None))
        self._cookies.append((CSRF_COOKIE, '', False, None))

    def logout(self):
        Session = self.pool.get('web.user.session')
        if self.session_key:
            Session.remove(self.session_key)
        self.user = self._session = self.session_key = None
        self._cookies.append((SESSION_COOKIE, '', False, None))

    # Device ----------------------------------------------------------------
    def _device_digest(self, phone, nonce):
        Secret = self.pool.get('laisui.secret')
        return Secret.digest('portal-device', phone, nonce)[:32]

    def device_for(self, phone):
        "The nonce of this browser's device cookie for phone, or None"
        value = self.request.cookies.get(DEVICE_COOKIE, '')
        nonce, _, digest = value.partition('.')
        if nonce and digest and hmac.compare_digest(
                digest.encode(), self._device_digest(phone, nonce).encode()):
            return nonce

    def remember_device(self, phone):
        nonce = secrets.token_urlsafe(16)
        self._cookies.append((DEVICE_COOKIE,
                f'{nonce}.{self._device_digest(phone, nonce)}', True,
                DEVICE_MAX_AGE))

    # CSRF ----------------------------------------------------------------
    @property
    def csrf_token(self):
        Secret = self.pool.get('laisui.secret')
        if self.user:
            # The user's token, not the session's: a sign-in in another tab
            # starts a new session (a fresh key, ASVS 7.2.4) and must not
            # void the forms open in this one. It is another for another
            # user, and new with the password hash: when the password
            # changes, which ends the other sessions (change, reset), and
            # once when a sign-in rehashes it with new parameters. Beside it
            # a forged post needs the HttpOnly SameSite=Lax session cookie
            # and passes no foreign Origin (http_headers; security.md §CSRF).
            return Secret.digest('csrf', str(self.user.id),
                self.user.password_hash or '')
        if not self._anon_token:
            self._anon_token = secrets.token_urlsafe(32)
            self._cookies.append((CSRF_COOKIE, self._anon_token, True, None))
        return Secret.digest('csrf-anonymous', self._anon_token)

    def check_csrf(self):
        "None when the form carries the token, else the HTTP status"
        sent = self.request.form.get(CSRF_FIELD, '')
        if not sent.isascii():
            # Not something this portal ever issued.
            return HTTPStatus.BAD_REQUEST
        if not self.user and not self._anon_token:
            return HTTPStatus.FORBIDDEN
        # As bytes: compare_digest() refuses str with non-ASCII characters.
        if not hmac.compare_digest(
                sent.encode(), self.csrf_token.encode()):
            return HTTPStatus.FORBIDDEN

    # Helpers -------------------------------------------------------------
    @property
    def ip_address(self):
        return self.request.remote_addr

    def url(self, path=''):
        return self.root + path

    def audit(self, action, **kwargs):
        AuditLog = self.pool.get('laisui.audit.log')
        kwargs.setdefault('web_user', self.user)
        AuditLog.log(action, **kwargs)

    def count_failure(self, event, resource=None):
        "Audit a security failure, counted when it repeats"
        Counter = self.pool.get('laisui.security.counter')
        Counter.record(event, resource=resource, web_user=self.user)

    def deny(self, resource, not_found=False):
        "Refuse access to a record that is not the user's, and audit it"
        self.count_failure('access_denied', resource)
        # Commit the audit entry: abort() would roll it back.
        if not_found:
            return self.render('laisui_base/error.html',
                status=HTTPStatus.NOT_FOUND, message='')
        return self.render(
            'laisui_base/error.html', status=HTTPStatus.FORBIDDEN,
            message=gettext('laisui_base.msg_portal_forbidden'))

    def rollback(self):
        "Undo the handler's writes before showing an error"
        Transaction().rollback()

    def render_text(self, template, **values):
        "The template rendered with the portal's values, as text"
        Portal = self.pool.get('laisui.portal')
        env = _environment(tuple(Portal.template_modules()))
        values.setdefault('error', None)
        values.setdefault('errors', {})
        values.setdefault('info', None)
        return env.get_template(template).render(
            portal=self, user=self.user, root=self.root,
            csrf_field=CSRF_FIELD, menu=Portal.menu(self) if self.user
            else [], **values)

    def render(self, template, status=HTTPStatus.OK, **values):
        return self.finish(Response(
                self.render_text(template, **values), status=status,
                content_type='text/html; charset=utf-8'))

    def redirect(self, path):
        return self.finish(redirect(self.url(path)))

    def finish(self, response, headers=PAGE_HEADERS):
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        secure = secure_cookies(self.request)
        for name, value, alive, max_age in self._cookies:
            if alive:
                response.set_cookie(
                    name, value, path=self.root, httponly=True,
                    samesite='Lax', secure=secure, max_age=max_age)
            else:
                response.delete_cookie(
                    name, path=self.root, httponly=True, samesite='Lax',
                    secure=secure)
        return response


def secure_cookies(request):
    """Whether cookies get the Secure flag: when [laisui] secure_cookies
    says so (production.conf: TLS ends at the proxy, which may not say it)
    or when the request came over HTTPS (behind [web] num_proxies trusted
    proxies, as they tell)."""
    return config.getboolean('laisui', 'secure_cookies', default=False) or (
        request.scheme == 'https')


# A path below the portal's root, which the redirect or link puts in
# front: no scheme, no host, no '//evil.example' (a host to browsers) or
# '/\\evil' (one to some), no backslash, control character or space.
_LOCAL_PATH = re.compile(r'/(?![/\\])[\x21-\x5b\x5d-\x7e]{0,499}')
# '/../' and its encoded forms would climb out of the portal's root.
_DOT_SEGMENT = re.compile(r'/(\.|%2e)', re.IGNORECASE)
# Where no sign-in sends the user back to: the sign-in pages themselves and
# what is not a page (static files, the session keep-alive).
_NO_RETURN = ('/login', '/logout', '/register', '/reset', '/static/',
    '/session/')


def local_path(value):
    "value if it is a path of this portal ('/points?year=2026'), else None"
    if (isinstance(value, str) and _LOCAL_PATH.fullmatch(value)
            and not _DOT_SEGMENT.search(value)):
        return value


def return_path(value):
    """value if it names a page of this portal to send the user back to
    after the sign-in, else None (no open redirect)"""
    value = local_path(value)
    if value and not value.startswith(_NO_RETURN):
        return value


def current_path(portal):
    """The page the user is on, relative to the portal's root: the page
    that posted the form (a POST's same-origin Referer), else the path
    requested; None if neither is one of the portal's."""
    request = portal.request
    referrer = urllib.parse.urlsplit(request.referrer or '')
    if (request.method == 'POST' and referrer.netloc == request.host
            and referrer.path.startswith(portal.root + '/')):
        path = referrer.path[len(portal.root):]
        if referrer.query:
            path += '?' + referrer.query
        if local_path(path):
            return path
    if request.path.startswith(portal.root + '/'):
        return local_path(
            request.full_path[len(portal.root):].rstrip('?'))


def _signed_out(portal):
    """The answer to a signed-out request for a page that needs a user.

    A form posted after the session ended is not lost silently: the sign-in
    page says so (401) and sends the user back to the form's page."""
    next_ = return_path(current_path(portal))
    if portal.request.method == 'POST':
        return portal.render('laisui_base/login.html',
            status=HTTPStatus.UNAUTHORIZED, form={}, mode=None,
            next_path=next_,
            error=gettext('laisui_base.msg_portal_session_expired'))
    query = ('?' + urllib.parse.urlencode({'next': next_})
        if next_ and next_ != '/' else '')
    return portal.redirect('/login' + query)


def portal_route(path, methods=('GET',), login=True, max_size=None,
        public=False, model='laisui.portal'):
    """Declare a portal page at /<database>/portal<path>.

    POSTs must carry the CSRF token; pages that need a signed-in applicant
    send the others to the login page. A public page (GET only, no login)
    is rendered as for an anonymous visitor whoever asks, without looking
    up the session: it shows nothing of the visitor and may be cached.
    The page is not found in a database without `model` (its module is
    not activated there).
    """
    assert not public or (not login and set(methods) <= {'GET'}), path

    def decorator(func):
        @app.route('/<database_name>/portal' + path, methods=set(methods))
        @set_max_request_size(max_size or 2 * 1024 * 1024)
        @with_pool
        @with_transaction(readonly=False)
        @functools.wraps(func)
        def wrapper(request, pool, **kwargs):
            database_name = pool.database_name
            try:
                pool.get(model)
            except KeyError:
                # Routes are global to the process: not this database.
                abort(HTTPStatus.NOT_FOUND)
            request_id = request.headers.get('X-Request-Id') or (
                uuid.uuid4().hex)
            with Transaction().set_context(
                    laisui_request_id=request_id[:64], language='zh_CN'):
                portal = PortalRequest(
                    request, pool, database_name, anonymous=public)
                if login and not portal.user:
                    return _signed_out(portal)
                if any(isinstance(v, int) and not 0 < v <= MAX_ID
                        for v in kwargs.values()):
                    return portal.render('laisui_base/error.html',
                        status=HTTPStatus.NOT_FOUND, message='')
                failed = request.method == 'POST' and portal.check_csrf()
                if failed:
                    portal.count_failure('csrf', request.path)
                    # Nothing of the refused form is shown back (it may be
                    # forged), only the way to fill it in again.
                    return portal.render(
                        'laisui_base/expired.html', status=failed,
                        again=current_path(portal) or '/',
                        message=gettext(
                            'laisui_base.msg_portal_bad_request'
                            if failed == HTTPStatus.BAD_REQUEST
                            else 'laisui_base.msg_portal_csrf'))
                try:
                    # The user's state changes are audited as theirs.
                    with Transaction().set_context(laisui_web_user=(
                                portal.user.id if portal.user else None)):
                        return func(portal, **kwargs)
                except (HTTPException, TransactionError,
                        backend.DatabaseOperationalError):
                    raise
                except PortalForbidden as e:
                    portal.rollback()
                    return portal.deny(e.resource,
                        not_found=isinstance(e, PortalNotFound))
                except RateLimitException:
                    portal.rollback()
                    portal.count_failure('rate_limit', request.path)
                    response = portal.render(
                        'laisui_base/error.html',
                        status=HTTPStatus.TOO_MANY_REQUESTS,
                        message=gettext('laisui_base.msg_portal_rate'))
                    # Failures are counted over [session] timeout.
                    response.headers['Retry-After'] = str(
                        config.getint('session', 'timeout'))
                    return response
                except UserError as e:
                    portal.rollback()
                    return portal.render(
                        'laisui_base/error.html',
                        status=HTTPStatus.BAD_REQUEST, message=e.message)
                except Exception:
                    logger.exception("portal %s failed", request.path)
                    portal.rollback()
                    return portal.render(
                        'laisui_base/error.html',
                        status=HTTPStatus.INTERNAL_SERVER_ERROR,
                        message=gettext('laisui_base.msg_portal_error'))
        return wrapper
    return decorator


def record_id(value):
    "The record id sent in a form field, or PortalError (a 400 page)"
    value = (value or '').strip()
    # int() would also take '١٢' or '1_0', and refuse 5,000 digits.
    if not (value.isascii() and value.isdigit() and len(value) <= 10
            and 0 < int(value) <= MAX_ID):
        raise PortalError(gettext('laisui_base.msg_portal_bad_request'))
    return int(value)


def file_response(portal, data, mime, filename):
    "Send a stored file as a download, never inline"
    response = Response(data, content_type=mime)
    response.headers['Content-Disposition'] = (
        f'attachment; filename="{filename}"')
    return portal.finish(response)


class Portal(Model):
    """Extension point of the portal: higher modules add their templates
    and their entries of the applicant's menu."""
    __name__ = 'laisui.portal'

    @classmethod
    def template_modules(cls):
        return ['laisui_base']

    @classmethod
    def menu(cls, portal):
        "List of (label, path) shown to the signed-in applicant"
        return [(gettext('laisui_base.msg_menu_messages'), '/messages')]
