# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.identity import (
    InvalidIdNumber, InvalidPhone, mask_id_number, mask_phone, mask_text,
    normalize_id_number, normalize_phone)
from trytond.modules.laisui_base.validation import checked_id_number
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

PHONE = '13800138000'


class LaisuiBaseTestCase(ModuleTestCase):
    "laisui_base"
    module = 'laisui_base'
    language = 'zh_CN'

    def test_id_number_vectors(self):
        "ID numbers of reference/security.md §4"
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
        with Transaction().set_context(laisui_now=later):
            with self.assertRaises(UserError) as cm:
                Message.check_rate(PHONE)
        self.assertIn('1小时内', cm.exception.message)
        for _ in range(5):
            Message.queue(PHONE, 'verification_code', check_rate=False)
        with Transaction().set_context(
                laisui_now=clock.now() + dt.timedelta(hours=2)):
            with self.assertRaises(UserError) as cm:
                Message.check_rate(PHONE)
        self.assertIn('今日', cm.exception.message)
        # Another phone is not affected.
        Message.check_rate('13900139000')
        self.assertEqual(Message.search_count([('phone', '=', PHONE)]), 10)

    @with_transaction()
    def test_sms_ip_limit(self):
        Message = Pool().get('laisui.sms.message')
        context = {'_request': {'remote_addr': '192.0.2.7'}}
        with Transaction().set_context(context):
            for i in range(30):
                Message.queue(f'1390000{i:04d}', 'verification_code')
            with self.assertRaises(UserError) as cm:
                Message.queue('13911112222', 'verification_code')
        self.assertIn('网络', cm.exception.message)

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
        with Transaction().set_context(laisui_now=later):
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
