# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Every error the applicant portal answers is its own zh_CN page: the
status, the portal layout, a link back, the page headers, no English text
of werkzeug and no traceback, also when the error comes before or outside
a portal handler."""
from unittest.mock import patch

from trytond.exceptions import RateLimitException
from trytond.modules.laisui_base import http_headers
from trytond.modules.laisui_base.tests.tools import PortalTestMixin
from trytond.pool import Pool
from trytond.tests.test_tryton import RouteTestCase
from trytond.transaction import Transaction

ENGLISH = [
    'Bad Request', 'Forbidden', 'Not Found', 'Method Not Allowed',
    'Request Entity Too Large', 'Too Many Requests',
    'Internal Server Error', 'Traceback']
# Above the 2 MiB that a portal page without uploads takes
TOO_LARGE = 3 * 1024 * 1024
SECRET = 'laisui-secret-detail-7f3a'


class PortalErrorsTestCase(PortalTestMixin, RouteTestCase):
    "Portal error pages"
    module = 'laisui_base'
    language = 'zh_CN'

    def assertErrorPage(self, response, status, text):
        "response is the portal's zh_CN page for status saying text"
        self.assertEqual(response.status_code, status)
        self.assertTrue(response.content_type.startswith('text/html'))
        html = response.text
        self.assertIn('lang="zh-CN"', html)
        self.assertIn('越秀区来穗人员积分制服务', html)
        self.assertIn(text, html)
        self.assertIn(f'<a href="/{self.db_name}/portal/">返回首页</a>', html)
        for english in ENGLISH:
            self.assertNotIn(english, html)
        headers = response.headers
        self.assertEqual(headers['Cache-Control'], 'no-store')
        self.assertEqual(
            headers['Content-Security-Policy'], http_headers.PAGE_CSP)
        self.assertEqual(headers['X-Frame-Options'], 'DENY')
        self.assertEqual(headers['X-Content-Type-Options'], 'nosniff')
        self.assertEqual(headers['Referrer-Policy'], 'same-origin')

    def web_users(self, phone):
        with Transaction().start(self.db_name, 0):
            WebUser = Pool().get('web.user')
            return WebUser.search_count([('phone', '=', phone)])

    def test_400(self):
        "A form token no portal could have issued: 400"
        client = self.client()
        self.token(client, '/register')
        response = client.post(self.url('/register'), data={
                'phone': '13800138201', 'action': 'send_code',
                'csrf_token': '令牌'})
        self.assertErrorPage(response, 400, '请求内容有误')

    def test_403_csrf(self):
        "A form without its token: 403"
        response = self.client().post(self.url('/login'), data={
                'phone': '13800138202', 'csrf_token': 'forged'})
        self.assertErrorPage(response, 403, '页面已过期')

    def test_403_foreign_origin(self):
        "A foreign Origin, refused before any portal handler: 403"
        response = self.client().post(self.url('/login'),
            headers={'Origin': 'http://evil.example'},
            data={'phone': '13800138203'})
        self.assertErrorPage(response, 403, '您无权访问该页面')

    def test_404(self):
        "An unknown URL under the portal: 404, the day before and after"
        client = self.client()
        for path in ['/no-such-page', '/services', '/login/extra',
                '/static/other.css']:
            with self.subTest(path=path):
                self.assertErrorPage(
                    client.get(self.url(path)), 404, '页面不存在')

    def test_404_unknown_database(self):
        "A database that does not exist: the portal's 404"
        response = self.client().get('/no_such_db/portal/login')
        self.assertEqual(response.status_code, 404)
        self.assertIn('页面不存在', response.text)
        self.assertNotIn('Not Found', response.text)

    def test_405(self):
        "A wrong method: 405 with Allow"
        client = self.client()
        response = client.get(self.url('/logout'))
        self.assertErrorPage(response, 405, '不支持此访问方式')
        self.assertIn('POST', response.headers['Allow'])
        response = client.delete(self.url('/login'))
        self.assertErrorPage(response, 405, '不支持此访问方式')
        self.assertEqual(
            set(response.headers['Allow'].split(', ')) - {'HEAD', 'OPTIONS'},
            {'GET', 'POST'})

    def test_413(self):
        "A body over the limit: 413, refused before anything is done"
        client = self.client()
        phone = '13800138204'
        token = self.token(client, '/register')
        response = client.post(self.url('/register'), data={
                'phone': phone, 'action': 'send_code', 'csrf_token': token,
                'padding': 'x' * TOO_LARGE})
        self.assertErrorPage(response, 413, '提交的内容过大')
        self.assertIsNone(self.last_sms(phone))
        self.assertEqual(self.web_users(phone), 0)
        # Just under the limit the form is read.
        response = client.post(self.url('/register'), data={
                'phone': phone, 'action': 'send_code', 'csrf_token': token,
                'padding': 'x' * (2 * 1024 * 1024 - 4096)})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(self.last_sms(phone))

    def test_429(self):
        "Too many failed sign-ins: 429 with Retry-After"
        client = self.client()
        with patch('trytond.modules.laisui_base.routes.checked_phone',
                side_effect=RateLimitException()):
            response = self.post(client, '/login', {
                    'phone': '13800138205', 'password': 'guess',
                    'action': 'password'})
        self.assertErrorPage(response, 429, '操作过于频繁')
        self.assertTrue(response.headers['Retry-After'].isdigit())

    def test_500_in_handler(self):
        "An unexpected error in a page: 500, nothing of it shown"
        client = self.client()
        with patch('trytond.modules.laisui_base.routes.checked_phone',
                side_effect=RuntimeError(SECRET)), \
                self.assertLogs(level='ERROR') as logs:
            response = self.post(client, '/register', {
                    'phone': '13800138206', 'action': 'send_code'})
        self.assertErrorPage(response, 500, '系统繁忙')
        self.assertNotIn(SECRET, response.text)
        self.assertNotIn('RuntimeError', response.text)
        # The traceback is in the log, for the operators.
        self.assertIn(SECRET, logs.output[-1])

    def test_500_outside_handler(self):
        "An unexpected error before the page's handler: 500, nothing shown"
        with patch(
                'trytond.modules.laisui_base.portal.PortalRequest.__init__',
                side_effect=RuntimeError(SECRET)):
            response = self.client().get(self.url('/login'))
        self.assertErrorPage(response, 500, '系统繁忙')
        self.assertNotIn(SECRET, response.text)
        self.assertNotIn('RuntimeError', response.text)

    def test_outside_portal_untouched(self):
        "Paths outside the portal keep trytond's own answers"
        response = self.client().get(f'/{self.db_name}/no-such-path')
        self.assertNotIn('页面不存在', response.text)


del RouteTestCase
