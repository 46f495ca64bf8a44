# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Staff accounts: secrets, 三员, password policy and the audit of each
security event."""
import contextlib
import datetime
import re
import tempfile
import time
from unittest.mock import patch

from trytond.exceptions import LoginException, UserError
from trytond.model.exceptions import AccessError, ValidationError
from trytond.pool import Pool
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

PASSWORD = 'Staff-Mima-2026'


@contextlib.contextmanager
def as_client(user):
    "Act as `user` through a client: access rights apply"
    with Transaction().set_user(user.id), \
            Transaction().set_context(_check_access=True):
        yield


def group(name):
    return Pool().get('ir.model.data').get_id('laisui_base', name)


def make_users(*specs):
    "Users from (login, [group xml names], email)"
    User = Pool().get('res.user')
    return User.create([{
                'name': login, 'login': login, 'email': email,
                'password': PASSWORD,
                'groups': [('add', [group(g) for g in groups])],
                } for login, groups, email in specs])


def audit_rows(action, resource=None):
    AuditLog = Pool().get('laisui.audit.log')
    domain = [('action', '=', action)]
    if resource:
        domain.append(('resource', '=', str(resource)))
    return AuditLog.search(domain, order=[('id', 'ASC')])


class StaffTestCase(ActivatedTestCase):
    "Staff accounts"
    modules = ['laisui_base']

    @with_transaction()
    def test_reset_password_unreadable(self):
        "A temporary password is never readable, not even by its owner"
        User = Pool().get('res.user')
        victim, other = make_users(
            ('victim', [], 'victim@example.org'),
            ('other', [], None))
        User.reset_password([victim])
        self.assertTrue(User(victim.id).password_reset)
        self.assertEqual(len(audit_rows('password_reset', victim)), 1)
        for user in [other, victim]:
            for field in ['password_reset', 'password_reset_expire',
                    'password_hash']:
                with self.subTest(user=user.login, field=field), \
                        as_client(user):
                    with self.assertRaises(AccessError):
                        User.read([victim.id], [field])
                    with self.assertRaises(AccessError):
                        User.search([(field, '!=', None)])
                    with self.assertRaises(AccessError):
                        User.export_data([User(victim.id)], [field])

    @with_transaction()
    def test_reset_needs_email(self):
        "Without an e-mail a reset would only leave a password in the table"
        User = Pool().get('res.user')
        clerk, sysadmin = make_users(
            ('clerk', ['group_window_clerk'], None),
            ('sysadmin', ['group_system_admin'], None))
        User.reset_password([clerk])
        self.assertIsNone(User(clerk.id).password_reset)
        # The button is hidden without an e-mail; a call is refused.
        with as_client(sysadmin), self.assertRaises(UserError):
            User.reset_password([User(clerk.id)])
        self.assertIsNone(User(clerk.id).password_reset)

    @with_transaction()
    def test_nobody_sets_another_password(self):
        "The system admin starts a reset but never sets a password"
        User = Pool().get('res.user')
        sysadmin, secadmin, clerk = make_users(
            ('sysadmin', ['group_system_admin'], 'sys@example.org'),
            ('secadmin', ['group_security_admin'], 'sec@example.org'),
            ('clerk', ['group_window_clerk'], 'clerk@example.org'))
        hash_before = User(secadmin.id).password_hash
        for target in [secadmin, clerk]:
            with self.subTest(target=target.login), as_client(sysadmin):
                with self.assertRaises(AccessError) as cm:
                    User.write([User(target.id)],
                        {'password': 'Other-Mima-2026'})
                self.assertIn('不能为他人设置密码', cm.exception.message)
        with as_client(sysadmin), self.assertRaises(AccessError):
            User.create([{'name': "New", 'login': 'new',
                        'password': 'Other-Mima-2026'}])
        with as_client(sysadmin), self.assertRaises(AccessError):
            User.write([User(clerk.id)], {'password_hash': hash_before})
        self.assertEqual(User(secadmin.id).password_hash, hash_before)
        # The recovery channel of another administrator stays theirs.
        with as_client(sysadmin), self.assertRaises(AccessError) as cm:
            User.write([User(secadmin.id)], {'email': 'me@example.org'})
        self.assertIn('只有安装管理员', cm.exception.message)
        self.assertEqual(User(secadmin.id).email, 'sec@example.org')
        # Ordinary staff accounts are the system admin's job.
        with as_client(sysadmin):
            User.write([User(clerk.id)], {'email': 'clerk2@example.org'})
            User.reset_password([User(clerk.id)])
        self.assertEqual(len(audit_rows('password_reset', clerk)), 1)

    @with_transaction()
    def test_own_password_change_audited(self):
        "A change of one's own password is checked and audited"
        User = Pool().get('res.user')
        clerk, = make_users(('clerk', ['group_window_clerk'], None))
        before = len(audit_rows('password_change', clerk))
        with Transaction().set_user(clerk.id):
            User.set_preferences({'password': 'New-Mima-2027'})
        self.assertEqual(len(audit_rows('password_change', clerk)), before + 1)
        for password, text in [
                ('Ab1-xyz', '至少需要 8 个字符'),
                ('Aa123456', '禁止'),
                ('aaaaaaaaaaaa', '3 类'),
                ('Abcdefghijkl', '3 类'),
                ('Xclerk-2027', '登录名'),
                ]:
            with self.subTest(password=password), \
                    forbidden_passwords(['123456', 'Aa123456', 'qwerty']), \
                    Transaction().set_user(clerk.id), \
                    self.assertRaises(UserError) as cm:
                User.set_preferences({'password': password})
            self.assertIn(text, cm.exception.message)
        self.assertEqual(len(audit_rows('password_change', clerk)), before + 1)

    @with_transaction()
    def test_grants(self):
        "Only the security admin grants, never to itself, always audited"
        User = Pool().get('res.user')
        # A refused grant is rolled back with its request (see the RPC
        # tests); here each refusal is tried on an account of its own.
        sysadmin, secadmin, auditor, clerk, other = make_users(
            ('sysadmin', ['group_system_admin'], None),
            ('secadmin', ['group_security_admin'], None),
            ('auditor', ['group_auditor'], None),
            ('clerk', [], None),
            ('other', [], None))
        admin_group = Pool().get('ir.model.data').get_id('res', 'group_admin')
        window = group('group_window_clerk')
        reason = "新入职窗口人员"

        def grant(actor, target, group_id, **values):
            with as_client(actor):
                User.write([User(target.id)], {
                        'groups': [('add', [group_id])], **values})

        for actor in [sysadmin, auditor]:
            with self.subTest(actor=actor.login), \
                    self.assertRaises(AccessError) as cm:
                grant(actor, other, window, laisui_grant_reason=reason)
        with self.assertRaises(AccessError) as cm:
            grant(secadmin, secadmin, window, laisui_grant_reason=reason)
        self.assertIn('不能修改自己的角色', cm.exception.message)
        with self.assertRaises(AccessError) as cm:
            grant(secadmin, other, admin_group, laisui_grant_reason=reason)
        self.assertIn('系统管理', cm.exception.message)
        with self.assertRaises(AccessError) as cm:
            grant(secadmin, other, group('group_district_reviewer'))
        self.assertIn('原因', cm.exception.message)
        with self.assertRaises(ValidationError) as cm:
            grant(secadmin, sysadmin, group('group_auditor'),
                laisui_grant_reason=reason)
        self.assertIn('不能同时担任', cm.exception.message)
        self.assertEqual(audit_rows('grant', f'res.user,{clerk.id}'), [])

        grant(secadmin, clerk, window, laisui_grant_reason=reason)
        self.assertIn(window, [g.id for g in User(clerk.id).groups])
        entry, = audit_rows('grant', f'res.user,{clerk.id}')
        self.assertEqual(entry.user.id, secadmin.id)
        self.assertEqual(entry.detail, reason)
        self.assertTrue(entry.to_value)

        with as_client(secadmin):
            User.write([User(clerk.id)], {
                    'groups': [('remove', [window])],
                    'laisui_grant_reason': "调岗"})
        entry, = audit_rows('revoke', f'res.user,{clerk.id}')
        self.assertEqual((entry.user.id, entry.detail), (secadmin.id, "调岗"))

    @with_transaction()
    def test_admin_roles_and_administration(self):
        "No 三员 role together with Administration"
        User = Pool().get('res.user')
        admin_group = Pool().get('ir.model.data').get_id('res', 'group_admin')
        with self.assertRaises(ValidationError) as cm:
            User.create([{'name': "X", 'login': 'x',
                        'groups': [('add', [
                                    admin_group, group('group_auditor')])]}])
        self.assertIn('不能同时担任', cm.exception.message)

    @with_transaction()
    def test_login_audited(self):
        "Login success and failure, known or unknown, leave a row each"
        User = Pool().get('res.user')
        clerk, = make_users(('clerk', ['group_window_clerk'], None))
        self.assertEqual(
            User.get_login('clerk', {'password': PASSWORD}), clerk.id)
        self.assertIsNone(User.get_login('clerk', {'password': 'wrong'}))
        self.assertIsNone(User.get_login('nobody', {'password': 'wrong'}))
        entry, = audit_rows('login', f'res.user,{clerk.id}')
        self.assertEqual(entry.user.id, clerk.id)
        self.assertTrue(entry.success)
        failures = audit_rows('login_failed')
        self.assertEqual([f.detail for f in failures],
            ['login=clerk', 'login=nobody'])
        self.assertFalse(any(f.success for f in failures))

    @with_transaction()
    def test_unknown_login_costs_a_verification(self):
        "An unknown login verifies a hash as a known one does"
        User = Pool().get('res.user')
        make_users(('clerk', [], None))
        calls = []
        original = User.check_password.__func__

        def counting(cls, password, hash_):
            calls.append(hash_)
            return original(cls, password, hash_)
        with patch.object(User, 'check_password', classmethod(counting)):
            User._login_password('clerk', {'password': 'wrong'})
            User._login_password('nobody', {'password': 'wrong'})
        self.assertEqual(len(calls), 2)


    @with_transaction()
    def test_idle_session_ends(self):
        "A staff session unused for staff_idle_timeout ends, audited"
        pool = Pool()
        Session = pool.get('ir.session')
        clerk, = make_users(('clerk', ['group_window_clerk'], None))
        with Transaction().set_user(clerk.id):
            key = Session.new()
            other = Session.new()
        table = Session.__table__()
        cursor = Transaction().connection.cursor()
        now = datetime.datetime.now()
        for session_key, minutes in [(key, 31), (other, 29)]:
            cursor.execute(*table.update([table.last_used],
                    [now - datetime.timedelta(minutes=minutes)],
                    where=table.key == session_key))
        Session._session_reset_cache.clear()
        self.assertFalse(Session.check(clerk.id, key))
        self.assertEqual(Session.search([('key', '=', key)]), [])
        self.assertTrue(Session.check(clerk.id, other))
        session, = Session.search([('key', '=', other)])
        # Used now: its idle time starts again.
        self.assertLess(now - session.last_used,
            datetime.timedelta(minutes=1))
        entry, = audit_rows('logout', f'res.user,{clerk.id}')
        self.assertEqual(entry.detail, 'idle')

    @with_transaction()
    def test_sms_second_factor(self):
        "password+sms: a code by SMS, kept as a digest, used once"
        pool = Pool()
        User = pool.get('res.user')
        Message = pool.get('laisui.sms.message')
        Code = pool.get('res.user.login.sms_code')
        mobile = '13900139100'
        clerk, other = make_users(('clerk', ['group_window_clerk'], None),
            ('other', [], None))
        User.write([clerk], {'mobile': mobile})
        def password_sms():
            return setting('session', 'authentications', 'password+sms')
        with password_sms(), self.assertRaises(LoginException) as cm:
            User.get_login('clerk', {'password': PASSWORD})
        self.assertIn('短信验证码', cm.exception.message)
        message, = Message.search([('phone', '=', mobile)])
        code = re.search(r'\d{6}', message.content).group()
        self.assertIn('登录验证码', message.content)
        stored, = Code.search([])
        self.assertNotIn(code, stored.code)
        wrong = '000000' if code != '000000' else '111111'
        with password_sms():
            with self.assertRaises(LoginException):
                User.get_login('clerk',
                    {'password': PASSWORD, 'sms_code': wrong})
            self.assertIsNone(User.get_login('clerk',
                    {'password': 'Wrong-Mima-2026', 'sms_code': code}))
            self.assertEqual(User.get_login('clerk',
                    {'password': PASSWORD, 'sms_code': code}), clerk.id)
            # Used: the same code opens nothing (and a new one waits for
            # the SMS limits).
            with self.assertRaises((LoginException, UserError)):
                User.get_login('clerk', {'password': PASSWORD,
                        'sms_code': code})
        self.assertEqual(len(audit_rows('login', f'res.user,{clerk.id}')), 1)
        self.assertEqual(
            [e.detail for e in audit_rows('login_failed')],
            ['login=clerk sms_code', 'login=clerk'])
        with as_client(other), self.assertRaises(AccessError):
            Code.search([])

    @with_transaction()
    def test_sms_code_dies_after_five_wrong(self):
        "Five wrong codes kill the code: the right one then fails"
        pool = Pool()
        User = pool.get('res.user')
        Message = pool.get('laisui.sms.message')
        clerk, = make_users(('clerk', ['group_window_clerk'], None))
        User.write([clerk], {'mobile': '13900139101'})
        with setting('session', 'authentications', 'password+sms'):
            with self.assertRaises(LoginException):
                User.get_login('clerk', {'password': PASSWORD})
            message, = Message.search([('phone', '=', '13900139101')])
            code = re.search(r'\d{6}', message.content).group()
            wrong = '000000' if code != '000000' else '111111'
            for _ in range(5):
                with self.assertRaises(LoginException):
                    User.get_login('clerk',
                        {'password': PASSWORD, 'sms_code': wrong})
            with self.assertRaises((LoginException, UserError)):
                User.get_login('clerk', {'password': PASSWORD,
                        'sms_code': code})

    @with_transaction()
    def test_access_changes_audited(self):
        "Edits of access rights by a person are audited, updates are not"
        pool = Pool()
        Access = pool.get('ir.model.access')
        with Transaction().set_user(0):
            access, = Access.create([{'model': 'laisui.department',
                        'group': group('group_auditor'),
                        'perm_read': True}])
            Access.write([access], {'perm_write': False})
        self.assertEqual(audit_rows('security_config'), [])
        admin = Pool().get('res.user')(1)
        with as_client(admin):
            Access.write([Access(access.id)], {'perm_read': False})
            Access.delete([Access(access.id)])
        self.assertEqual(
            [(e.user.id, e.detail)
                for e in audit_rows('security_config', access)],
            [(admin.id, 'write: perm_read'), (admin.id, 'delete')])

    @with_transaction()
    def test_failed_login_does_not_sleep(self):
        "No delay is left to hold the request thread after a failure"
        User = Pool().get('res.user')
        make_users(('clerk', [], None))
        for _ in range(3):
            User.get_login('clerk', {'password': 'wrong'})
        self.assertFalse([entry for entry in Transaction()._atexit
                if entry[0] is time.sleep])

    @with_transaction()
    def test_expired_password_renewed_at_login(self):
        "Past staff_password_days the login asks for a new password"
        pool = Pool()
        User = pool.get('res.user')
        clerk, = make_users(('clerk', ['group_window_clerk'], None))
        table = User.__table__()
        cursor = Transaction().connection.cursor()
        now = datetime.datetime.now()

        def changed(days):
            cursor.execute(*table.update([table.laisui_password_changed],
                    [now - datetime.timedelta(days=days)],
                    where=table.id == clerk.id))
        with setting('laisui', 'staff_password_days', '90'):
            changed(89)
            self.assertEqual(
                User.get_login('clerk', {'password': PASSWORD}), clerk.id)
            changed(91)
            with self.assertRaises(LoginException) as cm:
                User.get_login('clerk', {'password': PASSWORD})
            self.assertEqual(cm.exception.name, 'laisui_new_password')
            self.assertIn('超过 90 天', cm.exception.message)
            for new, text in [('abc', '至少需要'), (PASSWORD, '不能与当前密码相同')]:
                with self.subTest(new=new), \
                        self.assertRaises(LoginException) as cm:
                    User.get_login('clerk', {'password': PASSWORD,
                            'laisui_new_password': new})
                self.assertIn(text, cm.exception.message)
            self.assertEqual(User.get_login('clerk', {'password': PASSWORD,
                        'laisui_new_password': 'Renewed-Mima-2027'}),
                clerk.id)
            self.assertIsNone(
                User.get_login('clerk', {'password': PASSWORD}))
            self.assertEqual(User.get_login('clerk',
                    {'password': 'Renewed-Mima-2027'}), clerk.id)
        self.assertEqual(
            audit_rows('password_change', clerk)[-1].detail, 'own')

@contextlib.contextmanager
def setting(section, option, value):
    "The trytond configuration with one option changed"
    import trytond.config as config
    if not config.has_section(section):
        config.add_section(section)
    previous = config.get(section, option)
    config.set(section, option, value)
    try:
        yield
    finally:
        if previous is None:
            config._config.remove_option(section, option)
            config._cache_clear()
        else:
            config.set(section, option, previous)


@contextlib.contextmanager
def forbidden_passwords(passwords):
    "[password] forbidden set to a file of these passwords"
    with tempfile.NamedTemporaryFile('w', suffix='.txt') as file:
        file.write('\n'.join(passwords) + '\n')
        file.flush()
        with setting('password', 'forbidden', file.name):
            yield
