# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The per-phone SMS limits follow [laisui_sms] phone_per_minute/hour/day."""
import configparser
import datetime as dt
from pathlib import Path

from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.exceptions import SMSRateLimitError
from trytond.modules.laisui_base.sms import PHONE_LIMITS
from trytond.modules.laisui_base.tests.test_staff import setting
from trytond.pool import Pool
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

PHONE = '13800138000'
PRODUCTION_CONF = (
    Path(__file__).resolve().parents[3] / 'config' / 'production.conf')


class PhoneLimitsTestCase(ActivatedTestCase):
    "Per-phone SMS limits"
    modules = ['laisui_base']

    def sent(self, count, minutes_ago=0):
        "count messages to PHONE, sent minutes_ago"
        Message = Pool().get('laisui.sms.message')
        with Transaction().set_context(
                _laisui_now=clock.now() - dt.timedelta(minutes=minutes_ago)):
            for _ in range(count):
                Message.queue(PHONE, 'verification_code', check_rate=False)

    def refusal(self):
        "The message refusing one more SMS to PHONE, or None"
        Message = Pool().get('laisui.sms.message')
        try:
            Message.check_rate(PHONE)
        except SMSRateLimitError as e:
            return e.message
        return None

    def test_defaults_are_production(self):
        "1 a minute, 5 an hour, 10 a day, as production.conf says"
        self.assertEqual([(o, d) for _, _, o, d in PHONE_LIMITS], [
                ('phone_per_minute', 1), ('phone_per_hour', 5),
                ('phone_per_day', 10)])
        if not PRODUCTION_CONF.exists():
            self.skipTest("no config/production.conf")
        production = configparser.ConfigParser()
        production.read(PRODUCTION_CONF)
        for _, _, option, default in PHONE_LIMITS:
            with self.subTest(option=option):
                self.assertEqual(
                    production.getint('laisui_sms', option), default)

    @with_transaction()
    def test_per_minute(self):
        "Set to 3: the 3rd of the minute is sent, the 4th is not"
        with setting('laisui_sms', 'phone_per_minute', '3'):
            self.sent(2)
            self.assertIsNone(self.refusal())
            self.sent(1)
            self.assertEqual(self.refusal(),
                '该号码1分钟内发送短信已达上限（3条），请1分钟后再试。')
        # The default holds again: one a minute.
        self.assertIn('（1条）', self.refusal())

    @with_transaction()
    def test_per_hour(self):
        "Set to 2: spread over the hour, the 2nd is sent, the 3rd is not"
        with setting('laisui_sms', 'phone_per_hour', '2'):
            self.sent(1, minutes_ago=30)
            self.assertIsNone(self.refusal())
            self.sent(1, minutes_ago=10)
            self.assertEqual(self.refusal(),
                '该号码1小时内发送短信已达上限（2条），请稍后再试。')
            # Once the first is an hour old, one more may go.
            with Transaction().set_context(_laisui_now=clock.now()
                    + dt.timedelta(minutes=31)):
                self.assertIsNone(self.refusal())

    @with_transaction()
    def test_per_day(self):
        "Set to 12 (hour raised to 20): the 12th is sent, the 13th is not"
        with setting('laisui_sms', 'phone_per_day', '12'), \
                setting('laisui_sms', 'phone_per_hour', '20'):
            self.sent(11, minutes_ago=120)
            self.assertIsNone(self.refusal())
            self.sent(1, minutes_ago=90)
            self.assertEqual(self.refusal(),
                '该号码今日发送短信已达上限（12条），请明天再试。')
        # None in the last hour, but the default day of 10 is passed.
        self.assertEqual(self.refusal(),
            '该号码今日发送短信已达上限（10条），请明天再试。')
