# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What the office tells the applicant: its SMS notices never use up the
codes someone may ask for; the 消息 page lists what was sent to the
signed-in user's phone, codes hidden; the personal information notice is
published in versions and the account keeps the one consented to."""
import datetime as dt
import re

from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.laisui_base.exceptions import SMSRateLimitError
from trytond.modules.laisui_base.tests.tools import PortalTestMixin
from trytond.pool import Pool
from trytond.tests.test_tryton import RouteTestCase, with_transaction
from trytond.transaction import Transaction

ID_NUMBER = '440524199001011221'
# As the zh_CN texts say them
HOUR_LIMIT = '该号码1小时内发送短信已达上限（5条），请稍后再试。'
PUBLISHED = '版本 1.0 已发布，不能再修改或删除；如需修改，请复制为新版本。'
NOTICE_NOT_FOUND = '没有找到该版本的个人信息处理说明。'


class PortalNoticesTestCase(PortalTestMixin, RouteTestCase):
    "SMS notices, the 消息 page and the personal information notice"
    module = 'laisui_base'
    language = 'zh_CN'

    # Helpers ---------------------------------------------------------------
    def age(self, phone, minutes):
        "Make every message to phone minutes old"
        Message = Pool().get('laisui.sms.message')
        table = Message.__table__()
        past = dt.datetime.now() - dt.timedelta(minutes=minutes)
        Transaction().connection.cursor().execute(*table.update(
                [table.create_date], [past], where=table.phone == phone))

    def signed_up(self, phone):
        client = self.client()
        response = self.register(client, phone, ID_NUMBER)
        self.assertEqual(response.status_code, 302)
        return client

    # Notices and the limits --------------------------------------------
    @with_transaction()
    def test_notice_flag(self):
        "Only the answers to 获取验证码 are requested; the rest are notices"
        Message = Pool().get('laisui.sms.message')
        phone = '13800138001'
        messages = Message.browse(Message.queue_many([
                    (phone, 'verification_code', {'code': '123456'}),
                    (phone, 'already_registered', {}),
                    (phone, 'password_changed', {}),
                    ]))
        self.assertEqual([m.notice for m in messages], [False, False, True])

    @with_transaction()
    def test_notices_do_not_count(self):
        """Four codes and any number of notices within the hour: a fifth
        code may be sent, a sixth may not"""
        Message = Pool().get('laisui.sms.message')
        phone = '13800138002'
        Message.queue_many([(phone, 'verification_code', {'code': '1'})] * 4
            + [(phone, 'password_changed', {})] * 6)
        self.age(phone, 10)
        Message.check_rate(phone)

        Message.queue_many([(phone, 'verification_code', {'code': '1'})])
        self.age(phone, 10)
        with self.assertRaises(SMSRateLimitError) as cm:
            Message.check_rate(phone)
        self.assertEqual(cm.exception.message, HOUR_LIMIT)

    def test_register_login_change_keeps_codes(self):
        """Registering, then changing the password (a notice), leaves the
        codes of the hour but the ones asked for"""
        phone = '13800138003'
        client = self.signed_up(phone)
        with Transaction().start(self.db_name, 0) as transaction:
            Message = Pool().get('laisui.sms.message')
            Message.queue_many([(phone, 'password_changed', {})] * 5)
            self.age(phone, 10)
            transaction.commit()
        # One code asked for (registration): four more may be.
        for _ in range(4):
            response = self.post(client, '/password', {'action': 'send_code'})
            self.assertEqual(response.status_code, 200, response.text)
            self.assertNotIn('已达上限', response.text)
            self.let_time_pass(phone)
        response = self.post(client, '/password', {'action': 'send_code'})
        self.assertIn(HOUR_LIMIT, response.text)

    # The 消息 page -----------------------------------------------------
    def test_messages_page(self):
        """The user's own messages, newest first, codes hidden; nobody
        else's"""
        phone, other = '13800138004', '13800138005'
        client = self.signed_up(phone)
        self.signed_up(other)
        with Transaction().start(self.db_name, 0) as transaction:
            Message = Pool().get('laisui.sms.message')
            Message.queue_many([(phone, 'password_changed', {})])
            transaction.commit()
        code = self.last_code(other)
        page = client.get(self.url('/messages')).text
        self.assertIn('<h1>消息</h1>', page)
        self.assertIn('138****8004', page)
        cards = re.findall(r'<article class="card message".*?</article>',
            page, re.S)
        self.assertEqual(len(cards), 2)
        # The notice first, then the registration's code, hidden.
        self.assertIn('密码', cards[0])
        self.assertIn('******', cards[1])
        for card in cards:
            self.assertNotRegex(card, r'\d{6}')
        self.assertNotIn(code, page)
        self.assertNotIn('138****8005', page)

    def test_messages_pages(self):
        "Twenty a page; a page beyond the last is the last, junk the first"
        phone = '13800138006'
        client = self.signed_up(phone)
        with Transaction().start(self.db_name, 0) as transaction:
            Message = Pool().get('laisui.sms.message')
            Message.queue_many([(phone, 'password_changed', {})] * 24)
            transaction.commit()
        for query, count, page_number in [
                ('', 20, 1), ('?page=2', 5, 2), ('?page=99', 5, 2),
                ('?page=abc', 20, 1), ('?page=0', 20, 1),
                ('?page=99999999999999999999', 20, 1)]:
            with self.subTest(query=query):
                page = client.get(self.url('/messages') + query).text
                self.assertEqual(page.count('class="card message"'), count)
                self.assertIn(f'第{page_number}/2页（共25条）', page)

    def test_messages_signed_in_only(self):
        response = self.client().get(self.url('/messages'))
        self.assertEqual(response.status_code, 302)
        self.assertIn('/login', response.headers['Location'])

    # The personal information notice -----------------------------------
    def test_privacy_page_and_consent(self):
        """/privacy shows the version in force, linked from registration;
        the new account keeps the version and when it consented"""
        response = self.client().get(self.url('/privacy'))
        self.assertEqual(response.status_code, 200)
        self.assertIn('<h1>个人信息处理说明</h1>', response.text)
        self.assertIn('版本 1.0', response.text)
        self.assertIn('现行版本', response.text)
        register = self.client().get(self.url('/register')).text
        self.assertIn(f'href="/{self.db_name}/portal/privacy"', register)

        before = dt.datetime.now() - dt.timedelta(seconds=1)
        self.signed_up('13800138007')
        with Transaction().start(self.db_name, 0):
            pool = Pool()
            User = pool.get('web.user')
            AuditLog = pool.get('laisui.audit.log')
            user, = User.search([('phone', '=', '13800138007')])
            self.assertEqual(user.consent_version.version, '1.0')
            self.assertGreater(user.consent_at, before)
            self.assertTrue(AuditLog.search([
                        ('web_user', '=', user.id),
                        ('to_value', '=', '1.0'),
                        ]))

    def test_privacy_unknown_version(self):
        for version in ['9.9', 'draft-1', '%3Cx%3E']:
            with self.subTest(version=version):
                response = self.client().get(
                    self.url(f'/privacy/{version}'))
                self.assertEqual(response.status_code, 404)
                self.assertIn(NOTICE_NOT_FOUND, response.text)

    @with_transaction()
    def test_publish_rules(self):
        """A published version never changes; a new one takes effect on a
        later day than every published one, never before today"""
        pool = Pool()
        Notice = pool.get('laisui.privacy_notice')
        today = dt.date(2026, 12, 3)
        now = dt.datetime(2026, 12, 3, 2, 0)
        with Transaction().set_context(_laisui_now=now):
            first, = Notice.search([('version', '=', '1.0')])
            self.assertEqual(Notice.current_notice(), first)
            with self.assertRaises(AccessError) as cm:
                Notice.write([first], {'text': "改"})
            self.assertEqual(cm.exception.message, PUBLISHED)
            with self.assertRaises(AccessError):
                Notice.delete([first])

            yesterday, on_day, tomorrow = Notice.create([
                    {'version': v, 'valid_from': d, 'text': "新"}
                    for v, d in [('2.0', today - dt.timedelta(days=1)),
                        ('2.1', today), ('2.2', today + dt.timedelta(days=1))]
                    ])
            with self.assertRaises(ValidationError) as cm:
                Notice.publish([yesterday])
            self.assertEqual(cm.exception.message,
                '版本 2.0 的施行日期 2026-12-02 早于今天（2026-12-03），'
                '不能发布：施行日期不能早于发布当天。')
            Notice.publish([tomorrow])
            # Not after 2.2 (2026-12-04): refused though not in the past.
            with self.assertRaises(ValidationError) as cm:
                Notice.publish([on_day])
            self.assertIn('不晚于已发布的版本 2.2（2026-12-04 起施行）',
                cm.exception.message)
            self.assertEqual(on_day.state, 'draft')
            # Nor on the same day as 2.2.
            same_day, = Notice.create([{'version': '2.3',
                        'valid_from': today + dt.timedelta(days=1),
                        'text': "新"}])
            with self.assertRaises(ValidationError) as cm:
                Notice.publish([same_day])
            self.assertIn('不晚于已发布的版本 2.2', cm.exception.message)
            # Published for tomorrow: today the first one is in force.
            self.assertEqual(Notice.current_notice(), first)
            self.assertEqual(Notice.current_notice(
                    today + dt.timedelta(days=1)), tomorrow)
        with self.assertRaises(ValidationError):
            Notice.create([{
                        'version': '../x', 'valid_from': today,
                        'text': "新"}])
