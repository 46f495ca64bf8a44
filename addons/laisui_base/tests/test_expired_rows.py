# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Failed sign-ins and portal sessions are recorded without deleting
anything (no conflict between sign-ins at the same moment); the cron
removes the expired ones."""
import datetime as dt

from trytond.pool import Pool
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction


def ages(Attempt):
    "The login of each row and whether it is older than the window"
    table = Attempt.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.select(table.login, table.create_date,
            order_by=[table.login]))
    delay = Attempt.delay()
    return [(login, created < delay) for login, created in cursor]


class ExpiredRowsTestCase(ActivatedTestCase):
    "Expired login attempts and sessions"
    modules = ['laisui_base']
    language = 'en'

    @with_transaction()
    def test_add_keeps_expired_rows_for_the_cron(self):
        "add() only inserts; purge_expired() deletes what is past the window"
        pool = Pool()
        for name in ['res.user.login.attempt', 'web.user.authenticate.attempt']:
            with self.subTest(model=name):
                Attempt = pool.get(name)
                Attempt.add('old')
                table = Attempt.__table__()
                cursor = Transaction().connection.cursor()
                # 31 minutes ago: past [session] timeout (300 s by default).
                cursor.execute(*table.update([table.create_date],
                        [dt.datetime.now() - dt.timedelta(minutes=31)],
                        where=table.login == 'old'))
                Attempt.add('new')
                self.assertEqual(ages(Attempt), [('new', False), ('old', True)])
                self.assertEqual(Attempt.count('old'), 0)
                self.assertEqual(Attempt.count('new'), 1)

                Attempt.purge_expired()
                self.assertEqual(ages(Attempt), [('new', False)])

    @with_transaction()
    def test_session_add_keeps_expired_sessions_for_the_cron(self):
        "A new portal session deletes none; the purge deletes the expired"
        pool = Pool()
        WebUser = pool.get('web.user')
        Session = pool.get('web.user.session')
        user, = WebUser.create([{'phone': '13800138000'}])
        old_key = Session.add(user)
        table = Session.__table__()
        cursor = Transaction().connection.cursor()
        # Unused for longer than [session] web_timeout.
        cursor.execute(*table.update([table.create_date],
                [dt.datetime.now() - Session.timeout()
                    - dt.timedelta(minutes=1)],
                where=table.key == old_key))
        new_key = Session.add(user)
        self.assertEqual(
            {s.key for s in Session.search([])}, {old_key, new_key})

        Session.purge_expired()
        self.assertEqual([s.key for s in Session.search([])], [new_key])
        self.assertIsNone(Session.get_user(old_key))
        self.assertEqual(Session.get_user(new_key), user)

    @with_transaction()
    def test_purge_is_a_cron_task(self):
        "The purges are scheduled"
        Cron = Pool().get('ir.cron')
        methods = {c.method for c in Cron.search([])}
        self.assertLessEqual({
                'res.user.login.attempt|purge_expired',
                'web.user.authenticate.attempt|purge_expired',
                'web.user.session|purge_expired'}, methods)
