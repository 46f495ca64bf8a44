# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Password hashes: OWASP's Argon2id minimum, old hashes replaced at the
next sign-in, and a bounded number of hashes at once."""
import threading

from pwdlib.hashers.argon2 import Argon2Hasher

from trytond.exceptions import RateLimitException
from trytond.pool import Pool
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from trytond.modules.laisui_base.password_hash import _slots, password_hash
from trytond.modules.laisui_base.tests.test_staff import setting

PASSWORD = 'Hash-Mima-2026'
# trytond's own parameters (argon2-cffi's defaults), in hashes stored
# before the parameters were set.
OLD_HASH = Argon2Hasher().hash(PASSWORD)
CURRENT = '$argon2id$v=19$m=19456,t=2,p=1$'


def stored_hash(record):
    "The hash in the table (res.user's read never shows it)"
    table = record.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.select(
            table.password_hash, where=table.id == record.id))
    hash_, = cursor.fetchone()
    return hash_


class PasswordHashTestCase(ActivatedTestCase):
    "Password hashes"
    modules = ['laisui_base']

    def setUp(self):
        super().setUp()
        password_hash.cache_clear()
        _slots.cache_clear()
        self.addCleanup(password_hash.cache_clear)
        self.addCleanup(_slots.cache_clear)

    @with_transaction()
    def test_owasp_minimum(self):
        "New hashes are Argon2id with m=19 MiB, t=2, p=1"
        User = Pool().get('res.user')
        self.assertTrue(OLD_HASH.startswith('$argon2id$v=19$m=65536,t=3,p=4$'))
        self.assertTrue(User.hash_password(PASSWORD).startswith(CURRENT))

    @with_transaction()
    def test_parameters_from_config(self):
        "[password] argon2_* set the parameters"
        WebUser = Pool().get('web.user')
        with setting('password', 'argon2_memory_cost', '8192'), \
                setting('password', 'argon2_time_cost', '3'):
            password_hash.cache_clear()
            self.assertTrue(WebUser.hash_password(PASSWORD).startswith(
                    '$argon2id$v=19$m=8192,t=3,p=1$'))

    @with_transaction()
    def test_applicant_rehashed_at_sign_in(self):
        "An applicant's old hash is replaced by a current one when signing in"
        WebUser = Pool().get('web.user')
        user, = WebUser.create([{'phone': '13800138000'}])
        WebUser.write([user], {'password_hash': OLD_HASH})

        self.assertIsNone(WebUser.authenticate_phone('13800138000', 'wrong'))
        self.assertEqual(stored_hash(user), OLD_HASH)

        self.assertEqual(
            WebUser.authenticate_phone('13800138000', PASSWORD), user)
        new_hash = stored_hash(user)
        self.assertTrue(new_hash.startswith(CURRENT))
        self.assertEqual(
            WebUser.authenticate_phone('13800138000', PASSWORD), user)
        self.assertEqual(stored_hash(user), new_hash)

    @with_transaction()
    def test_staff_rehashed_at_login(self):
        "A staff member's old hash is replaced by a current one at login"
        User = Pool().get('res.user')
        user, = User.create([{'name': 'clerk', 'login': 'clerk'}])
        User.write([user], {'password_hash': OLD_HASH})
        # trytond stores the new hash in a transaction of its own.
        Transaction().commit()
        with setting('laisui', 'staff_password_days', '0'):
            self.assertEqual(User._login_password(
                    'clerk', {'password': PASSWORD}), user.id)
        # A snapshot taken after that transaction (PostgreSQL).
        Transaction().commit()
        self.assertTrue(stored_hash(user).startswith(CURRENT))

    @with_transaction()
    def test_hashes_bounded(self):
        "A sign-in waiting longer than [password] hash_wait is refused"
        WebUser = Pool().get('web.user')
        stored = WebUser.hash_password(PASSWORD)
        with setting('password', 'hash_wait', '0.05'):
            held = threading.Event()
            done = threading.Event()

            def hold():
                with _slots():
                    held.set()
                    done.wait(5)
            thread = threading.Thread(target=hold)
            thread.start()
            try:
                held.wait(5)
                with self.assertRaises(RateLimitException):
                    WebUser.check_password(PASSWORD, stored)
            finally:
                done.set()
                thread.join()
            self.assertEqual(
                WebUser.check_password(PASSWORD, stored), (True, None))

    @with_transaction()
    def test_two_slots(self):
        "[password] concurrent_hashes lets that many run at once"
        WebUser = Pool().get('web.user')
        stored = WebUser.hash_password(PASSWORD)
        with setting('password', 'concurrent_hashes', '2'), \
                setting('password', 'hash_wait', '0.05'):
            _slots.cache_clear()
            slots = _slots()
            slots.acquire()
            try:
                self.assertEqual(
                    WebUser.check_password(PASSWORD, stored), (True, None))
                slots.acquire()
                try:
                    with self.assertRaises(RateLimitException):
                        WebUser.check_password(PASSWORD, stored)
                finally:
                    slots.release()
            finally:
                slots.release()
