# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""HTTP hardening over trytond's WSGI application: security headers on
every kind of response, cookie flags, bad input answered 400 in zh_CN,
repeated security failures counted instead of logged one by one."""
import configparser
import datetime as dt
import json
import re
from pathlib import Path
from unittest.mock import patch

import trytond.config as config
from trytond.modules.laisui_base import http_headers
from trytond.modules.laisui_base.tests.tools import PortalTestMixin
from trytond.pool import Pool
from trytond.tests.test_tryton import RouteTestCase
from trytond.transaction import Transaction

PRODUCTION_CONF = (
    Path(__file__).resolve().parents[3] / 'config' / 'production.conf')
# A frozen hour for the failure counters
NOW = dt.datetime(2026, 6, 1, 10, 15)


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
                context={'laisui_now': now}) as transaction:
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


del RouteTestCase
