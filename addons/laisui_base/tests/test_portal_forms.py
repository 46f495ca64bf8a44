# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The sign-up, sign-in, reset and password forms keep what was typed and
list every error at once, tied to its field; an expired session or a
second tab loses nothing silently; the signed-in user changes the
password with the current one and an SMS code."""
import datetime as dt
import html
import re
from pathlib import Path

from trytond.modules.laisui_base.tests.test_staff import setting
from trytond.modules.laisui_base.tests.tools import (
    CSRF, PASSWORD, PortalTestMixin)
from trytond.pool import Pool
from trytond.tests.test_tryton import RouteTestCase
from trytond.transaction import Transaction

FORBIDDEN = (
    Path(__file__).resolve().parents[3] / 'config' / 'password_forbidden.txt')
ID_NUMBER = '440524199001011221'
# Its check digit is wrong (the right one is 1).
BAD_ID_NUMBER = '440104199001011230'
NEW_PASSWORD = 'Xin-Mima-2020'

# The messages, as the zh_CN texts say them
CODE_WRONG = '验证码错误，请核对后重新输入。'
CODE_MISSING = '请输入短信验证码。'
CODE_EXPIRED = '验证码已过期，请重新获取。'
NAME_INVALID = '请输入真实姓名（2至30个字）。'
ID_CHECKSUM = '身份证号码校验位错误，请核对后重新输入。'
PHONE_INVALID = '请输入有效的手机号码（以1开头的11位数字）。'
TOO_SHORT = '密码至少需要 8 个字符。'
BLOCKLISTED = '密码已被禁止'
PERSONAL = '密码不能包含您的手机号码或身份证号码。'
MISMATCH = '两次输入的密码不一致。'
SAME = '新密码不能与当前密码相同。'
NO_CONSENT = '请阅读并勾选同意个人信息处理说明。'
CURRENT_WRONG = '当前密码错误，请重新输入。'
SESSION_EXPIRED = '登录已过期，请重新登录后再次提交'
CSRF_EXPIRED = '页面已过期'
PER_MINUTE = '1分钟内'


class PortalFormsTestCase(PortalTestMixin, RouteTestCase):
    "Portal forms"
    module = 'laisui_base'
    language = 'zh_CN'

    def setUp(self):
        super().setUp()
        # The policy of config/*.conf: 8 characters, the blocklist.
        self.enterContext(setting('password', 'length', '8'))
        self.enterContext(setting('password', 'forbidden', str(FORBIDDEN)))

    # Helpers ---------------------------------------------------------------
    def input_tag(self, page, name):
        "The <input> of the field named name"
        found = re.search(r'<input [^>]*\bname="%s"[^>]*>' % name, page)
        self.assertTrue(found, name)
        return found.group(0)

    def assertKept(self, page, values):
        "Every input shows the value typed"
        for name, value in values.items():
            with self.subTest(kept=name):
                tag = self.input_tag(page, name)
                if name == 'consent':
                    self.assertEqual(' checked' in tag, bool(value))
                else:
                    self.assertIn(
                        'value="%s"' % html.escape(value, quote=True), tag)

    def assertErrors(self, response, messages, status=400):
        """The page lists exactly these {field: message}, in the summary
        linked to the field and beside its input"""
        self.assertEqual(response.status_code, status)
        page = response.text
        self.assertIn(f'请修改以下 {len(messages)} 处后再提交', page)
        summary = re.search(
            r'<div class="alert error summary" id="error-summary"'
            r'.*?</div>', page, re.S).group(0)
        self.assertEqual(len(re.findall('<li>', summary)), len(messages))
        for name, message in messages.items():
            with self.subTest(error=name):
                self.assertIn(
                    f'<a href="#input-{name}">{message}', summary)
                self.assertIn(
                    f'<strong class="field-error" id="error-{name}">'
                    f'{message}', page)
                tag = self.input_tag(page, name)
                self.assertIn(f'id="input-{name}"', tag)
                self.assertIn('aria-invalid="true"', tag)
                self.assertRegex(tag, rf'aria-describedby="[^"]*error-{name}')

    def web_users(self, phone):
        with Transaction().start(self.db_name, 0):
            WebUser = Pool().get('web.user')
            return WebUser.search_count([('phone', '=', phone)])

    def password_hash(self, phone):
        with Transaction().start(self.db_name, 0):
            WebUser = Pool().get('web.user')
            user, = WebUser.search([('phone', '=', phone)])
            return user.password_hash

    def sessions(self, phone):
        with Transaction().start(self.db_name, 0):
            Session = Pool().get('web.user.session')
            return Session.search_count([('user.phone', '=', phone)])

    def age_sessions(self, phone, minutes):
        "Make the phone's sessions unused for minutes"
        with Transaction().start(self.db_name, 0) as transaction:
            Session = Pool().get('web.user.session')
            table = Session.__table__()
            ids = [s.id for s in Session.search([('user.phone', '=', phone)])]
            past = dt.datetime.now() - dt.timedelta(minutes=minutes)
            transaction.connection.cursor().execute(*table.update(
                    [table.create_date, table.write_date], [past, past],
                    where=table.id.in_(ids)))
            transaction.commit()

    def expire_codes(self, phone):
        with Transaction().start(self.db_name, 0) as transaction:
            Code = Pool().get('laisui.verification.code')
            table = Code.__table__()
            transaction.connection.cursor().execute(*table.update(
                    [table.expires_at],
                    [dt.datetime.utcnow() - dt.timedelta(seconds=1)],
                    where=table.phone == phone))
            transaction.commit()

    def sms_count(self, phone):
        with Transaction().start(self.db_name, 0):
            Message = Pool().get('laisui.sms.message')
            return Message.search_count([('phone', '=', phone)])

    def audits(self, action, phone, success=True):
        with Transaction().start(self.db_name, 0):
            AuditLog = Pool().get('laisui.audit.log')
            return AuditLog.search_count([
                    ('action', '=', action),
                    ('web_user.phone', '=', phone),
                    ('success', '=', success),
                    ])

    def sign_up(self, client, phone, id_number=ID_NUMBER):
        response = self.register(client, phone, id_number)
        self.assertEqual(response.status_code, 302)
        # The next code may be asked for at once.
        self.let_time_pass(phone)

    def code_for(self, client, path, phone=None):
        data = {'action': 'send_code'}
        if phone:
            data['phone'] = phone
        response = self.post(client, path, data)
        self.assertEqual(response.status_code, 200, response.text)
        return response

    # Registration ----------------------------------------------------------
    def test_register_lists_every_error(self):
        "All the errors of a registration at once, everything typed kept"
        client = self.client()
        phone = '13700137001'
        self.code_for(client, '/register', phone)
        code = self.last_code(phone)
        wrong = '000000' if code != '000000' else '111111'
        typed = {
            'phone': phone, 'code': wrong, 'name': '',
            'id_number': BAD_ID_NUMBER, 'password': 'Ab-1234',
            'password2': 'Ab-12345'}
        response = self.post(client, '/register',
            dict(typed, action='register'))
        self.assertErrors(response, {
                'code': CODE_WRONG,
                'name': NAME_INVALID,
                'id_number': ID_CHECKSUM,
                'password': TOO_SHORT,
                'password2': MISMATCH,
                'consent': NO_CONSENT,
                })
        self.assertKept(response.text, dict(typed, consent=''))
        # In the order of the form
        self.assertLess(response.text.index('href="#input-code"'),
            response.text.index('href="#input-consent"'))
        self.assertIn(
            f'<a href="/{self.db_name}/portal/privacy"', response.text)
        self.assertEqual(self.web_users(phone), 0)

    def test_register_each_bad_input(self):
        """Each bad input alone: 400 with its message tied to its field,
        everything kept, nobody registered; the code stays usable"""
        client = self.client()
        phone = '13700137002'
        self.code_for(client, '/register', phone)
        code = self.last_code(phone)
        wrong = '000000' if code != '000000' else '111111'
        good = {
            'phone': phone, 'code': code, 'name': '李红',
            'id_number': ID_NUMBER, 'password': PASSWORD,
            'password2': PASSWORD, 'consent': '1'}
        for change, errors in [
                ({'password': 'Ab-1234', 'password2': 'Ab-1234'},
                    {'password': TOO_SHORT}),
                ({'password': '12345678', 'password2': '12345678'},
                    {'password': BLOCKLISTED}),
                ({'password2': PASSWORD + 'x'}, {'password2': MISMATCH}),
                ({'password': f'x{phone}x', 'password2': f'x{phone}x'},
                    {'password': PERSONAL}),
                ({'password': f'{ID_NUMBER}', 'password2': f'{ID_NUMBER}'},
                    {'password': PERSONAL}),
                ({'consent': ''}, {'consent': NO_CONSENT}),
                ({'name': '李'}, {'name': NAME_INVALID}),
                ({'id_number': BAD_ID_NUMBER}, {'id_number': ID_CHECKSUM}),
                ({'phone': '1370013700'}, {'phone': PHONE_INVALID}),
                ({'code': ''}, {'code': CODE_MISSING}),
                ({'code': wrong}, {'code': CODE_WRONG}),
                ]:
            with self.subTest(change=change):
                typed = dict(good, **change)
                if not typed['consent']:
                    del typed['consent']
                response = self.post(client, '/register',
                    dict(typed, action='register'))
                self.assertErrors(response, errors)
                self.assertKept(response.text, dict(good, **change))
                self.assertEqual(self.web_users(phone), 0)
                self.assertEqual(self.audits('register', phone), 0)
        # The right code, refused only for the other fields, still works.
        response = self.post(client, '/register', dict(good,
                action='register'))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.web_users(phone), 1)

    def test_register_code_expired(self):
        "An expired code is said so, with the other errors"
        client = self.client()
        phone = '13700137003'
        self.code_for(client, '/register', phone)
        code = self.last_code(phone)
        self.expire_codes(phone)
        response = self.post(client, '/register', {
                'phone': phone, 'code': code, 'name': '李红',
                'id_number': ID_NUMBER, 'password': PASSWORD,
                'password2': PASSWORD, 'action': 'register'})
        self.assertErrors(response,
            {'code': CODE_EXPIRED, 'consent': NO_CONSENT})
        self.assertEqual(self.web_users(phone), 0)

    def test_code_button_waits(self):
        """After a code is sent the button counts down (portal.js); asked
        again within the minute the server refuses, tied to the code"""
        client = self.client()
        phone = '13700137004'
        page = client.get(self.url('/register')).text
        self.assertIn(f'<script src="/{self.db_name}/portal/static/'
            'portal.js" defer></script>', page)
        self.assertNotIn('data-wait', page)
        typed = {'phone': phone, 'name': '李红', 'password': PASSWORD}
        response = self.post(client, '/register',
            dict(typed, action='send_code'))
        self.assertIn('验证码已通过短信发送', response.text)
        self.assertIn('data-wait="60">重新发送</button>', response.text)
        self.assertKept(response.text, typed)
        response = self.post(client, '/register',
            dict(typed, action='send_code'))
        self.assertEqual(response.status_code, 400)
        self.assertIn(PER_MINUTE, re.search(
                r'id="error-code">([^<]*)', response.text).group(1))
        self.assertNotIn('data-wait', response.text)
        self.assertKept(response.text, typed)

        script = client.get(self.url('/static/portal.js'))
        self.assertEqual(script.status_code, 200)
        self.assertEqual(
            script.headers['Content-Type'], 'text/javascript; charset=utf-8')
        self.assertIn('data-wait', script.text)
        self.assertIn('您的登录即将过期，点击“继续”保持登录', script.text)
        self.assertEqual(
            client.get(self.url('/static/other.js')).status_code, 404)

    # Sign-in and reset -----------------------------------------------------
    def test_login_keeps_typed(self):
        client = self.client()
        phone = '13700137005'
        self.sign_up(self.client(), phone)
        response = self.post(client, '/login', {
                'phone': phone, 'password': 'wrong-password',
                'action': 'password'})
        self.assertEqual(response.status_code, 401)
        self.assertKept(response.text,
            {'phone': phone, 'password': 'wrong-password'})
        response = self.post(client, '/login', {
                'phone': '12345', 'action': 'password'})
        self.assertErrors(response, {
                'phone': PHONE_INVALID, 'password': '请输入密码。'})
        self.assertKept(response.text, {'phone': '12345'})
        # The code sign-in keeps the code.
        self.code_for(client, '/login', phone)
        response = self.post(client, '/login', {
                'phone': phone, 'code': '12345x', 'action': 'code'})
        self.assertEqual(response.status_code, 401)
        self.assertKept(response.text, {'phone': phone, 'code': '12345x'})

    def test_reset_lists_every_error(self):
        client = self.client()
        phone = '13700137006'
        self.sign_up(self.client(), phone)
        before = self.password_hash(phone)
        self.code_for(client, '/reset', phone)
        code = self.last_code(phone)
        typed = {'phone': phone, 'code': code, 'password': 'short',
            'password2': 'shorter'}
        response = self.post(client, '/reset', dict(typed, action='reset'))
        self.assertErrors(response, {
                'password': TOO_SHORT, 'password2': MISMATCH})
        self.assertKept(response.text, typed)
        self.assertEqual(self.password_hash(phone), before)
        self.assertEqual(self.audit_count('password_reset'), 0)
        # The code was right: it still is for the corrected form.
        response = self.post(client, '/reset', dict(typed,
                password=NEW_PASSWORD, password2=NEW_PASSWORD,
                action='reset'))
        self.assertEqual(response.status_code, 200)
        self.assertIn('密码已重置', response.text)
        self.assertNotEqual(self.password_hash(phone), before)

    # Session ----------------------------------------------------------------
    def test_expired_session_post(self):
        """A form posted after the session ended: the sign-in page says so
        (401), then the user is back on the form's page"""
        client = self.client()
        phone = '13700137007'
        self.sign_up(client, phone)
        token = self.token(client, '/password')
        self.enterContext(setting('session', 'web_timeout', '60'))
        self.age_sessions(phone, 2)
        typed = {'current_password': 'Typed-Secret-1',
            'password': 'Typed-Secret-2', 'code': '424242'}
        response = client.post(self.url('/password'),
            data=dict(typed, action='change', csrf_token=token),
            headers={'Referer': f'http://localhost{self.url("/password")}'})
        self.assertEqual(response.status_code, 401)
        page = response.text
        self.assertIn(SESSION_EXPIRED, page)
        self.assertIn('<h1>登录</h1>', page)
        self.assertIn('<input type="hidden" name="next" value="/password">',
            page)
        for value in typed.values():
            self.assertNotIn(value, page)
        self.assertEqual(self.sessions(phone), 0)

        response = client.post(self.url('/login'), data={
                'phone': phone, 'password': PASSWORD, 'action': 'password',
                'next': '/password', 'csrf_token': CSRF.search(page).group(1)})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            response.headers['Location'], self.url('/password'))
        self.assertEqual(client.get(self.url('/password')).status_code, 200)

        # A GET after the end goes to the sign-in page, then back.
        self.age_sessions(phone, 2)
        response = client.get(self.url('/password'))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response.headers['Location'],
            self.url('/login?next=%2Fpassword'))
        page = client.get(response.headers['Location']).text
        self.assertIn('<input type="hidden" name="next" value="/password">',
            page)

        # Without a Referer the path posted to is the way back; the GET
        # above already ended the session.
        self.assertEqual(self.sessions(phone), 0)
        response = client.post(self.url('/password'), data={
                'action': 'change', 'csrf_token': token})
        self.assertEqual(response.status_code, 401)
        self.assertIn('name="next" value="/password"', response.text)

    def test_no_open_redirect(self):
        "The way back after sign-in is a page of the portal, nothing else"
        client = self.client()
        phone = '13700137008'
        self.sign_up(self.client(), phone)
        for next_ in ['//evil.example', '//evil.example/portal',
                'https://evil.example/', 'http:evil.example',
                '/\\evil.example', '\\\\evil.example', '/%2e%2e/%2e%2e/x',
                '/../../evil', ' /points', '/login', '/logout',
                '/session/keepalive', 'javascript:alert(1)', '/a\tb']:
            with self.subTest(next=next_):
                page = client.get(self.url('/login'),
                    query_string={'next': next_}).text
                self.assertNotIn('name="next"', page)
                response = self.post(client, '/login', {
                        'phone': phone, 'password': PASSWORD,
                        'action': 'password', 'next': next_})
                self.assertEqual(response.status_code, 302)
                self.assertEqual(response.headers['Location'], self.url('/'))
                client.post(self.url('/logout'), data={
                        'csrf_token': self.token(client, '/password')})
        # A page of the portal, with its query
        response = self.post(client, '/login', {
                'phone': phone, 'password': PASSWORD, 'action': 'password',
                'next': '/password?from=menu'})
        self.assertEqual(response.headers['Location'],
            self.url('/password?from=menu'))
        # A foreign Referer is no way back either.
        self.age_sessions(phone, 60 * 24)
        response = client.post(self.url('/password'),
            data={'action': 'change'},
            headers={'Referer': 'https://evil.example/db/portal/points'})
        self.assertEqual(response.status_code, 401)
        self.assertIn('name="next" value="/password"', response.text)

    def test_keepalive(self):
        "The warning's 继续 uses the session again; signed out it cannot"
        client = self.client()
        phone = '13700137009'
        self.sign_up(client, phone)
        self.enterContext(setting('session', 'web_timeout', '600'))
        page = client.get(self.url('/password')).text
        seconds = int(re.search(
                r'<body[^>]* data-session-seconds="(\d+)"', page).group(1))
        self.assertTrue(590 <= seconds <= 600, seconds)
        self.assertIn(
            f'data-keepalive="/{self.db_name}/portal/session/keepalive"',
            page)
        self.age_sessions(phone, 9)
        response = client.get(self.url('/session/keepalive'))
        self.assertEqual(response.status_code, 204)
        self.assertEqual(response.data, b'')
        self.assertTrue(
            590 <= int(response.headers['X-Session-Seconds']) <= 600)
        self.assertEqual(response.headers['Cache-Control'], 'no-store')
        page = client.get(self.url('/password')).text
        seconds = int(re.search(
                r'data-session-seconds="(\d+)"', page).group(1))
        self.assertTrue(590 <= seconds <= 600, seconds)

        self.age_sessions(phone, 11)
        response = client.get(self.url('/session/keepalive'))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response.headers['Location'], self.url('/login'))
        page = self.client().get(self.url('/login')).text
        self.assertNotIn('data-session-seconds', page)

    # CSRF ------------------------------------------------------------------
    def test_second_tab_login_keeps_form(self):
        """Signing in again in another tab leaves the first tab's form
        working; another user's sign-in does not"""
        client = self.client()
        phone, other = '13700137010', '13700137011'
        self.sign_up(client, phone, '110101200002290018')
        self.sign_up(self.client(), other, '440104199001011232')
        first_tab = self.token(client, '/password')
        # The second tab: the same browser signs in again.
        response = self.post(client, '/login', {
                'phone': phone, 'password': PASSWORD, 'action': 'password'})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.sessions(phone), 1)
        response = client.post(self.url('/password'), data={
                'action': 'send_code', 'csrf_token': first_tab})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertIn('验证码已通过短信发送', response.text)

        # Somebody else signs in in the second tab: the first tab's form
        # was not theirs.
        self.post(client, '/login', {
                'phone': other, 'password': PASSWORD, 'action': 'password'})
        sent = self.sms_count(other)
        response = client.post(self.url('/password'), data={
                'action': 'send_code', 'csrf_token': first_tab})
        self.assertEqual(response.status_code, 403)
        self.assertIn(CSRF_EXPIRED, response.text)
        self.assertEqual(self.sms_count(other), sent)

    def test_csrf_failure_keeps_nothing(self):
        """A refused form is offered again, and nothing of it is shown"""
        client = self.client()
        phone = '13700137012'
        self.sign_up(client, phone)
        typed = {'current_password': 'Typed-Secret-1',
            'password': 'Typed-Secret-2', 'password2': 'Typed-Secret-2',
            'code': '424242'}
        response = client.post(self.url('/password'),
            data=dict(typed, action='change', csrf_token='forged'),
            headers={'Referer': f'http://localhost{self.url("/password")}'})
        self.assertEqual(response.status_code, 403)
        page = response.text
        self.assertIn(CSRF_EXPIRED, page)
        self.assertIn(
            f'<a href="/{self.db_name}/portal/password">重新填写</a>', page)
        for value in typed.values():
            self.assertNotIn(value, page)
        self.assertEqual(self.audits('password_change', phone), 0)

        # Anonymous: the sign-up form, nothing of it shown
        typed = {'phone': '13700137013', 'id_number': ID_NUMBER,
            'password': 'Typed-Secret-3', 'name': '王五'}
        response = self.client().post(self.url('/register'),
            data=dict(typed, action='register', csrf_token='forged'))
        self.assertEqual(response.status_code, 403)
        page = response.text
        self.assertIn(
            f'<a href="/{self.db_name}/portal/register">重新填写</a>', page)
        for value in typed.values():
            self.assertNotIn(value, page)

    # Password change -------------------------------------------------------
    def change(self, client, **values):
        data = {'current_password': PASSWORD, 'password': NEW_PASSWORD,
            'password2': NEW_PASSWORD, 'action': 'change'}
        data.update(values)
        return self.post(client, '/password', data)

    def assertUnchanged(self, phone, before):
        self.assertEqual(self.password_hash(phone), before)
        self.assertEqual(self.audits('password_change', phone), 0)
        self.assertNotIn('密码已修改', self.last_sms(phone))

    def test_password_change_refused(self):
        """Wrong current password, wrong code, weak new password: nothing
        changes, everything typed is kept"""
        client = self.client()
        phone = '13700137014'
        self.sign_up(client, phone, '110101199003071233')
        other = self.client()
        self.post(other, '/login', {
                'phone': phone, 'password': PASSWORD, 'action': 'password'})
        before = self.password_hash(phone)
        self.assertIn('验证码将发送到 137****7014',
            client.get(self.url('/password')).text)
        self.code_for(client, '/password')
        code = self.last_code(phone)
        wrong = '000000' if code != '000000' else '111111'
        for values, errors in [
                ({'current_password': 'Not-My-Password'},
                    {'current_password': CURRENT_WRONG}),
                ({'current_password': ''},
                    {'current_password': '请输入密码。'}),
                ({'code': wrong}, {'code': CODE_WRONG}),
                ({'code': ''}, {'code': CODE_MISSING}),
                ({'password': 'Ab-1234', 'password2': 'Ab-1234'},
                    {'password': TOO_SHORT}),
                ({'password': '88888888', 'password2': '88888888'},
                    {'password': BLOCKLISTED}),
                ({'password': f'a{phone}', 'password2': f'a{phone}'},
                    {'password': PERSONAL}),
                ({'password': PASSWORD, 'password2': PASSWORD},
                    {'password': SAME}),
                ({'password2': 'Xin-Mima-2021'}, {'password2': MISMATCH}),
                ({'current_password': 'Not-My-Password', 'code': wrong,
                        'password': 'short', 'password2': 'other'},
                    {'current_password': CURRENT_WRONG, 'code': CODE_WRONG,
                        'password': TOO_SHORT, 'password2': MISMATCH}),
                ]:
            with self.subTest(values=values):
                typed = dict({'code': code, 'current_password': PASSWORD,
                        'password': NEW_PASSWORD,
                        'password2': NEW_PASSWORD}, **values)
                response = self.change(client, **typed)
                self.assertErrors(response, errors)
                self.assertKept(response.text, typed)
                self.assertUnchanged(phone, before)
                self.assertEqual(self.sessions(phone), 2)
        # Failed checks of the current password are audited as such.
        self.assertEqual(
            self.audits('password_change', phone, success=False), 2)

    def test_password_change(self):
        """The other sessions end, this one stays, an SMS tells, the audit
        log has it; the new password signs in, the old does not"""
        client = self.client()
        phone = '13700137015'
        self.sign_up(client, phone, '110101199003071217')
        other = self.client()
        self.post(other, '/login', {
                'phone': phone, 'password': PASSWORD, 'action': 'password'})
        self.assertEqual(other.get(self.url('/password')).status_code, 200)
        self.assertIn(f'href="/{self.db_name}/portal/password">修改密码</a>',
            client.get(self.url('/password')).text)
        self.code_for(client, '/password')
        response = self.change(client, code=self.last_code(phone))
        self.assertEqual(response.status_code, 200, response.text)
        self.assertIn('密码已修改，其他设备已退出登录。', response.text)
        self.assertNotIn(NEW_PASSWORD, response.text)

        self.assertEqual(self.sessions(phone), 1)
        self.assertEqual(other.get(self.url('/password')).status_code, 302)
        # This tab's page got the token of the new password.
        response = client.post(self.url('/password'), data={
                'action': 'change',
                'csrf_token': CSRF.search(response.text).group(1)})
        self.assertEqual(response.status_code, 400)
        self.assertIn('其他设备已退出登录', self.last_sms(phone))
        self.assertEqual(self.audits('password_change', phone), 1)

        response = self.post(self.client(), '/login', {
                'phone': phone, 'password': PASSWORD, 'action': 'password'})
        self.assertEqual(response.status_code, 401)
        response = self.post(self.client(), '/login', {
                'phone': phone, 'password': NEW_PASSWORD,
                'action': 'password'})
        self.assertEqual(response.status_code, 302)

    def test_password_change_signed_in_only(self):
        response = self.client().get(self.url('/password'))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response.headers['Location'],
            self.url('/login?next=%2Fpassword'))


del RouteTestCase
