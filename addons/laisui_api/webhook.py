# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Webhooks: outside systems told of events as they happen.

A client subscribes an HTTPS address to events (EVENTS). An event writes
one delivery per subscription in the transaction that makes it (an
outbox: rolled back with it, never sent for a change that did not
happen), queued on Tryton's task queue, so that it leaves after commit.
A delivery is signed by the Standard Webhooks scheme (webhook-id,
webhook-timestamp, webhook-signature: HMAC-SHA256, through the
`standardwebhooks` library); a 2xx answer delivers it, anything else is
retried with back-off (RETRY_DELAYS) by the minute cron, and after the
last try it is dead: staff see it in the delivery log and may send it
again. Payloads say what happened and to which record, never who: the
receiver reads the record through the API with its own scopes.

A subscription's signing secret is derived (HKDF) from ``laisui.secret``,
the subscription and its secret version, so that none is stored; a new
secret is a new version.
"""
import base64
import datetime as dt
import ipaddress
import json
import uuid
from urllib.parse import urlsplit

import requests
from standardwebhooks.webhooks import Webhook

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, fields)
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.audit_diff import AuditedDiffMixin
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import WebhookAddressError

EVENTS = [
    ('application.submitted', "Application Submitted"),
    ('case.decided', "Case Decided"),
    ('result.published', "Admission Result Published"),
    ('voucher.revoked', "Credential Revoked"),
    ]
# After each failed try, the wait before the next; dead after the last.
RETRY_DELAYS = [dt.timedelta(seconds=s) for s in [
        30, 120, 600, 3600, 6 * 3600, 12 * 3600, 24 * 3600]]
TIMEOUT = 10
STATES = [
    ('pending', "Pending"),
    ('retrying', "Retrying"),
    ('delivered', "Delivered"),
    ('dead', "Dead"),
    ]


def _loopback(host):
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == 'localhost'


class Subscription(AuditedDiffMixin, DeactivableMixin, ModelSQL, ModelView):
    "API webhook subscription"
    __name__ = 'laisui.api.webhook'

    client = fields.Many2One('laisui.api.client', "Client", required=True,
        ondelete='CASCADE')
    url = fields.Char("Address", required=True,
        help="HTTPS address the events are sent to (HTTP on this host "
        "only, for tests).")
    events = fields.MultiSelection(EVENTS, "Events", required=True)
    secret_version = fields.Integer("Secret Version", readonly=True,
        required=True)
    deliveries = fields.One2Many('laisui.api.webhook.delivery',
        'subscription', "Deliveries", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'new_secret': {'readonly': ~Eval('active', True)},
                })

    @classmethod
    def default_secret_version(cls):
        return 1

    def get_rec_name(self, name):
        return f'{self.client.rec_name}: {self.url}'

    @classmethod
    def validate_fields(cls, subscriptions, field_names):
        super().validate_fields(subscriptions, field_names)
        for subscription in subscriptions:
            parts = urlsplit(subscription.url or '')
            if not parts.hostname or not (parts.scheme == 'https' or (
                        parts.scheme == 'http'
                        and _loopback(parts.hostname))):
                raise WebhookAddressError(gettext(
                        'laisui_api.msg_webhook_address',
                        url=subscription.url))

    @property
    def secret(self):
        "The signing secret, in the whsec_ form receivers configure"
        raw = Pool().get('laisui.secret').derive(
            f'laisui-webhook:{self.id}:{self.secret_version}'.encode())
        return 'whsec_' + base64.b64encode(raw).decode()

    @classmethod
    @ModelView.button_action('laisui_api.wizard_webhook_secret')
    def new_secret(cls, subscriptions):
        pass


class Delivery(ModelSQL, ModelView):
    "API webhook delivery"
    __name__ = 'laisui.api.webhook.delivery'

    subscription = fields.Many2One('laisui.api.webhook', "Subscription",
        required=True, readonly=True, ondelete='CASCADE')
    event = fields.Selection(EVENTS, "Event", required=True, readonly=True)
    message_id = fields.Char("Message ID", required=True, readonly=True)
    payload = fields.Text("Payload", required=True, readonly=True)
    state = fields.Selection(STATES, "State", required=True, readonly=True)
    attempts = fields.Integer("Attempts", required=True, readonly=True)
    next_attempt_at = fields.Timestamp("Next Attempt At", readonly=True)
    last_status = fields.Integer("Last HTTP Status", readonly=True)
    last_error = fields.Char("Last Error", readonly=True)
    delivered_at = fields.Timestamp("Delivered At", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('id', 'DESC')]
        cls._sql_indexes.add(Index(t, (t.state, Index.Equality()),
                (t.next_attempt_at, Index.Range())))
        cls._buttons.update({
                'resend': {'invisible': Eval('state') != 'dead'},
                })

    @classmethod
    def emit(cls, event, records):
        """Queue one `event` for each of `records` (JSON objects: ids and
        states, nothing personal) to every active subscription to it"""
        Subscription = Pool().get('laisui.api.webhook')
        if not records:
            return []
        subscriptions = Subscription.search([
                ('events', 'in', [event]),
                ('client.active', '=', True),
                ])
        if not subscriptions:
            return []
        timestamp = clock.now().isoformat() + 'Z'
        vlist = []
        for data in records:
            payload = json.dumps(
                {'type': event, 'timestamp': timestamp, 'data': data},
                ensure_ascii=False, separators=(',', ':'))
            vlist.extend({
                    'subscription': s.id,
                    'event': event,
                    'message_id': f'msg_{uuid.uuid4().hex}',
                    'payload': payload,
                    'state': 'pending',
                    'attempts': 0,
                    } for s in subscriptions)
        deliveries = cls.create(vlist)
        cls.__queue__.send(deliveries)
        return deliveries

    @classmethod
    def send(cls, deliveries):
        "Try each delivery due now once"
        now = clock.now()
        for delivery in deliveries:
            if delivery.state not in {'pending', 'retrying'} or (
                    delivery.next_attempt_at
                    and delivery.next_attempt_at > now):
                continue
            delivery._try(now)
        cls.save(deliveries)

    def _try(self, now):
        subscription = self.subscription
        body = self.payload.encode('utf-8')
        stamp = dt.datetime.now(dt.timezone.utc)
        signature = Webhook(subscription.secret).sign(
            self.message_id, stamp, body)
        self.attempts += 1
        try:
            response = requests.post(subscription.url, data=body, headers={
                    'Content-Type': 'application/json',
                    'webhook-id': self.message_id,
                    'webhook-timestamp': str(int(stamp.timestamp())),
                    'webhook-signature': signature,
                    }, timeout=TIMEOUT, allow_redirects=False)
            self.last_status = response.status_code
            ok = 200 <= response.status_code < 300
            self.last_error = None if ok else response.text[:200]
        except requests.RequestException as e:
            ok, self.last_status = False, None
            self.last_error = type(e).__name__
        if ok:
            self.state, self.delivered_at = 'delivered', now
            self.next_attempt_at = None
        elif self.attempts > len(RETRY_DELAYS):
            self.state, self.next_attempt_at = 'dead', None
        else:
            self.state = 'retrying'
            self.next_attempt_at = now + RETRY_DELAYS[self.attempts - 1]

    @classmethod
    def send_due(cls):
        "Cron: the retries whose time has come"
        cls.send(cls.search([
                    ('state', '=', 'retrying'),
                    ('next_attempt_at', '<=', clock.now()),
                    ], order=[('next_attempt_at', 'ASC')], limit=500))

    @classmethod
    @ModelView.button
    def resend(cls, deliveries):
        "A dead delivery tried again, from its first back-off"
        AuditLog = Pool().get('laisui.audit.log')
        dead = [d for d in deliveries if d.state == 'dead']
        cls.write(dead, {'state': 'pending', 'attempts': 0,
                'next_attempt_at': None})
        AuditLog.log_many([{'action': 'state', 'resource': str(d),
                    'from_value': 'dead', 'to_value': 'pending'}
                for d in dead])
        cls.__queue__.send(dead)


class SecretShow(ModelView):
    "API webhook secret"
    __name__ = 'laisui.api.webhook.secret'

    secret = fields.Char("Signing Secret", readonly=True,
        help="Give it to the receiver now; the previous one stops "
        "verifying.")


class NewSecret(Wizard):
    "Make a new webhook signing secret"
    __name__ = 'laisui.api.webhook.new_secret'
    start_state = 'make'

    make = StateTransition()
    show = StateView('laisui.api.webhook.secret',
        'laisui_api.webhook_secret_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def transition_make(self):
        AuditLog = Pool().get('laisui.audit.log')
        subscription = self.record
        subscription.secret_version += 1
        subscription.save()
        AuditLog.log('security_config', resource=str(subscription),
            detail=f'webhook secret version {subscription.secret_version}')
        return 'show'

    def default_show(self, fields):
        return {'secret': self.record.secret}
