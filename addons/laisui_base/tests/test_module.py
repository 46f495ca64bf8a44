# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.identity import (
    InvalidIdNumber, InvalidPhone, mask_id_number, mask_phone, mask_text,
    normalize_id_number, normalize_phone)
from trytond.modules.laisui_base.tests.test_staff import setting
from trytond.modules.laisui_base.tests.tools import ViewChecksMixin
from trytond.modules.laisui_base.validation import checked_id_number
from trytond.pool import Pool
from trytond.rpc import RPC
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

PHONE = '13800138000'


class LaisuiBaseTestCase(ViewChecksMixin, ModuleTestCase):
    "laisui_base"
    module = 'laisui_base'
    language = 'zh_CN'

    def test_id_number_vectors(self):
        "ID numbers of security.md, §4 Validation and masking rules"
        today = dt.date(2026, 11, 28)
        for value, expected in [
                ('11010519491231002X', '11010519491231002X'),
                ('110101200002290018', '110101200002290018'),
                ('44010419900101111x', '44010419900101111X'),
                ('４４０１０４１９９００１０１１２３２', '440104199001011232'),
                (' 4401 0419 9001 0112 32 ', '440104199001011232'),
                ('440104\u200b199001011232', '440104199001011232'),
                ]:
            self.assertEqual(normalize_id_number(value, today), expected)
        for value, reason in [
                ('440104199001011230', 'checksum'),
                ('110101190002290011', 'date'),
                ('44010419901301123X', 'date'),
                ('440104209901011234', 'future'),
                # A right check digit (§4 lists it as valid) but born 1880.
                ('440524188001010014', 'implausible'),
                ('44010419900101123', 'format'),
                ('4401041990010112321', 'format'),
                ('44010419900101123A', 'format'),
                ("440104' OR 1=1 --", 'format'),
                ('<script>1</script>', 'format'),
                ]:
            with self.subTest(value=value):
                with self.assertRaises(InvalidIdNumber) as cm:
                    normalize_id_number(value, today)
                self.assertEqual(cm.exception.reason, reason)

    def test_id_number_birth_bounds(self):
        "Born on or after 1900-01-01 and at most 120 years before today"
        for today, before, on, after in [
                (dt.date(2026, 11, 28), '440104190611270011',
                    '440104190611280017', '440104190611290012'),
                # Until 2020 the 1900 floor is the nearer bound.
                (dt.date(2019, 4, 30), '440104189912310015',
                    '44010419000101001X', '440104190001020015'),
                # 1900-02-29 does not exist: born 1 March turn 120 today.
                (dt.date(2020, 2, 29), '440104190002280011',
                    '440104190003010013', '440104190003020019'),
                ]:
            with self.subTest(today=today):
                with self.assertRaises(InvalidIdNumber) as cm:
                    normalize_id_number(before, today)
                self.assertEqual(cm.exception.reason, 'implausible')
                self.assertEqual(normalize_id_number(on, today), on)
                self.assertEqual(normalize_id_number(after, today), after)

    @with_transaction()
    def test_id_number_implausible_message(self):
        with self.assertRaises(ValidationError) as cm:
            checked_id_number('440524188001010014')
        self.assertIn('出生日期不合理', cm.exception.message)

    def test_phone_forms(self):
        for value in ['+86 138-0013-8000', '0086 13800138000',
                '138 0013 8000', '１３８００１３８０００']:
            self.assertEqual(normalize_phone(value), PHONE)
        for value in ['12345678901', '1380013800', '2380013800',
                '138001380001', '+1 138 0013 8000', 'abc']:
            with self.subTest(value=value), self.assertRaises(InvalidPhone):
                normalize_phone(value)

    def test_masks(self):
        self.assertEqual(
            mask_id_number('440104199001011232'), '440104********1232')
        self.assertEqual(mask_phone(PHONE), '138****8000')
        text = mask_text('ID 440104199001011232, tel 13800138000.')
        self.assertNotRegex(text, r'\d{11}')
        self.assertIn('440104********1232', text)

    @with_transaction()
    def test_client_cannot_stop_the_clock(self):
        "A clock key in what a client sends is dropped before any call"
        User = Pool().get('res.user')
        past = dt.datetime(2020, 1, 1)
        _, _, context, _ = RPC().convert(
            User, {'_laisui_now': past, 'laisui_now': past})
        self.assertNotIn('_laisui_now', context)
        with Transaction().set_context(context):
            self.assertGreater(clock.now(), dt.datetime(2026, 1, 1))
        with Transaction().set_context(_laisui_now=past):
            self.assertEqual(clock.now(), past)

    @with_transaction()
    def test_sms_rate_limits(self):
        "1 per minute, 5 per hour, 10 per day per phone"
        Message = Pool().get('laisui.sms.message')
        Message.queue(PHONE, 'verification_code', {'code': '123456'})
        with self.assertRaises(UserError) as cm:
            Message.queue(PHONE, 'verification_code')
        self.assertIn('1分钟内', cm.exception.message)
        for _ in range(4):
            Message.queue(PHONE, 'verification_code', check_rate=False)
        later = clock.now() + dt.timedelta(minutes=2)
        with Transaction().set_context(_laisui_now=later):
            with self.assertRaises(UserError) as cm:
                Message.check_rate(PHONE)
        self.assertIn('1小时内', cm.exception.message)
        for _ in range(5):
            Message.queue(PHONE, 'verification_code', check_rate=False)
        with Transaction().set_context(
                _laisui_now=clock.now() + dt.timedelta(hours=2)):
            with self.assertRaises(UserError) as cm:
                Message.check_rate(PHONE)
        self.assertIn('今日', cm.exception.message)
        # Another phone is not affected.
        Message.check_rate('13900139000')
        self.assertEqual(Message.search_count([('phone', '=', PHONE)]), 10)

    @with_transaction()
    def test_sms_ip_limit(self):
        "2,500 an hour from one address: the parents behind a carrier NAT"
        Message = Pool().get('laisui.sms.message')
        address = '192.0.2.7'
        # 2,499 parents behind the address asked in the last half hour.
        with Transaction().set_context(
                _laisui_now=clock.now() - dt.timedelta(minutes=30)):
            Message.queue_many([(f'139{i:08d}', 'verification_code', None)
                    for i in range(2499)], ip_address=address)
        with Transaction().set_context(_request={'remote_addr': address}):
            # The 2,500th is sent, the next is not.
            message = Message.queue('13800000001', 'verification_code')
            self.assertEqual(message.ip_address, address)
            self.assertEqual(message.ip_network, '192.0.2.7/32')
            with self.assertRaises(UserError) as cm:
                Message.queue('13800000002', 'verification_code')
            self.assertEqual(cm.exception.message,
                '您所在网络请求短信过于频繁，请稍后再试。')
            self.assertEqual(
                Message.search_count([('phone', '=', '13800000002')]), 0)
            self.assertEqual(
                Message.search_count([('ip_address', '=', address)]), 2500)
            # Networks are /32 without production.conf: the next address
            # is not held.
            with Transaction().set_context(
                    _request={'remote_addr': '192.0.2.8'}):
                Message.queue('13800000003', 'verification_code')
            # An hour after the first ones the address may ask again.
            with Transaction().set_context(
                    _laisui_now=clock.now() + dt.timedelta(minutes=31)):
                Message.check_rate('13800000002', address)

    @with_transaction()
    def test_sms_ip_day_limit(self):
        "ip_per_day holds an address that keeps within ip_per_hour"
        Message = Pool().get('laisui.sms.message')
        address = '192.0.2.9'
        start = clock.now()

        def queue(minutes, phone):
            with Transaction().set_context(
                    _laisui_now=start + dt.timedelta(minutes=minutes)):
                return Message.queue(phone, 'verification_code')

        with setting('laisui_sms', 'ip_per_hour', '2'), \
                setting('laisui_sms', 'ip_per_day', '5'), \
                Transaction().set_context(
                    _request={'remote_addr': address}):
            for minutes in [0, 61]:
                queue(minutes, f'139000{minutes:03d}01')
                queue(minutes, f'139000{minutes:03d}02')
                with self.assertRaises(UserError):
                    queue(minutes, f'139000{minutes:03d}03')
            # The 5th of the day is sent, the 6th is not.
            queue(122, '13900012201')
            with self.assertRaises(UserError) as cm:
                queue(122, '13900012202')
            self.assertEqual(cm.exception.message,
                '您所在网络请求短信过于频繁，请稍后再试。')
            # A day after the first two, two more of the day are free.
            queue(24 * 60 + 1, '13900144101')
        self.assertEqual(
            Message.search_count([('ip_address', '=', address)]), 6)

    @with_transaction()
    def test_sms_network_limit(self):
        "network_per_hour/day hold the /24 or /56, not the next one"
        Message = Pool().get('laisui.sms.message')
        for family, (first, second, third), other, network in [
                (4, ['198.18.7.1', '198.18.7.1', '198.18.7.254'],
                    '198.18.8.1', '198.18.7.0/24'),
                (6, ['2001:db8:0:1100::1', '2001:db8:0:11ff:ab::2',
                        '2001:db8:0:1180::3'],
                    '2001:db8:0:1200::1', '2001:db8:0:1100::/56'),
                ]:
            with self.subTest(family=family), \
                    setting('session', 'ip_network_4', '24'), \
                    setting('session', 'ip_network_6', '56'), \
                    setting('laisui_sms', 'network_per_hour', '3'), \
                    setting('laisui_sms', 'network_per_day', '4'):
                start = clock.now()
                phones = iter(f'13{family}{i:08d}' for i in range(100))

                def queue(address, minutes=0):
                    with Transaction().set_context(
                            _request={'remote_addr': address},
                            _laisui_now=start + dt.timedelta(
                                minutes=minutes)):
                        return Message.queue(
                            next(phones), 'verification_code')

                # Three addresses, three messages: the 3rd is sent.
                messages = [queue(a) for a in [first, second, third]]
                self.assertEqual(
                    {m.ip_network for m in messages}, {network})
                for address in [first, third]:
                    with self.assertRaises(UserError) as cm:
                        queue(address)
                    self.assertIn('网络', cm.exception.message)
                # Another network is not held.
                self.assertNotEqual(queue(other).ip_network, network)
                # An hour later one more of the day, the 4th; not the 5th.
                queue(second, 61)
                with self.assertRaises(UserError):
                    queue(third, 62)
                self.assertEqual(Message.search_count(
                        [('ip_network', '=', network)]), 4)

    @with_transaction()
    def test_sms_global_cap(self):
        "global_per_hour holds every requester, never the office's sends"
        pool = Pool()
        Message = pool.get('laisui.sms.message')
        Code = pool.get('laisui.verification.code')
        start = clock.now()
        # A publication notifies thousands: it carries no address and
        # takes nothing of the hour's budget.
        Message.queue_many([(f'137{i:08d}', 'password_changed', None)
                for i in range(300)])
        with setting('laisui_sms', 'global_per_hour', '4'):
            for i in range(4):
                with Transaction().set_context(
                        _request={'remote_addr': f'192.0.2.{10 + i}'}):
                    Message.queue(f'1350000000{i}', 'verification_code')
            for known_device in [False, True]:
                with self.subTest(known_device=known_device), \
                        Transaction().set_context(
                            _request={'remote_addr': '198.51.100.20'}):
                    with self.assertRaises(UserError) as cm:
                        Code.issue('13500000009', 'login',
                            known_device=known_device)
                    self.assertEqual(cm.exception.message,
                        '当前短信发送繁忙，请稍后再试，或使用密码登录。')
            self.assertFalse(Code.search([('phone', '=', '13500000009')]))
            self.assertFalse(
                Message.search([('phone', '=', '13500000009')]))
            # The office's messages still go, and its staff's login codes.
            Message.queue_many([('13500000010', 'password_changed', None)])
            Message.queue('13500000011', 'password_changed', check_rate=False)
            with Transaction().set_context(
                    _request={'remote_addr': '198.51.100.21'}):
                Message.queue('13500000012', 'staff_login_code',
                    {'code': '123456', 'minutes': 5})
            # An hour later the budget is back.
            with Transaction().set_context(
                    _request={'remote_addr': '198.51.100.20'},
                    _laisui_now=start + dt.timedelta(minutes=61)):
                Code.issue('13500000009', 'login')

    @with_transaction()
    def test_sms_known_device(self):
        """A browser that signed in to the number before is not held by
        its address for a login code, by the phone's limits it is"""
        pool = Pool()
        Message = pool.get('laisui.sms.message')
        Code = pool.get('laisui.verification.code')
        address = '192.0.2.30'
        with setting('laisui_sms', 'ip_per_hour', '2'), \
                Transaction().set_context(
                    _request={'remote_addr': address}):
            Code.issue('13600000001', 'login')
            Code.issue('13600000002', 'login')
            with self.assertRaises(UserError):
                Code.issue('13600000003', 'login')
            code = Code.issue('13600000003', 'login', known_device=True)
            self.assertRegex(code, r'^\d{6}$')
            # Stored with its address: it is of this address's load.
            message, = Message.search([('phone', '=', '13600000003')])
            self.assertEqual(message.ip_address, address)
            with self.assertRaises(UserError) as cm:
                Code.issue('13600000003', 'login', known_device=True)
            self.assertIn('1分钟内', cm.exception.message)
            # The refused sends killed no live code.
            self.assertIsNone(Code.check('13600000003', 'login', code))

    @with_transaction()
    def test_sms_send_dev_provider(self):
        Message = Pool().get('laisui.sms.message')
        message = Message.queue(PHONE, 'verification_code', {
                'code': '654321', 'minutes': 5})
        self.assertEqual(message.state, 'pending')
        self.assertIn('654321', message.content)
        Message.send([message])
        self.assertEqual(message.state, 'sent')
        self.assertEqual(message.phone_masked, '138****8000')

    @with_transaction()
    def test_verification_code(self):
        "Wrong, expired, reused, cross-purpose and cross-phone codes"
        Code = Pool().get('laisui.verification.code')
        code = Code.issue(PHONE, 'register')
        self.assertRegex(code, r'^\d{6}$')
        record, = Code.search([('phone', '=', PHONE)])
        self.assertNotIn(code, record.code_hash)
        wrong = '000000' if code != '000000' else '111111'
        self.assertEqual(Code.check(PHONE, 'register', wrong),
            'laisui_base.msg_code_wrong')
        self.assertEqual(Code.check(PHONE, 'reset', code),
            'laisui_base.msg_code_invalid')
        self.assertEqual(Code.check('13900139000', 'register', code),
            'laisui_base.msg_code_invalid')
        self.assertIsNone(Code.check(PHONE, 'register', code))
        self.assertEqual(Code.check(PHONE, 'register', code),
            'laisui_base.msg_code_invalid')

    @with_transaction()
    def test_verification_code_dies_after_five_tries(self):
        Code = Pool().get('laisui.verification.code')
        code = Code.issue(PHONE, 'login')
        wrong = '000000' if code != '000000' else '111111'
        reasons = [Code.check(PHONE, 'login', wrong) for _ in range(5)]
        self.assertEqual(reasons[-1], 'laisui_base.msg_code_dead')
        self.assertEqual(set(reasons[:-1]), {'laisui_base.msg_code_wrong'})
        self.assertEqual(Code.check(PHONE, 'login', code),
            'laisui_base.msg_code_invalid')

    @with_transaction()
    def test_verification_code_expires(self):
        Code = Pool().get('laisui.verification.code')
        code = Code.issue(PHONE, 'reset')
        later = clock.now() + dt.timedelta(minutes=5, seconds=1)
        with Transaction().set_context(_laisui_now=later):
            self.assertEqual(Code.check(PHONE, 'reset', code),
                'laisui_base.msg_code_expired')
        self.assertEqual(Code.check(PHONE, 'reset', code),
            'laisui_base.msg_code_invalid')

    @with_transaction()
    def test_working_days(self):
        "2026 National Day: holidays and make-up days from the data"
        Day = Pool().get('laisui.calendar.day')
        self.assertEqual(Day.add_working_days(dt.date(2026, 9, 30), 1),
            dt.date(2026, 10, 8))
        self.assertEqual(Day.add_working_days(dt.date(2026, 9, 18), 1),
            dt.date(2026, 9, 20))
        self.assertEqual(Day.add_working_days(dt.date(2026, 11, 27), 5),
            dt.date(2026, 12, 4))
        self.assertEqual(Day.working_days_between(
                dt.date(2026, 9, 30), dt.date(2026, 10, 10)), 3)
        self.assertEqual(Day.working_days_between(
                dt.date(2026, 10, 10), dt.date(2026, 9, 30)), -3)
        self.assertFalse(Day.is_working_day(dt.date(2026, 10, 1)))
        self.assertTrue(Day.is_working_day(dt.date(2026, 10, 10)))

    @with_transaction()
    def test_request_id_not_in_cache_keys(self):
        "Caches keyed on the context hit across portal requests"
        Trigger = Pool().get('ir.trigger')
        cache = Trigger._get_triggers_cache
        keys = []
        for request_id in ['a' * 32, 'b' * 32]:
            with Transaction().set_context(laisui_request_id=request_id):
                keys.append(cache._key(('web.user.session', 'delete')))
        self.assertEqual(keys[0], keys[1])
        with Transaction().set_context(language='en'):
            self.assertNotEqual(
                cache._key(('web.user.session', 'delete')), keys[0])

    @with_transaction()
    def test_audit_log_append_only(self):
        pool = Pool()
        AuditLog = pool.get('laisui.audit.log')
        entry, = AuditLog.log('login', resource='web.user,1',
            detail='phone 13800138000 from 440104199001011232')
        self.assertNotIn('13800138000', entry.detail)
        self.assertNotIn('199001011232', entry.detail)
        with self.assertRaises(AccessError):
            AuditLog.write([entry], {'detail': 'x'})
        with self.assertRaises(AccessError):
            AuditLog.delete([entry])
        with self.assertRaises(AccessError):
            AuditLog.create([{'action': 'login'}])
        # The database refuses it too, whatever the SQL.
        table = AuditLog.__table__()
        cursor = Transaction().connection.cursor()
        with self.assertRaisesRegex(Exception, 'append-only'):
            cursor.execute(*table.update(
                    [table.detail], ['x'], where=table.id == entry.id))

    @with_transaction()
    def test_admin_roles_exclusive(self):
        "三员: nobody holds two of the admin roles"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        system = ModelData.get_id('laisui_base', 'group_system_admin')
        auditor = ModelData.get_id('laisui_base', 'group_auditor')
        user, = User.create([{'name': "Sys", 'login': 'sys1',
                    'groups': [('add', [system])]}])
        with self.assertRaises(ValidationError) as cm:
            User.write([user], {'groups': [('add', [auditor])]})
        self.assertIn('不能同时担任', cm.exception.message)

    @with_transaction()
    def test_admin_role_permissions(self):
        "System admin cannot grant groups nor read the audit log"
        pool = Pool()
        User = pool.get('res.user')
        AuditLog = pool.get('laisui.audit.log')
        ModelData = pool.get('ir.model.data')
        system = ModelData.get_id('laisui_base', 'group_system_admin')
        auditor_group = ModelData.get_id('laisui_base', 'group_auditor')
        sysadmin, auditor, target = User.create([
                {'name': "Sys", 'login': 'sys2',
                    'groups': [('add', [system])]},
                {'name': "Aud", 'login': 'aud2',
                    'groups': [('add', [auditor_group])]},
                {'name': "T", 'login': 'target'},
                ])
        AuditLog.log('login', resource='x')
        with Transaction().set_user(sysadmin.id), \
                Transaction().set_context(_check_access=True):
            with self.assertRaises(AccessError):
                AuditLog.search([])
            with self.assertRaises(AccessError):
                User.write([User(target.id)],
                    {'groups': [('add', [system])]})
            User.write([User(target.id)], {'name': "Renamed"})
        with Transaction().set_user(auditor.id), \
                Transaction().set_context(_check_access=True):
            self.assertTrue(AuditLog.search([]))
            with self.assertRaises(AccessError):
                User.write([User(target.id)], {'name': "Nope"})


del ModuleTestCase
