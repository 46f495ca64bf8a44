# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The health endpoint, and the production server that refuses an SMS
gateway sending nothing."""
import contextlib
import datetime as dt
import socket
import unittest
from unittest.mock import patch

import trytond
from trytond import backend
from trytond.modules.laisui_base import health
from trytond.modules.laisui_base.sms_provider import (
    ConfigurationError, check_environment)
from trytond.modules.laisui_base.tests.fake_sms_gateway import FakeGateway
from trytond.modules.laisui_base.tests.test_staff import setting
from trytond.pool import Pool
from trytond.tests.test_tryton import RouteTestCase
from trytond.transaction import Transaction


@contextlib.contextmanager
def settings(section, **options):
    "Several options of one section changed"
    with contextlib.ExitStack() as stack:
        for option, value in options.items():
            stack.enter_context(setting(section, option, value))
        yield


def closed_port():
    "A local port on which nothing listens"
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class CheckEnvironmentTestCase(unittest.TestCase):
    "Production refuses the development SMS gateway"

    def assertRefused(self, **sms):
        with setting('laisui', 'environment', 'production'), \
                settings('laisui_sms', **sms), \
                self.assertLogs('trytond.modules.laisui_base.sms_provider',
                    'CRITICAL'), \
                self.assertRaises(ConfigurationError) as raised:
            check_environment()
        message = str(raised.exception)
        self.assertIn('[laisui_sms]', message)
        self.assertIn('TRYTOND_LAISUI_SMS__URL', message)
        self.assertIn('生产环境', message)
        self.assertIn('production', message)
        return message

    def test_production_dev(self):
        "production with the dev provider: refused"
        self.assertIn('provider = http', self.assertRefused(provider='dev'))

    def test_production_default(self):
        "production without any provider is the dev provider: refused"
        with setting('laisui', 'environment', 'production'), \
                self.assertRaises(ConfigurationError):
            check_environment()

    def test_production_http_without_url(self):
        "production with http and no usable url: refused"
        self.assertRefused(provider='http')
        self.assertRefused(provider='http', url=' ')
        message = self.assertRefused(
            provider='http', url='ftp://user:key@gateway.example/')
        # Never the url, which may carry credentials.
        self.assertNotIn('key@', message)

    def test_production_http_with_url(self):
        "production with http and a url: accepted"
        with setting('laisui', 'environment', 'production'), \
                settings('laisui_sms', provider='http',
                    url='http://127.0.0.1:9/'):
            check_environment()

    def test_development_dev(self):
        "another environment keeps the dev provider"
        for environment in ['development', '']:
            with setting('laisui', 'environment', environment), \
                    setting('laisui_sms', 'provider', 'dev'):
                check_environment()
        check_environment()


class HealthRouteTestCase(RouteTestCase):
    "Health endpoint"
    module = 'laisui_base'
    language = 'zh_CN'

    def setUp(self):
        super().setUp()
        health._probes.clear()
        self.addCleanup(health._probes.clear)

    @property
    def path(self):
        return f'/{self.db_name}/laisui/health'

    def get(self, address='127.0.0.1'):
        # werkzeug's test client sends no REMOTE_ADDR of its own.
        return self.client().get(
            self.path, environ_base={'REMOTE_ADDR': address})

    def test_shape(self):
        "200 with every part, not stored by anyone"
        response = self.get()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers['Cache-Control'], 'no-store')
        self.assertEqual(response.mimetype, 'application/json')
        data = response.json
        self.assertEqual(data['status'], 'ok')
        self.assertEqual(set(data), {
                'status', 'database', 'queue', 'sms', 'version'})
        self.assertIs(data['database']['ok'], True)
        self.assertIsInstance(data['database']['ms'], float)
        self.assertEqual(data['queue'],
            {'ok': True, 'pending': 0, 'oldest_s': None})
        self.assertEqual(data['sms'], {
                'ok': True, 'provider': 'dev', 'pending': 0,
                'failed_last_hour': 0, 'gateway': None})
        self.assertEqual(data['version'], trytond.__version__)

    def test_queue_pending(self):
        "A task waiting past [laisui] health_queue_age degrades"
        with Transaction().start(self.db_name, 0) as transaction:
            Queue = Pool().get('ir.queue')
            now = dt.datetime.now()
            Queue.create([{
                        'name': 'health', 'data': {},
                        'enqueued_at': now - dt.timedelta(minutes=10),
                        }, {
                        'name': 'health', 'data': {},
                        'scheduled_at': now + dt.timedelta(hours=1),
                        }])
            transaction.commit()
        self.addCleanup(self._delete_tasks)
        data = self.get().json
        self.assertEqual(data['status'], 'degraded')
        self.assertFalse(data['queue']['ok'])
        self.assertEqual(data['queue']['pending'], 2)
        # The task scheduled for later is not late.
        self.assertGreaterEqual(data['queue']['oldest_s'], 600)
        self.assertLess(data['queue']['oldest_s'], 700)
        with setting('laisui', 'health_queue_age', '3600'):
            data = self.get().json
        self.assertEqual(data['status'], 'ok')
        self.assertTrue(data['queue']['ok'])

    def _delete_tasks(self):
        with Transaction().start(self.db_name, 0) as transaction:
            Queue = Pool().get('ir.queue')
            Queue.delete(Queue.search([('name', '=', 'health')]))
            transaction.commit()

    def test_outbox(self):
        "Pending and recently failed messages are counted"
        with Transaction().start(self.db_name, 0) as transaction:
            Message = Pool().get('laisui.sms.message')
            # Created, not queued: queue() would also push a task.
            failed, _ = Message.create([
                    {'phone': '13800138000', 'content': "-"},
                    {'phone': '13800138001', 'content': "-"},
                    ])
            Message.write([failed], {'state': 'failed'})
            transaction.commit()
        self.addCleanup(self._delete_messages)
        sms = self.get().json['sms']
        self.assertEqual((sms['pending'], sms['failed_last_hour']), (1, 1))
        self.assertNotIn('1380013', self.get().text)

    def _delete_messages(self):
        with Transaction().start(self.db_name, 0) as transaction:
            Message = Pool().get('laisui.sms.message')
            Message.delete(Message.search([]))
            transaction.commit()

    def test_gateway_unreachable(self):
        "A gateway that does not answer degrades, without telling its url"
        url = f'http://user:gateway-key@127.0.0.1:{closed_port()}/send'
        with settings('laisui_sms', provider='http', url=url):
            response = self.get()
        self.assertEqual(response.status_code, 200)
        data = response.json
        self.assertEqual(data['status'], 'degraded')
        self.assertFalse(data['sms']['ok'])
        self.assertEqual(data['sms']['provider'], 'http')
        self.assertFalse(data['sms']['gateway']['ok'])
        self.assertNotIn('gateway-key', response.text)
        self.assertNotIn('127.0.0.1', response.text)

    def test_gateway_reachable_and_cached(self):
        "Any HTTP answer of the gateway is reachable; probed once per 10 s"
        with FakeGateway('secret') as gateway, \
                settings('laisui_sms', provider='http', url=gateway.url):
            data = self.get().json
            self.assertEqual(data['status'], 'ok')
            self.assertTrue(data['sms']['ok'])
            self.assertTrue(data['sms']['gateway']['ok'])
            self.assertIsInstance(data['sms']['gateway']['ms'], float)
            url = gateway.url
        # Gone, but the last probe is less than PROBE_TTL old.
        with settings('laisui_sms', provider='http', url=url):
            self.assertTrue(self.get().json['sms']['gateway']['ok'])
            health._probes[url] = (
                health._probes[url][0] - health.PROBE_TTL,
                health._probes[url][1])
            self.assertFalse(self.get().json['sms']['gateway']['ok'])

    def test_http_without_url(self):
        "The http provider without a url cannot send"
        with setting('laisui_sms', 'provider', 'http'):
            sms = self.get().json['sms']
        self.assertFalse(sms['ok'])
        self.assertEqual(sms['gateway'], {'ok': False, 'ms': 0.0})

    def test_database_down(self):
        "503 when the database cannot be reached"
        with patch.object(backend.Database, 'get_connection',
                side_effect=backend.DatabaseOperationalError('down')), \
                self.assertLogs('trytond.modules.laisui_base.health',
                    'WARNING'):
            response = self.get()
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.headers['Cache-Control'], 'no-store')
        data = response.json
        self.assertEqual(data['status'], 'down')
        self.assertFalse(data['database']['ok'])
        self.assertFalse(data['queue']['ok'])

    def test_foreign_address(self):
        "404 to a client outside [laisui] health_networks"
        foreign = '203.0.113.5'
        response = self.get(foreign)
        self.assertEqual(response.status_code, 404)
        self.assertNotIn('database', response.text)
        with setting('laisui', 'health_networks', '10.0.0.0/8,203.0.113.0/24'):
            self.assertEqual(self.get(foreign).status_code, 200)
        with setting('laisui', 'health_networks', ''):
            # Loopback always.
            self.assertEqual(self.get().status_code, 200)
            self.assertEqual(
                self.get(foreign).status_code, 404)

    def test_unknown_database(self):
        "404 for a database that does not exist"
        response = self.client().get('/no-such-db/laisui/health',
            environ_base={'REMOTE_ADDR': '127.0.0.1'})
        self.assertEqual(response.status_code, 404)

    def test_database_without_module(self):
        "404 for a database without laisui_base"
        with patch.object(Pool, 'get', side_effect=KeyError):
            self.assertEqual(self.get().status_code, 404)

    def test_allowed(self):
        "Addresses as the WSGI server gives them"
        for address, expected in [
                ('127.0.0.1', True), ('127.8.9.1', True), ('::1', True),
                ('::ffff:127.0.0.1', True), ('203.0.113.5', False),
                ('::ffff:203.0.113.5', False), ('', False), (None, False),
                ('localhost', False)]:
            with self.subTest(address=address):
                self.assertIs(health.allowed(address), expected)


del RouteTestCase
