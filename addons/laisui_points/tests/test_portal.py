# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The applicant portal over HTTP: sign-up, sign-in, CSRF, ownership,
uploads and masking."""
import io
import os
import re
import time

from PIL import Image

import trytond.config as config
from trytond.modules.laisui_base.tests.clamd import (
    EICAR, SIGNATURE, ClamdMixin, upload_config)
from trytond.modules.laisui_base.tests.pdfs import raw_open_action
from trytond.modules.laisui_base.tests.tools import (
    PASSWORD, PortalTestMixin, png_bytes)
from trytond.pool import Pool
from trytond.tests.test_tryton import RouteTestCase
from trytond.transaction import Transaction


class PortalTestCase(ClamdMixin, PortalTestMixin, RouteTestCase):
    "Applicant portal routes (uploads scanned by a real clamd)"
    module = 'laisui_points'
    language = 'zh_CN'

    def test_register_and_points(self):
        "Sign up with the SMS code, see the masked profile and points"
        client = self.client()
        phone = '13600136000'
        response = self.post(client, '/register',
            {'phone': phone, 'action': 'send_code'})
        self.assertIn('验证码已通过短信发送', response.text)
        code = self.last_code(phone)
        wrong = '000000' if code != '000000' else '111111'
        base = {'phone': phone, 'name': "李红", 'password': PASSWORD,
            'password2': PASSWORD, 'consent': '1', 'action': 'register'}
        response = self.post(client, '/register',
            dict(base, code=wrong, id_number='440524199001011221'))
        self.assertEqual(response.status_code, 400)
        self.assertIn('验证码错误', response.text)
        response = self.post(client, '/register',
            dict(base, code=code, id_number='440104199001011230'))
        self.assertEqual(response.status_code, 400)
        self.assertIn('校验位错误', response.text)
        response = self.post(client, '/register',
            dict(base, code=code, id_number='440524199001011221',
                password='13600136000x', password2='13600136000x'))
        self.assertIn('不能包含您的手机号码', response.text)
        with Transaction().start(self.db_name, 0):
            Applicant = Pool().get('laisui.applicant')
            self.assertEqual(
                Applicant.search_count([('phone', '=', phone)]), 0)

        response = self.post(client, '/register',
            dict(base, code=code, id_number='440524199001011221'))
        self.assertEqual(response.status_code, 302)
        cookie = response.headers.get('Set-Cookie', '')
        self.assertIn('laisui_session=', response.headers.getlist(
                'Set-Cookie')[0] + ''.join(response.headers.getlist(
                    'Set-Cookie')))
        self.assertIn('HttpOnly', cookie)
        self.assertIn('SameSite=Lax', cookie)

        response = client.get(self.url('/profile'))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers['Cache-Control'], 'no-store')
        self.assertIn('440524********1221', response.text)
        self.assertIn('136****6000', response.text)
        self.assertNotIn('440524199001011221', response.text)
        self.assertNotIn(phone, response.text)
        self.assertEqual(client.get(self.url('/points')).status_code, 200)
        self.assertGreaterEqual(self.audit_count('register'), 1)

    def test_family_and_facts(self):
        client = self.client()
        response = self.register(client, '13600136001', '11010519491231002X',
            name="王大山")
        self.assertEqual(response.status_code, 302)
        response = self.post(client, '/family', {
                'relation': 'child', 'name': "王小山",
                'id_number': '440104201303030017'})
        self.assertEqual(response.status_code, 302)
        page = client.get(self.url('/family')).text
        self.assertIn('王小山', page)
        self.assertIn('440104********0017', page)
        response = self.post(client, '/family', {
                'relation': 'child', 'name': "错号",
                'id_number': '440104201313030017'})
        self.assertEqual(response.status_code, 400)
        self.assertIn('出生日期不存在', response.text)
        response = self.post(client, '/family', {
                'relation': 'spouse', 'name': "王老太",
                'id_number': '440524188001010014'})
        self.assertEqual(response.status_code, 400)
        self.assertIn('出生日期不合理', response.text)
        response = self.post(client, '/facts', {
                'kind': 'education', 'level': 'bachelor',
                'date_from': '2010-07-01'})
        self.assertEqual(response.status_code, 302)
        facts = client.get(self.url('/facts')).text
        self.assertIn('本科', facts)
        self.assertIn('文化程度', facts)
        response = self.post(client, '/facts', {
                'kind': 'education', 'level': 'bachelor',
                'date_from': '2010-07-01', 'date_to': '2009-01-01'})
        self.assertEqual(response.status_code, 400)
        self.assertIn('结束日期不能早于开始日期', response.text)

    def test_facts_form_in_chinese(self):
        """The categories and levels of the facts form read in zh_CN, also
        on the page that shows an error"""
        client = self.client()
        self.register(client, '13600136011', '440104199001011291', "褚十一")

        def options(page):
            return re.findall(r'<option value="[^"]+"[^>]*>([^<]*)</option>',
                page)
        for page in [client.get(self.url('/facts')).text,
                self.post(client, '/facts', {'kind': 'education',
                        'level': 'bachelor', 'date_from': '2010-07-01',
                        'date_to': '2009-01-01'}).text]:
            labels = options(page)
            for label in ['合法租赁住所', '社会保险缴费期间', '文化程度',
                    '养老保险', '本科']:
                self.assertIn(label, labels)
            for label in ['Rented Residence', 'Pension', 'Bachelor']:
                self.assertNotIn(label, labels)
            # Every category and level is translated.
            self.assertEqual(
                [l for l in labels if re.fullmatch(r'[ -~]*', l)], [])

    def test_bad_input_answers_400(self):
        "Dates and numbers no fact can hold, ids no record can have"
        client = self.client()
        self.register(client, '13600136010', '440104199001011275', "冯十")
        for values in [
                {'kind': 'education', 'level': 'bachelor',
                    'date_from': '2010-07-01', 'date_to': '9999-12-31'},
                {'kind': 'volunteer', 'quantity': 'NaN',
                    'date_from': '2017-05-01'},
                {'kind': 'volunteer', 'quantity': 'Infinity',
                    'date_from': '2017-05-01'},
                ]:
            with self.subTest(values=values):
                response = self.post(client, '/facts', values)
                self.assertEqual(response.status_code, 400)
        with Transaction().start(self.db_name, 0):
            Fact = Pool().get('laisui.fact')
            self.assertEqual(Fact.search_count(
                    [('applicant.phone', '=', '13600136010')]), 0)
        self.assertEqual(client.get(self.url('/points')).status_code, 200)
        for path in ['/points/99999999999999999999', '/evidence/2147483648']:
            with self.subTest(path=path):
                response = client.get(self.url(path))
                self.assertEqual(response.status_code, 404)
                self.assertIn('页面不存在', response.text)

    def test_csrf_required(self):
        client = self.client()
        response = client.post(self.url('/login'), data={
                'phone': '13600136000', 'password': 'x'})
        self.assertEqual(response.status_code, 403)
        response = self.post(client, '/login', {
                'phone': '13600136000', 'password': 'x',
                'csrf_token': 'forged'})
        self.assertNotEqual(response.status_code, 403)

    def test_no_state_change_over_get(self):
        client = self.client()
        response = client.get(self.url('/logout'))
        self.assertEqual(response.status_code, 405)

    def test_login_logout(self):
        client = self.client()
        phone = '13600136002'
        self.assertEqual(self.register(
                client, phone, '440524198001010013').status_code, 302)
        client.post(self.url('/logout'), data={
                'csrf_token': self.token(client, '/profile')})
        response = client.get(self.url('/profile'))
        self.assertEqual(response.status_code, 302)
        response = self.post(client, '/login', {
                'phone': '+86 136-0013-6002', 'password': 'wrong-password',
                'action': 'password'})
        self.assertEqual(response.status_code, 401)
        self.assertIn('手机号码、密码或验证码错误', response.text)
        response = self.post(client, '/login', {
                'phone': phone, 'password': PASSWORD, 'action': 'password'})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(client.get(self.url('/profile')).status_code, 200)

    def test_owner_only(self):
        "Applicant A asking for B's file or statement by id is denied"
        alice, bob = self.client(), self.client()
        self.register(alice, '13600136003', '110101200002290018', "赵甲")
        self.register(bob, '13600136004', '440104199001011232', "钱乙")
        response = bob.post(self.url('/evidence'), data={
                'csrf_token': self.token(bob, '/evidence'),
                'type': self._type_id(),
                'file': (io.BytesIO(png_bytes()), '../../etc/passwd'),
                }, content_type='multipart/form-data')
        self.assertEqual(response.status_code, 302)
        with Transaction().start(self.db_name, 0):
            Evidence = Pool().get('laisui.evidence')
            Statement = Pool().get('laisui.points.statement')
            record, = Evidence.search([('applicant.phone', '=',
                        '13600136004')])
            self.assertRegex(record.filename, r'^[0-9a-f]{32}\.png$')
            evidence_id = record.id
            statement_ids = [s.id for s in Statement.search(
                    [('applicant.phone', '=', '13600136004')])]
        own = bob.get(self.url(f'/evidence/{evidence_id}'))
        self.assertEqual(own.status_code, 200)
        self.assertTrue(own.headers['Content-Disposition'].startswith(
                'attachment'))
        self.assertEqual(own.headers['X-Content-Type-Options'], 'nosniff')
        denied = self.audit_count('access_denied')
        response = alice.get(self.url(f'/evidence/{evidence_id}'))
        self.assertEqual(response.status_code, 403)
        for statement_id in statement_ids:
            response = alice.get(self.url(f'/points/{statement_id}'))
            self.assertEqual(response.status_code, 403)
        self.assertEqual(self.audit_count('access_denied'),
            denied + 1 + len(statement_ids))

    def test_upload_refused(self):
        client = self.client()
        self.register(client, '13600136005', '44010419900101111X', "孙丙")
        for content, text in [
                (b'<html><script>alert(1)</script></html>', '仅支持'),
                (raw_open_action(b'<< /S /JavaScript /JS (app.alert(1)) >>',
                        compressed=True), '脚本'),
                (b'%PDF-1.7\n/JS (app.alert(1))\n%%EOF', '无法读取该 PDF'),
                ]:
            response = self.upload(client, content)
            self.assertEqual(response.status_code, 400)
            self.assertIn(text, response.text)
        # Over 20 MiB: refused by the check; over the route's limit: 413.
        response = self.upload(client, b'\xff\xd8\xff' + b'0' * (20 << 20))
        self.assertEqual(response.status_code, 400)
        self.assertIn('文件超过 20 MB', response.text)
        response = self.upload(client, b'\xff\xd8\xff' + b'0' * (22 << 20))
        self.assertEqual(response.status_code, 413)
        with Transaction().start(self.db_name, 0):
            Evidence = Pool().get('laisui.evidence')
            self.assertEqual(Evidence.search_count(
                    [('applicant.phone', '=', '13600136005')]), 0)

    def upload(self, client, content, name='photo.jpg'):
        return client.post(self.url('/evidence'), data={
                'csrf_token': self.token(client, '/evidence'),
                'type': self._type_id(),
                'file': (io.BytesIO(content), name),
                }, content_type='multipart/form-data')

    def test_upload_quota(self):
        "Past the applicant's quota: refused, nothing more stored"
        client = self.client()
        phone = '13600136090'
        response = self.register(client, phone, '440104198805123518', "周丁")
        self.assertEqual(response.status_code, 302, re.findall(
                r'alert[^<]*<', response.text))
        with upload_config(quota_count=2):
            for color in ['red', 'green']:
                response = self.upload(client, png_bytes(color=color))
                self.assertEqual(response.status_code, 302)
            response = self.upload(client, png_bytes(color='blue'))
            self.assertEqual(response.status_code, 400)
            self.assertIn('已达 2 个的上限', response.text)
        # Noise does not compress: about 1.1 MB even re-encoded.
        noise = io.BytesIO()
        Image.frombytes('RGB', (600, 600), os.urandom(600 * 600 * 3)).save(
            noise, 'PNG')
        with upload_config(quota_size=1024 * 1024):
            response = self.upload(client, noise.getvalue(), 'noise.png')
        self.assertEqual(response.status_code, 400)
        self.assertIn('总大小将超过 1 MB', response.text)
        with Transaction().start(self.db_name, 0):
            Evidence = Pool().get('laisui.evidence')
            self.assertEqual(Evidence.search_count(
                    [('applicant.phone', '=', phone)]), 2)

    def test_upload_infected(self):
        "EICAR: quarantined by clamd, recorded, never stored"
        client = self.client()
        phone = '13600136091'
        response = self.register(client, phone, '440104198805123737', "吴戊")
        self.assertEqual(response.status_code, 302, re.findall(
                r'alert[^<]*<', response.text))
        response = self.upload(client, EICAR, 'eicar.pdf')
        self.assertEqual(response.status_code, 400)
        self.assertIn('未通过病毒扫描，已被隔离', response.text)
        with Transaction().start(self.db_name, 0):
            pool = Pool()
            Evidence = pool.get('laisui.evidence')
            Applicant = pool.get('laisui.applicant')
            AuditLog = pool.get('laisui.audit.log')
            applicant, = Applicant.search([('phone', '=', phone)])
            self.assertEqual(Evidence.search_count(
                    [('applicant', '=', applicant.id)]), 0)
            entry, = AuditLog.search([
                    ('action', '=', 'quarantine'),
                    ('resource', '=', str(applicant))])
            self.assertEqual(entry.web_user, applicant.web_user)
            self.assertIn(f'signature={SIGNATURE}', entry.detail)
            self.assertIn(f'size={len(EICAR)}', entry.detail)

    def test_upload_scan_unavailable(self):
        client = self.client()
        phone = '13600136092'
        response = self.register(client, phone, '440104198805123956', "郑己")
        self.assertEqual(response.status_code, 302, re.findall(
                r'alert[^<]*<', response.text))
        with upload_config(clamd_socket=self.clamd.folder + '/down.sock'):
            response = self.upload(client, png_bytes())
        self.assertEqual(response.status_code, 400)
        self.assertIn('病毒扫描服务暂不可用', response.text)
        with Transaction().start(self.db_name, 0):
            Evidence = Pool().get('laisui.evidence')
            self.assertEqual(Evidence.search_count(
                    [('applicant.phone', '=', phone)]), 0)

    def test_sms_flood(self):
        client = self.client()
        phone = '13600136006'
        response = self.post(client, '/register',
            {'phone': phone, 'action': 'send_code'})
        self.assertIn('验证码已通过短信发送', response.text)
        response = self.post(client, '/register',
            {'phone': phone, 'action': 'send_code'})
        self.assertEqual(response.status_code, 400)
        self.assertIn('1分钟内', response.text)

    def test_password_reset_ends_sessions(self):
        phone = '13600136007'
        old, other = self.client(), self.client()
        self.register(old, phone, '440104199001011216', "周七")
        self.assertEqual(old.get(self.url('/profile')).status_code, 200)
        self.let_time_pass(phone)
        response = self.post(other, '/reset',
            {'phone': phone, 'action': 'send_code'})
        self.assertIn('验证码已通过短信发送', response.text)
        code = self.last_code(phone)
        new_password = 'Xin-Mima-2020'
        response = self.post(other, '/reset', {
                'phone': phone, 'code': code, 'password': new_password,
                'password2': new_password, 'action': 'reset'})
        self.assertIn('密码已重置', response.text)
        # The session opened before the reset is gone.
        self.assertEqual(old.get(self.url('/profile')).status_code, 302)
        self.assertIn('密码已修改', self.last_sms(phone))
        response = self.post(other, '/login', {
                'phone': phone, 'password': new_password,
                'action': 'password'})
        self.assertEqual(response.status_code, 302)

    def test_password_guessing_throttled(self):
        "Past [session] max_attempt failures the login answers 429"
        phone = '13600136009'
        client = self.client()
        self.register(client, phone, '110101199003071233', "郑九")
        config.set('session', 'max_attempt', '2')
        self.addCleanup(config.set, 'session', 'max_attempt', '5')
        start = time.monotonic()
        statuses = [self.post(self.client(), '/login', {
                    'phone': phone, 'password': 'guess-%d' % i,
                    'action': 'password'}).status_code for i in range(4)]
        self.assertEqual(statuses, [401, 401, 401, 429])
        # No sleep in the request thread: the old 2^n s delays alone
        # made these four answers take 11 s.
        self.assertLess(time.monotonic() - start, 8)
        response = self.post(self.client(), '/login', {
                'phone': phone, 'password': PASSWORD, 'action': 'password'})
        self.assertEqual(response.status_code, 429)
        self.assertIn('操作过于频繁', response.text)
        self.assertEqual(response.headers['Retry-After'],
            str(config.getint('session', 'timeout')))
        self.assertGreaterEqual(self.audit_count('login_failed'), 3)
        # The owner's own browser, signed in before, still gets in; the SMS
        # code login stays open to anybody with the phone.
        response = self.post(client, '/login', {
                'phone': phone, 'password': PASSWORD, 'action': 'password'})
        self.assertEqual(response.status_code, 302)
        other = self.client()
        self.let_time_pass(phone)
        self.post(other, '/login', {'phone': phone, 'action': 'send_code'})
        response = self.post(other, '/login', {'phone': phone,
                'code': self.last_code(phone), 'action': 'code'})
        self.assertEqual(response.status_code, 302)

    def test_idle_session_ends(self):
        client = self.client()
        self.register(client, '13600136008', '440102198505051230', "吴八")
        self.assertEqual(client.get(self.url('/profile')).status_code, 200)
        config.set('session', 'web_timeout', '1')
        self.addCleanup(config.set, 'session', 'web_timeout', '1800')
        time.sleep(1.5)
        response = client.get(self.url('/profile'))
        self.assertEqual(response.status_code, 302)
        # Back to the page once signed in again.
        self.assertTrue(response.headers['Location'].endswith(
                '/login?next=%2Fprofile'), response.headers['Location'])

    def test_unknown_phone_same_answer(self):
        "Reset and login codes answer alike for known and unknown numbers"
        known, unknown = '13600136020', '13600136999'
        self.register(self.client(), known, '110101199003071217', "冯十")
        self.let_time_pass(known)
        for phone in [known, unknown]:
            for path in ['/reset', '/login']:
                with self.subTest(phone=phone, path=path):
                    client = self.client()
                    response = self.post(client, path,
                        {'phone': phone, 'action': 'send_code'})
                    self.assertEqual(response.status_code, 200)
                    self.assertIn('验证码已通过短信发送', response.text)
                    # The next request within a minute is refused alike.
                    response = self.post(client, path,
                        {'phone': phone, 'action': 'send_code'})
                    self.assertEqual(response.status_code, 400)
                    self.assertIn('1分钟内', response.text)
                    self.let_time_pass(phone)
        self.assertIn('尚未注册', self.last_sms(unknown))

    def test_taken_id_number_uses_up_the_code(self):
        "A refused sign-up uses its code: one code, one answer"
        self.register(self.client(), '13600136021', '110101199003071276',
            "褚十一")
        client = self.client()
        phone = '13600136022'
        self.post(client, '/register', {'phone': phone, 'action': 'send_code'})
        code = self.last_code(phone)
        base = {'phone': phone, 'name': "卫十二", 'password': PASSWORD,
            'password2': PASSWORD, 'consent': '1', 'action': 'register',
            'code': code}
        response = self.post(client, '/register',
            dict(base, id_number='110101199003071276'))
        self.assertEqual(response.status_code, 400)
        response = self.post(client, '/register',
            dict(base, id_number='11010119900307125X'))
        self.assertEqual(response.status_code, 400)
        self.assertIn('验证码无效', response.text)
        with Transaction().start(self.db_name, 0):
            WebUser = Pool().get('web.user')
            self.assertEqual(WebUser.search_count([('phone', '=', phone)]), 0)

    def _type_id(self):
        with Transaction().start(self.db_name, 0):
            Type = Pool().get('laisui.evidence.type')
            type_, = Type.search([('code', '=', 'diploma')])
            return str(type_.id)


del RouteTestCase
