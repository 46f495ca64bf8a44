# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Portal pages of the base module: sign-up, sign-in, password reset and
change.

Their forms come back with everything typed after an error (the code and
passwords too: they came from this user in this response) and every
error at once, each tied to its field."""
import hmac
import json
import os
from http import HTTPStatus
from types import SimpleNamespace

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model.exceptions import ValidationError
from trytond.protocols.wrappers import Response, with_pool, with_transaction
from trytond.wsgi import app

import trytond.config as config

from .exceptions import IdNumberError, PhoneError, SMSRateLimitError
from .portal import CSRF_FIELD, portal_route, return_path
from .sms import PHONE_LIMITS
from .sms_provider import SECTION, sign
from .validation import checked_id_number, checked_phone

_STATIC = os.path.join(os.path.dirname(__file__), 'static')


# After a code is sent the button waits as long as the per-minute limit
# of the phone's messages lasts (sms.PHONE_LIMITS).
RESEND_SECONDS = PHONE_LIMITS[0][1]
# The fields of each form, in the order of the page: the error summary
# lists them so.
REGISTER_FIELDS = ('phone', 'code', 'name', 'id_number', 'password',
    'password2', 'consent')
RESET_FIELDS = ('phone', 'code', 'password', 'password2')
CHANGE_FIELDS = ('current_password', 'code', 'password', 'password2')


def password_errors(pool, password, confirm, personal=()):
    """{field: message} of a new password and its confirmation: the policy
    of staff passwords without their composition and rotation rules
    (length and blocklist from [password], no phone or ID number in it;
    security.md: the SMS code is the applicant's second factor)"""
    User = pool.get('res.user')
    errors = {}
    if not password:
        errors['password'] = gettext('laisui_base.msg_password_missing')
    else:
        try:
            User.validate_password(password, [SimpleNamespace()])
        except UserError as e:
            errors['password'] = e.message
        else:
            if any(v and v.lower() in password.lower() for v in personal):
                errors['password'] = gettext(
                    'laisui_base.msg_password_personal')
    if password != confirm:
        errors['password2'] = gettext('laisui_base.msg_password_mismatch')
    return errors


def _code_error(pool, phone, purpose, code, keep):
    """Why the code typed is refused, or None.

    A wrong try counts (the caller commits). With `keep`, the form has
    other errors: a right code stays usable for the corrected form, the
    one submission it confirms."""
    Code = pool.get('laisui.verification.code')
    code = (code or '').strip()
    if not code:
        return gettext('laisui_base.msg_code_missing')
    if not phone:
        # The phone's own error says what to correct first.
        return None
    reason = Code.check(phone, purpose, code)
    if reason:
        return gettext(reason)
    if keep:
        # Newest first: the code just used.
        Code.write(Code.search([
                    ('phone', '=', phone),
                    ('purpose', '=', purpose),
                    ('state', '=', 'used'),
                    ], limit=1), {'state': 'active'})


def _in_order(errors, names):
    return {n: errors[n] for n in names if n in errors}


def _phone(form, errors):
    "The phone typed, canonical, or None with its error"
    try:
        return checked_phone(form.get('phone'))
    except PhoneError as e:
        errors['phone'] = e.message


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
    "What the user typed, to fill the form in again"
    return {k: v for k, v in portal.request.form.items() if k != CSRF_FIELD}


def _code_page(portal, template, form, phone, purpose, errors, **values):
    "The form again after 获取验证码: the code sent, or why not"
    info = wait = None
    if phone:
        try:
            info = _send_code(portal, phone, purpose,
                _phone_exists(portal.pool, phone))
            wait = RESEND_SECONDS
        except SMSRateLimitError as e:
            errors['code'] = e.message
    return portal.render(template, form=form, errors=errors, info=info,
        wait=wait, status=HTTPStatus.BAD_REQUEST if errors else HTTPStatus.OK,
        **values)


@portal_route('/', login=False)
def home(portal):
    """What the service is to a visitor; to a signed-in applicant, the
    steps still to do, each with where it stands, then every page"""
    pool = portal.pool
    Portal = pool.get('laisui.portal')
    Guide = pool.get('laisui.guide')
    steps = Portal.next_steps(portal) if portal.user else []
    return portal.render('laisui_base/home.html', steps=steps,
        guides=Guide.search([]), links=Portal.public_links(portal))


# The files of static/ and their types: nothing else is served.
_STATIC_TYPES = {
    'portal.css': 'text/css; charset=utf-8',
    'portal.js': 'text/javascript; charset=utf-8',
    'form.js': 'text/javascript; charset=utf-8',
    }


@portal_route('/static/<name>', login=False)
def static(portal, name):
    if name not in _STATIC_TYPES:
        return portal.render('laisui_base/error.html',
            status=HTTPStatus.NOT_FOUND, message='')
    with open(os.path.join(_STATIC, name), 'rb') as f:
        response = Response(f.read(), content_type=_STATIC_TYPES[name])
    response.headers['Cache-Control'] = 'public, max-age=3600'
    return response


@portal_route('/register', methods=('GET', 'POST'), login=False)
def register(portal):
    pool = portal.pool
    if portal.request.method == 'GET':
        return portal.render('laisui_base/register.html', form={})
    form = _form(portal)
    errors = {}
    phone = _phone(form, errors)
    if form.get('action') == 'send_code':
        return _code_page(portal, 'laisui_base/register.html', form, phone,
            'register', errors)
    name = (form.get('name') or '').strip()
    if not 2 <= len(name) <= 30:
        errors['name'] = gettext('laisui_base.msg_name_invalid')
    try:
        id_number = checked_id_number(form.get('id_number'))
    except IdNumberError as e:
        id_number = None
        errors['id_number'] = e.message
    errors.update(password_errors(pool, form.get('password', ''),
            form.get('password2', ''), personal=(phone, id_number)))
    if not form.get('consent'):
        errors['consent'] = gettext('laisui_base.msg_consent_required')
    code_error = _code_error(pool, phone, 'register', form.get('code'),
        keep=bool(errors))
    if code_error:
        errors['code'] = code_error
    if errors:
        # Commit the counted try, show what to correct.
        return portal.render('laisui_base/register.html', form=form,
            errors=_in_order(errors, REGISTER_FIELDS),
            status=HTTPStatus.BAD_REQUEST)
    WebUser = pool.get('web.user')
    Code = pool.get('laisui.verification.code')
    try:
        web_user = WebUser.portal_register(
            phone=phone, password=form['password'], name=name,
            id_number=id_number)
    except ValidationError as e:
        portal.rollback()
        # The rollback revived the code: use it up, so that one code gives
        # one answer (an ID number already registered cannot be probed).
        Code.check(phone, 'register', form.get('code'))
        field = {PhoneError: 'phone', IdNumberError: 'id_number'}.get(
            type(e))
        return portal.render('laisui_base/register.html', form=form,
            errors={field: e.message} if field else {},
            error=None if field else e.message,
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
        return portal.render('laisui_base/login.html', form={},
            next_path=return_path(request.args.get('next')))
    form = _form(portal)
    # Back to the page the user was sent here from: one of this portal's.
    next_path = return_path(form.get('next'))
    action = form.get('action', 'password')
    mode = 'code' if action in {'code', 'send_code'} else None
    errors = {}
    phone = _phone(form, errors)
    if action == 'send_code':
        return _code_page(portal, 'laisui_base/login.html', form, phone,
            'login', errors, mode=mode, next_path=next_path)
    if mode == 'code' and not (form.get('code') or '').strip():
        errors['code'] = gettext('laisui_base.msg_code_missing')
    elif mode != 'code' and not form.get('password'):
        errors['password'] = gettext('laisui_base.msg_password_missing')
    if errors:
        return portal.render('laisui_base/login.html', form=form,
            errors=errors, mode=mode, next_path=next_path,
            status=HTTPStatus.BAD_REQUEST)
    if mode == 'code':
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
        return portal.render('laisui_base/login.html', form=form,
            error=gettext('laisui_base.msg_login_failed'), mode=mode,
            next_path=next_path, status=HTTPStatus.UNAUTHORIZED)
    portal.login(user)
    portal.remember_device(phone)
    portal.audit('login', resource=user, detail=action)
    return portal.redirect(next_path or '/')


@portal_route('/logout', methods=('POST',))
def logout(portal):
    user = portal.user
    portal.logout()
    portal.audit('logout', resource=user, web_user=user)
    return portal.redirect('/login')


@portal_route('/reset', methods=('GET', 'POST'), login=False)
def reset(portal):
    pool = portal.pool
    WebUser = pool.get('web.user')
    if portal.request.method == 'GET':
        return portal.render('laisui_base/reset.html', form={})
    form = _form(portal)
    errors = {}
    phone = _phone(form, errors)
    if form.get('action') == 'send_code':
        return _code_page(portal, 'laisui_base/reset.html', form, phone,
            'reset', errors)
    errors.update(password_errors(pool, form.get('password', ''),
            form.get('password2', ''), personal=(phone,)))
    code_error = _code_error(pool, phone, 'reset', form.get('code'),
        keep=bool(errors))
    if code_error:
        errors['code'] = code_error
    if errors:
        return portal.render('laisui_base/reset.html', form=form,
            errors=_in_order(errors, RESET_FIELDS),
            status=HTTPStatus.BAD_REQUEST)
    # A right code was sent to a registered number only.
    user, = WebUser.search([('phone', '=', phone)], limit=1)
    WebUser.write([user], {'password': form['password']})
    # Every other session ends; the owner is told by SMS.
    WebUser.end_sessions([user])
    pool.get('laisui.sms.message').queue(
        phone, 'password_changed', check_rate=False)
    portal.audit('password_reset', resource=user, web_user=user)
    return portal.render('laisui_base/login.html', form={'phone': phone},
        info=gettext('laisui_base.msg_password_reset_done'))


@portal_route('/password', methods=('GET', 'POST'))
def change_password(portal):
    "The signed-in user's new password, with the current one and a code"
    pool = portal.pool
    WebUser = pool.get('web.user')
    user = portal.user
    if portal.request.method == 'GET':
        return portal.render('laisui_base/password.html', form={})
    form = _form(portal)
    errors = {}
    if form.get('action') == 'send_code':
        return _code_page(portal, 'laisui_base/password.html', form,
            user.phone, 'password', errors)
    current = form.get('current_password', '')
    new = form.get('password', '')
    if not current:
        errors['current_password'] = gettext(
            'laisui_base.msg_password_missing')
    # Throttled as a sign-in: the form cannot be used to guess it.
    elif WebUser.authenticate_phone(user.phone, current,
            device=portal.device_for(user.phone)) != user:
        errors['current_password'] = gettext(
            'laisui_base.msg_current_password_wrong')
        portal.audit('password_change', resource=user, success=False,
            detail='current_password')
    errors.update(password_errors(pool, new, form.get('password2', ''),
            personal=user.password_personal()))
    if current and new == current and 'password' not in errors:
        errors['password'] = gettext('laisui_base.msg_password_same')
    code_error = _code_error(pool, user.phone, 'password', form.get('code'),
        keep=bool(errors))
    if code_error:
        errors['code'] = code_error
    if errors:
        return portal.render('laisui_base/password.html', form=form,
            errors=_in_order(errors, CHANGE_FIELDS),
            status=HTTPStatus.BAD_REQUEST)
    WebUser.write([user], {'password': new})
    # The other sessions end (ASVS 7.4.3), this one stays; the owner is
    # told by SMS.
    WebUser.end_sessions([user], keep=portal.session_key)
    pool.get('laisui.sms.message').queue(
        user.phone, 'password_changed', check_rate=False)
    portal.audit('password_change', resource=user)
    return portal.render('laisui_base/password.html', form={},
        info=gettext('laisui_base.msg_password_changed'))


@portal_route('/session/keepalive')
def keepalive(portal):
    """The 继续 of the warning before the session ends (portal.js): the
    session is used again, 204 and its new seconds left"""
    Session = portal.pool.get('web.user.session')
    Session.reset(portal.session_key)
    session, = Session.search([('key', '=', portal.session_key)])
    response = Response(status=HTTPStatus.NO_CONTENT)
    response.headers['X-Session-Seconds'] = str(session.seconds_left)
    return portal.finish(response)


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
