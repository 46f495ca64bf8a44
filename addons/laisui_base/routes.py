# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Portal pages of the base module: sign-up, sign-in, password reset."""
import hmac
import json
import os
from http import HTTPStatus
from types import SimpleNamespace

from trytond.i18n import gettext
from trytond.model.exceptions import ValidationError
from trytond.protocols.wrappers import Response, with_pool, with_transaction
from trytond.wsgi import app

import trytond.config as config

from .exceptions import PortalError, SMSRateLimitError
from .portal import portal_route
from .sms_provider import SECTION, sign
from .validation import checked_id_number, checked_phone

_STATIC = os.path.join(os.path.dirname(__file__), 'static')


def check_password(pool, password, confirm, personal=()):
    User = pool.get('res.user')
    if password != confirm:
        raise PortalError(gettext('laisui_base.msg_password_mismatch'))
    for value in personal:
        if value and value.lower() in password.lower():
            raise PortalError(gettext('laisui_base.msg_password_personal'))
    # Length and blocklist from [password] like staff passwords.
    User.validate_password(password, [SimpleNamespace()])


def _send_code(portal, phone, purpose, exists):
    """Send a code, or tell the owner of a known number that it is known.

    The answer on the page is the same either way (no enumeration)."""
    pool = portal.pool
    Code = pool.get('laisui.verification.code')
    Message = pool.get('laisui.sms.message')
    # A browser that signed in to the number before gets its login code
    # whatever others behind its carrier NAT ask for: not held by the
    # address limits (by those of the phone and of the site it is). The
    # cookie names the phone, so it tells nothing of other numbers.
    known = purpose == 'login' and bool(portal.device_for(phone))
    # Known or not, each request sends one SMS under the same limits, so
    # that neither the answer nor the next refusal tells which it is.
    if purpose == 'register' and exists:
        Message.queue(phone, 'already_registered')
    elif purpose != 'register' and not exists:
        Message.queue(phone, 'not_registered', known_device=known)
    else:
        Code.issue(phone, purpose, known_device=known)
    return gettext('laisui_base.msg_code_sent')


def _phone_exists(pool, phone):
    WebUser = pool.get('web.user')
    return bool(WebUser.search([('phone', '=', phone)], limit=1))


def _form(portal):
    return {k: v for k, v in portal.request.form.items()
        if k not in {'password', 'password2', 'code'}}


@portal_route('/', login=False)
def home(portal):
    if not portal.user:
        return portal.redirect('/login')
    return portal.render('laisui_base/home.html')


@portal_route('/static/<name>', login=False)
def static(portal, name):
    if name not in {'portal.css'}:
        return portal.render('laisui_base/error.html',
            status=HTTPStatus.NOT_FOUND, message='')
    with open(os.path.join(_STATIC, name), 'rb') as f:
        response = Response(f.read(), content_type='text/css; charset=utf-8')
    response.headers['Cache-Control'] = 'public, max-age=3600'
    return response


@portal_route('/register', methods=('GET', 'POST'), login=False)
def register(portal):
    pool = portal.pool
    request = portal.request
    if request.method == 'GET':
        return portal.render('laisui_base/register.html', form={})
    form = request.form
    try:
        phone = checked_phone(form.get('phone'))
        if form.get('action') == 'send_code':
            info = _send_code(
                portal, phone, 'register', _phone_exists(pool, phone))
            return portal.render(
                'laisui_base/register.html', form=_form(portal), info=info)
        name = (form.get('name') or '').strip()
        if not 2 <= len(name) <= 30:
            raise PortalError(gettext('laisui_base.msg_name_invalid'))
        id_number = checked_id_number(form.get('id_number'))
        check_password(pool, form.get('password', ''),
            form.get('password2', ''), personal=(phone, id_number))
    except (PortalError, SMSRateLimitError, ValidationError) as e:
        return portal.render('laisui_base/register.html',
            form=_form(portal), error=e.message,
            status=HTTPStatus.BAD_REQUEST)
    Code = pool.get('laisui.verification.code')
    reason = Code.check(phone, 'register', form.get('code'))
    if reason:
        # Commit the counted try, show why.
        return portal.render('laisui_base/register.html',
            form=_form(portal), error=gettext(reason),
            status=HTTPStatus.BAD_REQUEST)
    WebUser = pool.get('web.user')
    try:
        web_user = WebUser.portal_register(
            phone=phone, password=form['password'], name=name,
            id_number=id_number)
    except ValidationError as e:
        portal.rollback()
        # The rollback revived the code: use it up, so that one code gives
        # one answer (an ID number already registered cannot be probed).
        Code.check(phone, 'register', form.get('code'))
        return portal.render('laisui_base/register.html',
            form=_form(portal), error=e.message,
            status=HTTPStatus.BAD_REQUEST)
    portal.audit('register', resource=web_user, web_user=web_user)
    portal.login(web_user)
    portal.remember_device(phone)
    portal.audit('login', resource=web_user, detail='register')
    return portal.redirect('/')


@portal_route('/login', methods=('GET', 'POST'), login=False)
def login(portal):
    pool = portal.pool
    request = portal.request
    WebUser = pool.get('web.user')
    if request.method == 'GET':
        return portal.render('laisui_base/login.html', form={})
    form = request.form
    action = form.get('action', 'password')
    try:
        phone = checked_phone(form.get('phone'))
        if action == 'send_code':
            info = _send_code(
                portal, phone, 'login', _phone_exists(pool, phone))
            return portal.render(
                'laisui_base/login.html', form=_form(portal), info=info,
                mode='code')
    except (PortalError, SMSRateLimitError, ValidationError) as e:
        return portal.render('laisui_base/login.html', form=_form(portal),
            error=e.message, status=HTTPStatus.BAD_REQUEST)
    if action == 'code':
        Code = pool.get('laisui.verification.code')
        reason = Code.check(phone, 'login', form.get('code'))
        users = [] if reason else WebUser.search(
            [('phone', '=', phone)], limit=1)
        user = users[0] if users else None
    else:
        user = WebUser.authenticate_phone(phone, form.get('password', ''),
            device=portal.device_for(phone))
    if not user:
        portal.audit('login_failed', detail=phone, success=False,
            web_user=None)
        return portal.render('laisui_base/login.html', form=_form(portal),
            error=gettext('laisui_base.msg_login_failed'),
            mode='code' if action == 'code' else None,
            status=HTTPStatus.UNAUTHORIZED)
    portal.login(user)
    portal.remember_device(phone)
    portal.audit('login', resource=user, detail=action)
    return portal.redirect('/')


@portal_route('/logout', methods=('POST',))
def logout(portal):
    user = portal.user
    portal.logout()
    portal.audit('logout', resource=user, web_user=user)
    return portal.redirect('/login')


@portal_route('/reset', methods=('GET', 'POST'), login=False)
def reset(portal):
    pool = portal.pool
    request = portal.request
    WebUser = pool.get('web.user')
    if request.method == 'GET':
        return portal.render('laisui_base/reset.html', form={})
    form = request.form
    try:
        phone = checked_phone(form.get('phone'))
        exists = _phone_exists(pool, phone)
        if form.get('action') == 'send_code':
            info = _send_code(portal, phone, 'reset', exists)
            return portal.render(
                'laisui_base/reset.html', form=_form(portal), info=info)
        check_password(pool, form.get('password', ''),
            form.get('password2', ''), personal=(phone,))
    except (PortalError, SMSRateLimitError, ValidationError) as e:
        return portal.render('laisui_base/reset.html', form=_form(portal),
            error=e.message, status=HTTPStatus.BAD_REQUEST)
    Code = pool.get('laisui.verification.code')
    reason = Code.check(phone, 'reset', form.get('code'))
    if reason:
        return portal.render('laisui_base/reset.html', form=_form(portal),
            error=gettext(reason), status=HTTPStatus.BAD_REQUEST)
    user, = WebUser.search([('phone', '=', phone)], limit=1)
    WebUser.write([user], {'password': form['password']})
    # Every other session ends; the owner is told by SMS.
    WebUser.end_sessions([user])
    pool.get('laisui.sms.message').queue(
        phone, 'password_changed', check_rate=False)
    portal.audit('password_reset', resource=user, web_user=user)
    return portal.render('laisui_base/login.html', form={'phone': phone},
        info=gettext('laisui_base.msg_password_reset_done'))


@app.route('/<database_name>/laisui/sms/status', methods={'POST'})
@with_pool
@with_transaction()
def sms_status(request, pool):
    "Delivery receipts from the HTTP gateway, signed with the shared secret"
    try:
        Message = pool.get('laisui.sms.message')
    except KeyError:
        return Response(status=HTTPStatus.NOT_FOUND)
    secret = config.get(SECTION, 'secret', default='')
    body = request.get_data()
    signature = request.headers.get('X-Laisui-Signature', '')
    # As bytes: a header may carry any latin-1 character, which
    # compare_digest() refuses in a str.
    if not secret or not hmac.compare_digest(
            sign(secret, body).encode(), signature.encode()):
        return Response(status=HTTPStatus.FORBIDDEN)
    try:
        data = json.loads(body)
        found = Message.report_delivery(
            str(data['id']), data.get('status') == 'delivered',
            data.get('error'))
    except (ValueError, KeyError, TypeError):
        return Response(status=HTTPStatus.BAD_REQUEST)
    return Response(status=HTTPStatus.OK if found else HTTPStatus.NOT_FOUND)
