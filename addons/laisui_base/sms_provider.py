# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""SMS gateways.

The provider is chosen by ``[laisui_sms] provider`` in the trytond
configuration: ``dev`` keeps messages in the outbox and prints them to the
server log (number masked), ``http`` posts JSON to a gateway.
"""
import hashlib
import hmac
import json
import logging
import time
from urllib.parse import urlsplit

import requests

import trytond.config as config

from .i18n import file_gettext
from .identity import mask_phone

logger = logging.getLogger(__name__)

SECTION = 'laisui_sms'


class SendResult:
    __slots__ = ('ok', 'reference', 'error', 'retry')

    def __init__(self, ok, reference=None, error=None, retry=False):
        self.ok = ok
        self.reference = reference
        self.error = error
        self.retry = retry


class DevProvider:
    "Development gateway: nothing leaves the machine"
    name = 'dev'

    def send(self, phone, content, reference):
        logger.info("SMS to %s: %s", mask_phone(phone), content)
        return SendResult(True, reference=f'dev-{reference}')


class HttpProvider:
    """JSON gateway.

    POST {url} with body {"phone", "content", "signature", "reference",
    "callback"} and the header X-Laisui-Signature: hex HMAC-SHA256 of the
    body under the shared secret. The gateway answers {"id": …} with 2xx and
    later reports delivery to the status route with the same signature.
    """
    name = 'http'

    def __init__(self):
        self.url = config.get(SECTION, 'url')
        self.key = config.get(SECTION, 'key', default='')
        self.secret = config.get(SECTION, 'secret', default='')
        self.signature = config.get(SECTION, 'signature', default='越秀来穗')
        self.timeout = config.getfloat(SECTION, 'timeout', default=5)
        self.retries = config.getint(SECTION, 'retries', default=2)
        self.callback = config.get(SECTION, 'callback', default='')

    def send(self, phone, content, reference):
        body = json.dumps({
                'phone': phone,
                'content': content,
                'signature': self.signature,
                'reference': reference,
                'callback': self.callback,
                }, ensure_ascii=False).encode('utf-8')
        headers = {
            'Content-Type': 'application/json; charset=utf-8',
            'X-Laisui-Key': self.key,
            'X-Laisui-Signature': sign(self.secret, body),
            }
        error = None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(min(2 ** (attempt - 1) * 0.2, 2))
            try:
                response = requests.post(
                    self.url, data=body, headers=headers,
                    timeout=self.timeout)
            except requests.RequestException as e:
                error = type(e).__name__
                continue
            if response.status_code >= 500 or response.status_code == 429:
                error = f'HTTP {response.status_code}'
                continue
            if not response.ok:
                # A 4xx will not get better by retrying.
                return SendResult(False, error=f'HTTP {response.status_code}')
            try:
                reference = str(response.json()['id'])
            except (ValueError, KeyError, TypeError):
                return SendResult(False, error='bad response')
            return SendResult(True, reference=reference)
        logger.warning(
            "SMS gateway failed for %s: %s", mask_phone(phone), error)
        return SendResult(False, error=error, retry=True)


PROVIDERS = {
    'dev': DevProvider,
    'http': HttpProvider,
    }


def get_provider():
    name = config.get(SECTION, 'provider', default='dev')
    return PROVIDERS[name]()


class ConfigurationError(RuntimeError):
    "A configuration the server must not start with"


def check_environment():
    """Raise ConfigurationError when production would not send its SMS.

    The development provider marks each message sent without sending it:
    applicants and staff would wait for codes that never come, and nothing
    would say why. Called when the module is imported, which every trytond
    process (server, gunicorn worker, cron, worker, admin) does when it
    loads the pool, before it serves anything."""
    environment = config.get('laisui', 'environment', default='') or ''
    if environment.strip().lower() != 'production':
        return
    provider = (config.get(SECTION, 'provider', default='dev') or '').strip()
    url = (config.get(SECTION, 'url', default='') or '').strip()
    if provider != 'http':
        message = _both('laisui_base.msg_sms_config_provider',
            provider=provider)
    elif not _http_url(url):
        # Never the url in the message: it may carry credentials.
        message = _both('laisui_base.msg_sms_config_url')
    else:
        return
    logger.critical(message)
    raise ConfigurationError(message)


def _both(message_id, **variables):
    "zh_CN then English: read by the operators, before any database"
    return ' '.join([file_gettext(message_id, 'zh_CN', **variables),
            file_gettext(message_id, **variables)])


def _http_url(value):
    try:
        url = urlsplit(value)
    except ValueError:
        return False
    return url.scheme in {'http', 'https'} and bool(url.netloc)


def sign(secret, body):
    return hmac.new(
        (secret or '').encode('utf-8'), body, hashlib.sha256).hexdigest()
