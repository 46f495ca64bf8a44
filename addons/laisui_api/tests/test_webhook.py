# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Webhooks over real HTTP to a receiver on 127.0.0.1 that verifies each
delivery with the Standard Webhooks reference library."""
import datetime as dt
import http.server
import json
import threading

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from trytond.model.exceptions import ValidationError
from trytond.modules.laisui_api.webhook import RETRY_DELAYS
from trytond.modules.laisui_base.tests.tools import (
    ActivatedTestCase, committed)
from trytond.modules.laisui_review.tests.tools import (
    NOW, make_applicant, submit)
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, with_transaction
from trytond.transaction import Transaction


class Receiver(http.server.ThreadingHTTPServer):
    "Answers `status`; keeps what it received"

    def __init__(self):
        super().__init__(('127.0.0.1', 0), _Handler)
        self.status = 204
        self.received = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f'http://127.0.0.1:{self.server_address[1]}/hooks'


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers['Content-Length']))
        self.server.received.append((dict(self.headers), body))
        self.send_response(self.server.status)
        self.send_header('Content-Length', '0')
        self.end_headers()

    def log_message(self, *args):
        pass


class WebhookTestCase(ActivatedTestCase):
    "Webhooks"
    modules = ['laisui_api']

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The database's secret made once: making it locks its table.
        committed(DB_NAME, lambda: Pool().get('laisui.secret').get_key())

    def setUp(self):
        super().setUp()
        self.receiver = Receiver()
        self.addCleanup(self.receiver.server_close)
        self.addCleanup(self.receiver.shutdown)

    def subscribe(self, events=None, url=None):
        pool = Pool()
        Client = pool.get('laisui.api.client')
        Subscription = pool.get('laisui.api.webhook')
        client, = Client.create([{'name': "市来穗局数据平台"}])
        subscription, = Subscription.create([{
                    'client': client.id,
                    'url': url or self.receiver.url,
                    'events': events or ['voucher.revoked'],
                    }])
        return subscription

    def revoke(self, title='积分证明'):
        pool = Pool()
        Credential = pool.get('laisui.credential')
        party, = pool.get('party.party').create([{'name': '陈小燕'}])
        credential = Credential.issue('certificate', party, party, title,
            [('积分', '120')])
        Credential.revoke([credential], '申请已撤回')
        return credential

    def deliveries(self):
        return Pool().get('laisui.api.webhook.delivery').search(
            [], order=[('id', 'ASC')])

    @with_transaction()
    def test_signed_delivery(self):
        "A revocation reaches the receiver, signed, with no personal data"
        Delivery = Pool().get('laisui.api.webhook.delivery')
        subscription = self.subscribe()
        credential = self.revoke()
        delivery, = self.deliveries()
        self.assertEqual((delivery.event, delivery.state, delivery.attempts),
            ('voucher.revoked', 'pending', 0))
        Delivery.send([delivery])
        (headers, body), = self.receiver.received
        data = Webhook(subscription.secret).verify(body, headers)
        self.assertEqual(data['type'], 'voucher.revoked')
        self.assertEqual(data['data'], {
                'number': credential.number, 'kind': 'certificate'})
        self.assertEqual(headers['webhook-id'], delivery.message_id)
        self.assertNotIn('陈小燕', body.decode())
        self.assertEqual((delivery.state, delivery.attempts,
                delivery.last_status), ('delivered', 1, 204))
        # A tampered body or another secret does not verify.
        with self.assertRaises(WebhookVerificationError):
            Webhook(subscription.secret).verify(body + b' ', headers)
        with self.assertRaises(WebhookVerificationError):
            Webhook('whsec_' + 'A' * 43 + '=').verify(body, headers)

    @with_transaction()
    def test_only_subscribed_events(self):
        self.subscribe(events=['result.published'])
        self.revoke()
        self.assertEqual(self.deliveries(), [])

    @with_transaction()
    def test_application_submitted(self):
        pool = Pool()
        Delivery = pool.get('laisui.api.webhook.delivery')
        self.subscribe(events=['application.submitted', 'case.decided'])
        with Transaction().set_context(_laisui_now=NOW):
            case = submit(make_applicant(1))
        delivery, = self.deliveries()
        Delivery.send([delivery])
        (_, body), = self.receiver.received
        self.assertEqual(json.loads(body)['data'], {
                'case': case.id,
                'document': 'laisui.review.points_request',
                'document_id': case.document.id,
                })

    @with_transaction()
    def test_retries_then_dead_then_resent(self):
        "Back-off 30 s, 2 min, 10 min, 1 h, 6 h, 12 h, 24 h; then dead"
        Delivery = Pool().get('laisui.api.webhook.delivery')
        self.subscribe()
        self.receiver.status = 500
        self.revoke()
        delivery, = self.deliveries()
        now = dt.datetime(2026, 12, 1, 2, 0)
        waits = []
        for attempt in range(1, 9):
            with Transaction().set_context(_laisui_now=now):
                if attempt == 1:
                    Delivery.send([delivery])
                else:
                    # The minute before the retry is due: not yet.
                    with Transaction().set_context(
                            _laisui_now=now - dt.timedelta(minutes=1)):
                        Delivery.send_due()
                    self.assertEqual(delivery.attempts, attempt - 1)
                    Delivery.send_due()
            delivery = Delivery(delivery.id)
            self.assertEqual(delivery.attempts, attempt)
            self.assertEqual(delivery.last_status, 500)
            if delivery.state == 'retrying':
                waits.append(delivery.next_attempt_at - now)
                now = delivery.next_attempt_at
        self.assertEqual(waits, [dt.timedelta(seconds=s) for s in [
                    30, 120, 600, 3600, 21600, 43200, 86400]])
        self.assertEqual(waits, RETRY_DELAYS)
        self.assertEqual((delivery.state, delivery.next_attempt_at),
            ('dead', None))
        self.assertEqual(len(self.receiver.received), 8)

        self.receiver.status = 200
        Delivery.resend([delivery])
        delivery = Delivery(delivery.id)
        self.assertEqual((delivery.state, delivery.attempts),
            ('pending', 0))
        Delivery.send([delivery])
        self.assertEqual(Delivery(delivery.id).state, 'delivered')

    @with_transaction()
    def test_receiver_down(self):
        Delivery = Pool().get('laisui.api.webhook.delivery')
        self.subscribe(url='http://127.0.0.1:9/hooks')
        self.revoke()
        delivery, = self.deliveries()
        Delivery.send([delivery])
        self.assertEqual((delivery.state, delivery.last_status,
                delivery.last_error),
            ('retrying', None, 'ConnectionError'))

    @with_transaction()
    def test_rolled_back_change_sends_nothing(self):
        "The delivery is written with the change and leaves after commit"
        with Transaction().new_transaction() as transaction:
            self.subscribe()
            self.revoke()
            self.assertEqual(len(self.deliveries()), 1)
            self.assertEqual(self.receiver.received, [])
            transaction.rollback()
        self.assertEqual(self.deliveries(), [])
        self.assertEqual(self.receiver.received, [])

    @with_transaction()
    def test_address(self):
        for url in ['http://receiver.example/hooks', 'ftp://127.0.0.1/x',
                'https://', 'not an address']:
            with self.subTest(url=url):
                with self.assertRaises(ValidationError) as context:
                    self.subscribe(url=url)
                self.assertIn('必须使用 HTTPS', context.exception.message)
        for url in ['https://receiver.example/hooks',
                'http://127.0.0.1:8080/hooks', 'http://localhost/hooks']:
            with self.subTest(url=url):
                self.assertEqual(self.subscribe(url=url).url, url)

    @with_transaction()
    def test_new_secret(self):
        pool = Pool()
        Delivery = pool.get('laisui.api.webhook.delivery')
        Subscription = pool.get('laisui.api.webhook')
        subscription = self.subscribe()
        old = subscription.secret
        subscription.secret_version += 1
        subscription.save()
        subscription = Subscription(subscription.id)
        self.assertNotEqual(subscription.secret, old)
        self.revoke()
        Delivery.send(self.deliveries())
        (headers, body), = self.receiver.received
        Webhook(subscription.secret).verify(body, headers)
        with self.assertRaises(WebhookVerificationError):
            Webhook(old).verify(body, headers)
