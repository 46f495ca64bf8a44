# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The HTTP SMS gateway over real HTTP against a fake on 127.0.0.1."""
import json

import trytond.config as config
from trytond.modules.laisui_base.sms_provider import sign
from trytond.modules.laisui_base.tests.fake_sms_gateway import FakeGateway
from trytond.pool import Pool
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase
from trytond.tests.test_tryton import RouteTestCase, with_transaction
from trytond.transaction import Transaction

SECRET = 'gateway-secret'
PHONE = '13800138000'


class HttpGatewayMixin:

    def setUp(self):
        super().setUp()
        self.gateway = FakeGateway(SECRET).__enter__()
        self.addCleanup(self.gateway.__exit__)
        values = {'provider': 'http', 'url': self.gateway.url,
            'secret': SECRET, 'timeout': '0.5', 'retries': '2'}
        if not config.has_section('laisui_sms'):
            config.add_section('laisui_sms')
        for option, value in values.items():
            config.set('laisui_sms', option, value)
        self.addCleanup(self._reset_config)

    def _reset_config(self):
        config.remove_section('laisui_sms')
        config._cache_clear()


class SMSHttpTestCase(HttpGatewayMixin, ActivatedTestCase):
    "HTTP SMS gateway"
    modules = ['laisui_base']

    def _send(self, *script):
        Message = Pool().get('laisui.sms.message')
        self.gateway.script = list(script)
        message = Message.queue(PHONE, 'verification_code', {
                'code': '123456', 'minutes': 5}, check_rate=False)
        Message.send([message])
        return message

    @with_transaction()
    def test_sent_signed_and_code_scrubbed(self):
        message = self._send('ok')
        self.assertEqual(message.state, 'sent')
        self.assertEqual(message.reference, 'gw-1')
        received, = self.gateway.received
        self.assertEqual(received['phone'], PHONE)
        self.assertIn('123456', received['content'])
        # Staff reading the outbox cannot reuse the code.
        self.assertNotIn('123456', message.content)

    @with_transaction()
    def test_retries_server_errors(self):
        message = self._send('error', 'busy', 'ok')
        self.assertEqual(message.state, 'sent')
        self.assertEqual(len(self.gateway.received), 1)

    @with_transaction()
    def test_gateway_down_stays_pending_then_fails(self):
        Message = Pool().get('laisui.sms.message')
        message = self._send('error', 'error', 'error')
        self.assertEqual(message.state, 'pending')
        self.assertEqual(message.error, 'HTTP 500')
        self.gateway.script = ['error'] * 6
        Message.send_pending()
        Message.send_pending()
        message = Message(message.id)
        self.assertEqual((message.state, message.attempts), ('failed', 3))
        self.assertEqual(self.gateway.received, [])

    @with_transaction()
    def test_timeout(self):
        message = self._send('slow', 'slow', 'slow')
        self.assertEqual(message.state, 'pending')
        self.assertIn('Timeout', message.error)

    @with_transaction()
    def test_rejected_and_garbage(self):
        self.assertEqual(self._send('reject').state, 'failed')
        message = self._send('garbage')
        self.assertEqual((message.state, message.error),
            ('failed', 'bad response'))


class SMSStatusRouteTestCase(RouteTestCase):
    "Delivery receipts from the gateway"
    module = 'laisui_base'
    language = 'zh_CN'

    def setUp(self):
        super().setUp()
        if not config.has_section('laisui_sms'):
            config.add_section('laisui_sms')
        config.set('laisui_sms', 'secret', SECRET)
        self.addCleanup(config.remove_section, 'laisui_sms')
        self.addCleanup(config._cache_clear)

    @classmethod
    def setUpDatabase(cls):
        Message = Pool().get('laisui.sms.message')
        message = Message.queue(PHONE, 'verification_code', check_rate=False)
        message.state = 'sent'
        message.reference = 'gw-77'
        message.save()

    def test_delivery_receipt(self):
        client = self.client()
        url = f'/{self.db_name}/laisui/sms/status'
        body = json.dumps({'id': 'gw-77', 'status': 'delivered'}).encode()
        response = client.post(url, data=body,
            headers={'X-Laisui-Signature': 'forged'})
        self.assertEqual(response.status_code, 403)
        response = client.post(url, data=body,
            headers={'X-Laisui-Signature': sign(SECRET, body)})
        self.assertEqual(response.status_code, 200)
        with Transaction().start(self.db_name, 0):
            Message = Pool().get('laisui.sms.message')
            message, = Message.search([('reference', '=', 'gw-77')])
            self.assertEqual(message.state, 'delivered')


del RouteTestCase
