# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""HTTP hardening over trytond's WSGI application: security headers on
every kind of response, cookie flags, bad input answered 400 in zh_CN,
repeated security failures counted instead of logged one by one."""
import configparser
import contextlib
import datetime as dt
import json
import re
from pathlib import Path
from unittest.mock import patch

import trytond.config as config
from trytond.modules.laisui_base import http_headers
from trytond.modules.laisui_base.sms import (
    ADDRESS_LIMITS, GLOBAL_PER_HOUR, NETWORK_LIMITS)
from trytond.modules.laisui_base.tests.test_staff import setting
from trytond.modules.laisui_base.tests.tools import PASSWORD, PortalTestMixin
from trytond.modules.laisui_base.user import MAX_ATTEMPT_IP_ADDRESS
from trytond.pool import Pool
from trytond.tests.test_tryton import RouteTestCase
from trytond.transaction import Transaction

PRODUCTION_CONF = (
    Path(__file__).resolve().parents[3] / 'config' / 'production.conf')
# A frozen hour for the failure counters
NOW = dt.datetime(2026, 6, 1, 10, 15)
RATE_LIMITED = '操作过于频繁'
SMS_NETWORK = '您所在网络请求短信过于频繁'


class HttpHardeningTestCase(PortalTestMixin, RouteTestCase):
    "HTTP hardening"
    module = 'laisui_base'
    language = 'zh_CN'

    def assertSecurityHeaders(self, response):
        headers = response.headers
        self.assertEqual(headers.get('X-Frame-Options'), 'DENY')
        self.assertEqual(headers.get('X-Content-Type-Options'), 'nosniff')
        self.assertEqual(headers.get('Referrer-Policy'), 'same-origin')
        csp = headers.get('Content-Security-Policy', '')
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertIn("default-src 'self'", csp)
        self.assertNotIn("'unsafe-eval'", csp)
        script = re.search(r"script-src ([^;]*)", csp).group(1)
        self.assertNotIn("'unsafe-inline'", script)
        return csp

    def test_headers_back_office(self):
        "sao, JSON-RPC, REST and error answers all carry the headers"
        client = self.client()
        rpc = json.dumps({'id': 1, 'method': 'common.server.version',
                'params': []})
        for response in [
                client.get('/'),
                client.get('/no-such-file.js'),
                client.post('/rpc/', data=rpc,
                    content_type='application/json'),
                client.post(f'/{self.db_name}/rpc/', data=json.dumps({
                            'id': 1, 'method': 'model.res.user.read',
                            'params': [[1], ['login'], {}]}),
                    content_type='application/json'),
                client.get(f'/{self.db_name}/rest/model/res.user'),
                ]:
            with self.subTest(path=response.request.path,
                    status=response.status_code):
                self.assertSecurityHeaders(response)
        response = client.post('/rpc/', data=rpc,
            content_type='application/json')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers['Cache-Control'], 'no-store')

    def test_headers_sao_inline_script(self):
        "sao's one inline script runs by its hash, no other inline script"
        root = config.get('web', 'root')
        if not root or not Path(root, 'index.html').exists():
            self.skipTest("no sao in [web] root")
        response = self.client().get('/')
        self.assertEqual(response.status_code, 200)
        csp = self.assertSecurityHeaders(response)
        hashes = http_headers._inline_hashes(str(Path(root, 'index.html')))
        self.assertTrue(hashes)
        for source in hashes:
            self.assertIn(source, csp)
        # Static files keep their own caching.
        self.assertIn('max-age', response.headers['Cache-Control'])

    def test_headers_portal(self):
        "Portal pages keep their stricter policy and no-store"
        client = self.client()
        for response in [
                client.get(self.url('/login')),
                client.get(self.url('/no-such-page')),
                ]:
            with self.subTest(status=response.status_code):
                csp = self.assertSecurityHeaders(response)
                self.assertEqual(csp, http_headers.PAGE_CSP)
                self.assertEqual(
                    response.headers['Cache-Control'], 'no-store')

    def test_foreign_origin(self):
        "A foreign Origin is refused with 403, not a server error"
        response = self.client().post(self.url('/login'),
            headers={'Origin': 'http://evil.example'},
            data={'phone': '13800138000'})
        self.assertEqual(response.status_code, 403)
        self.assertSecurityHeaders(response)

    def test_production_cookie_flags(self):
        "production.conf makes the portal's cookies Secure"
        if not PRODUCTION_CONF.exists():
            self.skipTest("no config/production.conf")
        production = configparser.ConfigParser()
        production.read(PRODUCTION_CONF)
        self.assertTrue(production.getboolean(
                'laisui', 'secure_cookies', fallback=False))
        if not config.has_section('laisui'):
            config.add_section('laisui')
        config.set('laisui', 'secure_cookies', 'True')
        self.addCleanup(config.set, 'laisui', 'secure_cookies', 'False')
        # Behind the proxy the request comes as plain HTTP.
        response = self.client().get(self.url('/login'))
        cookie, = response.headers.getlist('Set-Cookie')
        self.assertTrue(cookie.startswith('laisui_csrf='))
        for flag in ['Secure', 'HttpOnly', 'SameSite=Lax',
                f'Path=/{self.db_name}/portal']:
            self.assertIn(flag, cookie.split('; '))

        # Without the option (development) Secure follows the scheme.
        config.set('laisui', 'secure_cookies', 'False')
        cookie, = self.client().get(
            self.url('/login')).headers.getlist('Set-Cookie')
        self.assertNotIn('Secure', cookie.split('; '))
        self.assertIn('HttpOnly', cookie.split('; '))
        cookie, = self.client().get(self.url('/login'),
            base_url='https://localhost/').headers.getlist('Set-Cookie')
        self.assertIn('Secure', cookie.split('; '))

    def test_non_ascii_csrf_token(self):
        "A token no portal could have issued: 400 in zh_CN, nothing sent"
        client = self.client()
        phone = '13800138101'
        self.token(client, '/register')
        response = client.post(self.url('/register'), data={
                'phone': phone, 'action': 'send_code',
                'csrf_token': '令牌' * 32})
        self.assertEqual(response.status_code, 400)
        self.assertIn('请求内容有误', response.text)
        self.assertIn('返回首页', response.text)
        self.assertIsNone(self.last_sms(phone))

    def test_unknown_page_and_method(self):
        "The portal's own zh_CN page for a wrong URL or method"
        client = self.client()
        response = client.get(self.url('/no-such-page'))
        self.assertEqual(response.status_code, 404)
        self.assertIn('页面不存在', response.text)
        self.assertIn('lang="zh-CN"', response.text)
        response = client.get(self.url('/logout'))
        self.assertEqual(response.status_code, 405)
        self.assertIn('不支持此访问方式', response.text)
        self.assertIn('POST', response.headers['Allow'])
        # Outside the portal trytond's own answer stays (405: its CORS
        # rule takes OPTIONS on any path).
        response = client.get(f'/{self.db_name}/no-such-path')
        self.assertEqual(response.status_code, 405)
        self.assertNotIn('页面不存在', response.text)

    def test_birth_year_1880_refused(self):
        client = self.client()
        response = self.register(client, '13800138102', '440524188001010014')
        self.assertEqual(response.status_code, 400)
        self.assertIn('出生日期不合理', response.text)
        with Transaction().start(self.db_name, 0):
            WebUser = Pool().get('web.user')
            self.assertFalse(WebUser.search([('phone', '=', '13800138102')]))

    def failures(self, address, detail):
        "The audit rows about address whose detail starts with detail"
        with Transaction().start(self.db_name, 0):
            AuditLog = Pool().get('laisui.audit.log')
            return [(e.detail, e.success) for e in AuditLog.search([
                        ('ip_address', '=', address),
                        ('detail', 'like', f'{detail}%'),
                        ], order=[('id', 'ASC')])]

    def flush(self, now):
        with Transaction().start(self.db_name, 0,
                context={'_laisui_now': now}) as transaction:
            Counter = Pool().get('laisui.security.counter')
            Counter.flush()
            left = Counter.search_count([])
            transaction.commit()
            return left

    def test_csrf_failures_counted(self):
        "1,000 forged forms from one address: two audit rows, the count"
        address = '203.0.113.7'
        client = self.client()
        with patch('trytond.modules.laisui_base.clock.now',
                return_value=NOW):
            statuses = {client.post(self.url('/login'), data={
                        'phone': '13800138000', 'csrf_token': 'forged'},
                    environ_base={'REMOTE_ADDR': address}).status_code
                for _ in range(1000)}
        self.assertEqual(statuses, {403})
        self.assertEqual(self.failures(address, 'CSRF'), [('CSRF', False)])
        # The window is still open: nothing more yet.
        self.assertTrue(self.flush(NOW + dt.timedelta(minutes=30)))
        self.assertEqual(len(self.failures(address, 'CSRF')), 1)

        self.assertEqual(self.flush(NOW + dt.timedelta(hours=1)), 0)
        rows = self.failures(address, 'CSRF')
        self.assertEqual(len(rows), 2)
        summary, success = rows[-1]
        self.assertFalse(success)
        self.assertIn('×1000 ', summary)
        self.assertIn('2026-06-01 10:00–11:00 UTC', summary)
        # Another address has its own first row.
        other = '198.51.100.9'
        with patch('trytond.modules.laisui_base.clock.now',
                return_value=NOW):
            self.client().post(self.url('/login'), data={
                    'phone': '13800138000', 'csrf_token': 'forged'},
                environ_base={'REMOTE_ADDR': other})
        self.assertEqual(self.failures(other, 'CSRF'), [('CSRF', False)])

    def test_throttled_logins_counted(self):
        "Throttled sign-ins are in the audit log, counted"
        address = '203.0.113.8'
        config.set('session', 'max_attempt', '1')
        self.addCleanup(config.set, 'session', 'max_attempt', '5')
        client = self.client()
        with patch('trytond.modules.laisui_base.clock.now',
                return_value=NOW):
            statuses = [self.post(client, '/login', {
                        'phone': '13800138103', 'password': f'guess-{i}',
                        'action': 'password'},
                    environ_base={'REMOTE_ADDR': address}).status_code
                for i in range(12)]
        self.assertEqual(statuses, [401, 401] + [429] * 10)
        self.assertEqual(
            self.failures(address, 'rate limit'), [('rate limit', False)])
        self.flush(NOW + dt.timedelta(hours=1))
        summary = self.failures(address, 'rate limit')[-1][0]
        self.assertIn('×10 ', summary)

    def make_web_users(self, phones):
        "Portal accounts of phones, all with PASSWORD, made at once"
        with Transaction().start(self.db_name, 0) as transaction:
            WebUser = Pool().get('web.user')
            hash_ = WebUser.hash_password(PASSWORD)
            # By ten: SQLite's parser cannot check the unique phones of
            # hundreds in one query.
            for i in range(0, len(phones), 10):
                WebUser.create([{'phone': p, 'password_hash': hash_}
                        for p in phones[i:i + 10]])
            transaction.commit()

    def sign_in(self, client, phone, address, password=PASSWORD):
        return self.post(client, '/login', {
                'phone': phone, 'password': password, 'action': 'password'},
            environ_base={'REMOTE_ADDR': address})

    def send_code(self, client, phone, address, path='/login'):
        return self.post(client, path, {
                'phone': phone, 'action': 'send_code'},
            environ_base={'REMOTE_ADDR': address})

    def failures_of(self, column, value):
        "Failed sign-ins of the address or network still counted"
        with Transaction().start(self.db_name, 0):
            Attempt = Pool().get('web.user.authenticate.attempt')
            return Attempt.search_count([(column, '=', value)])

    def production(self, section, option):
        production = configparser.ConfigParser()
        production.read(PRODUCTION_CONF)
        return production.get(section, option)

    def test_production_nat_limits(self):
        "production.conf counts /24 and /56 networks, above one address"
        if not PRODUCTION_CONF.exists():
            self.skipTest("no config/production.conf")
        self.assertEqual(self.production('session', 'ip_network_4'), '24')
        self.assertEqual(self.production('session', 'ip_network_6'), '56')
        address = int(self.production('laisui', 'max_attempt_ip_address'))
        network = int(self.production('session', 'max_attempt_ip_network'))
        self.assertGreater(network, address)
        # Sized for ~2,000 sign-ins an hour behind one NAT address.
        self.assertGreaterEqual(address, 200)
        # The code's defaults are the file's numbers.
        self.assertEqual(address, MAX_ATTEMPT_IP_ADDRESS)
        for option, default in [
                (o, d) for _, _, o, d in ADDRESS_LIMITS + NETWORK_LIMITS] + [
                ('global_per_hour', GLOBAL_PER_HOUR)]:
            with self.subTest(option=option):
                self.assertEqual(
                    int(self.production('laisui_sms', option)), default)
                self.assertGreater(default, 2000)

    def production_limits(self):
        "The sign-in limits of production.conf"
        if not PRODUCTION_CONF.exists():
            self.skipTest("no config/production.conf")
        return [setting(section, option, self.production(section, option))
            for section, option in [
                ('session', 'ip_network_4'),
                ('session', 'ip_network_6'),
                ('session', 'max_attempt_ip_network'),
                ('laisui', 'max_attempt_ip_address'),
                ]]

    def test_nat_parents_sign_in(self):
        """200 parents behind one carrier NAT address all sign in under the
        production limits, with the failures production.conf is sized for:
        one in ten mistypes first, and the ~100 failures of those who do
        not get in stay counted"""
        address = '198.18.0.1'
        parents = [f'1371000{i:04d}' for i in range(200)]
        forgetful = [f'1371001{i:04d}' for i in range(25)]
        self.make_web_users(parents + forgetful)
        with contextlib.ExitStack() as stack:
            for limit in self.production_limits():
                stack.enter_context(limit)
            statuses = []
            for i, phone in enumerate(parents):
                client = self.client()
                if i % 10 == 0:
                    statuses.append(self.sign_in(
                            client, phone, address, 'wrong-mima').status_code)
                if i % 8 == 0:
                    # Forgotten: four tries, then gives up (or resets).
                    other = self.client()
                    for _ in range(4):
                        statuses.append(self.sign_in(other,
                                forgetful[i // 8], address,
                                'forgotten').status_code)
                response = self.sign_in(client, phone, address)
                self.assertEqual(response.status_code, 302, phone)
                self.assertIn('laisui_device=', ', '.join(
                        response.headers.getlist('Set-Cookie')))
        self.assertEqual(statuses, [401] * 120)
        # A success removes the failures of its phone: those of the
        # forgetful are all the address still counts.
        self.assertEqual(self.failures_of('ip_address', address), 100)
        self.assertEqual(
            self.failures_of('ip_network', '198.18.0.0/24'), 100)

    def test_sign_in_address_limit(self):
        """Past the address's failures a new browser is refused at once,
        a parent who signed in from this browser before is not"""
        address = '198.18.1.10'
        parent, other = '13710020001', '13710020002'
        self.make_web_users([parent, other])
        known = self.client()
        self.assertEqual(
            self.sign_in(known, parent, '198.18.9.9').status_code, 302)
        with setting('laisui', 'max_attempt_ip_address', '3'):
            # The 3rd failure is counted, the 4th try is refused, even
            # with the right password (no oracle behind the 429).
            statuses = [self.sign_in(self.client(), f'1371003000{i}',
                    address, 'guess').status_code for i in range(3)]
            self.assertEqual(statuses, [401, 401, 401])
            response = self.sign_in(self.client(), other, address)
            self.assertEqual(response.status_code, 429)
            self.assertEqual(response.headers['Retry-After'],
                str(config.getint('session', 'timeout')))
            self.assertIn(RATE_LIMITED, response.text)
            self.assertNotIn('laisui_session=', ', '.join(
                    response.headers.getlist('Set-Cookie')))
            # The parent's browser: its own allowance only.
            self.assertEqual(self.sign_in(
                    known, parent, address, 'typo').status_code, 401)
            self.assertEqual(
                self.sign_in(known, parent, address).status_code, 302)
            # Its cookie is for its own number, not the others.
            self.assertEqual(
                self.sign_in(known, other, address).status_code, 429)
            # Another address (a network of its own without
            # production.conf) signs in.
            self.assertEqual(self.sign_in(
                    self.client(), other, '198.18.1.11').status_code, 302)
        self.assertEqual(self.failures_of('ip_address', address), 3)

    def test_sign_in_network_limit(self):
        "Past the failures of a /24 (/56) its other addresses are refused"
        for family, addresses, inside, outside, network in [
                (4, ['198.18.2.1', '198.18.2.254'], '198.18.2.77',
                    '198.18.3.1', '198.18.2.0/24'),
                (6, ['2001:db8:0:1100::1', '2001:db8:0:11ff:ab::2'],
                    '2001:db8:0:1180::3', '2001:db8:0:1200::1',
                    '2001:db8:0:1100::/56'),
                ]:
            phone = f'137100{family}0001'
            self.make_web_users([phone])
            with self.subTest(family=family), \
                    setting('session', 'ip_network_4', '24'), \
                    setting('session', 'ip_network_6', '56'), \
                    setting('session', 'max_attempt_ip_network', '4'):
                # Four failures of two addresses: the 4th is counted.
                statuses = [self.sign_in(self.client(),
                        f'137100{family}{i:04d}', address, 'guess'
                        ).status_code
                    for i, address in enumerate(addresses * 2, 100)]
                self.assertEqual(statuses, [401] * 4)
                self.assertEqual(self.failures_of('ip_network', network), 4)
                response = self.sign_in(self.client(), phone, inside)
                self.assertEqual(response.status_code, 429)
                self.assertIn(RATE_LIMITED, response.text)
                self.assertEqual(self.sign_in(
                        self.client(), phone, outside).status_code, 302)

    def test_nat_registration_codes(self):
        "50 registration codes from one address: all sent"
        address = '198.18.4.1'
        phones = [f'1371005{i:04d}' for i in range(50)]
        for phone in phones:
            response = self.send_code(
                self.client(), phone, address, '/register')
            self.assertEqual(response.status_code, 200, phone)
        self.assertTrue(all(self.last_code(p) for p in phones))

    def test_sms_known_device(self):
        """A parent's browser gets its login code past its NAT address's
        SMS limit; the phone's limits and the site's cap still hold"""
        address = '198.18.5.1'
        parent = '13710070001'
        self.make_web_users([parent])
        known = self.client()
        self.assertEqual(
            self.sign_in(known, parent, '198.18.9.9').status_code, 302)
        with setting('laisui_sms', 'ip_per_hour', '2'):
            for i in range(2):
                response = self.send_code(
                    self.client(), f'1371007100{i}', address)
                self.assertEqual(response.status_code, 200)
            # A new browser is refused, nothing is sent.
            response = self.send_code(self.client(), parent, address)
            self.assertEqual(response.status_code, 400)
            self.assertIn(SMS_NETWORK, response.text)
            self.assertIsNone(self.last_sms(parent))
            # Registration and reset codes are not exempt.
            for path in ['/register', '/reset']:
                response = self.send_code(known, parent, address, path)
                self.assertEqual(response.status_code, 400, path)
                self.assertIn(SMS_NETWORK, response.text)
            self.assertIsNone(self.last_sms(parent))
            # The known browser gets its login code, and signs in with it.
            response = self.send_code(known, parent, address)
            self.assertEqual(response.status_code, 200)
            code = self.last_code(parent)
            self.assertTrue(code)
            # Not a second one within the minute (per phone).
            response = self.send_code(known, parent, address)
            self.assertEqual(response.status_code, 400)
            self.assertIn('1分钟内', response.text)
            self.assertEqual(self.last_code(parent), code)
            response = self.post(known, '/login', {
                    'phone': parent, 'code': code, 'action': 'code'},
                environ_base={'REMOTE_ADDR': address})
            self.assertEqual(response.status_code, 302)
        # Nor past the site's cap.
        self.let_time_pass(parent)
        with setting('laisui_sms', 'global_per_hour', '0'):
            response = self.send_code(known, parent, address)
            self.assertEqual(response.status_code, 400)
            self.assertIn('当前短信发送繁忙', response.text)
        self.assertEqual(self.last_code(parent), code)


del RouteTestCase
