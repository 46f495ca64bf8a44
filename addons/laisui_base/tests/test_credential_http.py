# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The public side of credentials: the verification page in HTML and
JSON, for each result; its throttle; the published keys; and the
offline script against a token of this database."""
import base64
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest.mock import patch

from trytond.modules.laisui_base import credential_routes
from trytond.modules.laisui_base.tests.tools import (
    PortalTestMixin, committed)
from trytond.pool import Pool
from trytond.tests.test_tryton import RouteTestCase
from trytond.transaction import Transaction

SCRIPT = Path(__file__).resolve().parents[3] / 'scripts' / 'verify_credential.py'
JSON = {'Accept': 'application/json'}


class CredentialHTTPTestCase(PortalTestMixin, RouteTestCase):
    "The verification page and the published keys"
    module = 'laisui_base'
    language = 'zh_CN'

    def issue(self, name='陈小明', expires_at=None, revoke=None):
        "A committed credential's id and token"
        def issue():
            pool = Pool()
            Party = pool.get('party.party')
            Credential = pool.get('laisui.credential')
            party, = Party.create([{'name': name}])
            credential = Credential.issue('certificate', party, party,
                '积分证明', [('积分', '120')], expires_at=expires_at)
            if revoke:
                Credential.revoke([credential], revoke)
            return credential.id, credential.token
        return committed(self.db_name, issue)

    def scans(self):
        with Transaction().start(self.db_name, 0):
            Scan = Pool().get('laisui.credential.scan')
            return [(s.result, s.channel) for s in Scan.search(
                    [], order=[('id', 'ASC')])]

    def test_valid_page(self):
        _, token = self.issue()
        scans = len(self.scans())
        response = self.client().get(self.url(f'/verify/{token}'))
        self.assertEqual(response.status_code, 200)
        page = response.text
        self.assertIn('id="verify-valid">有效</p>', page)
        for text in ['积分证明', '陈*明', '<dt>积分</dt><dd>120</dd>',
                '长期有效']:
            self.assertIn(text, page)
        self.assertNotIn('陈小明', page)
        self.assertNotIn('<script>', page)
        self.assertEqual(response.headers['Cache-Control'], 'no-store')
        self.assertIn("script-src 'self'",
            response.headers['Content-Security-Policy'])
        self.assertEqual(self.scans()[scans:], [('valid', 'online')])
        # The query form, as some scanners open it.
        response = self.client().get(self.url(f'/verify?token={token}'))
        self.assertIn('id="verify-valid"', response.text)

    def test_json(self):
        id_, token = self.issue(expires_at=dt.date(2099, 12, 31))
        scans = len(self.scans())
        response = self.client().get(self.url(f'/verify/{token}'),
            headers=JSON)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers['Content-Type'],
            'application/json; charset=utf-8')
        data = json.loads(response.data)
        with Transaction().start(self.db_name, 0):
            number = Pool().get('laisui.credential')(id_).number
        self.assertEqual(data, {
                'result': 'valid', 'label': '有效', 'number': number,
                'kind': 'certificate', 'title': '积分证明',
                'holder': '陈*明', 'claims': [['积分', '120']],
                'issued_at': data['issued_at'],
                'expires_at': '2100-01-01 00:00',
                })
        self.assertEqual(self.scans()[scans:], [('valid', 'api')])

    def test_revoked(self):
        _, token = self.issue(revoke='申请已撤回')
        page = self.client().get(self.url(f'/verify/{token}')).text
        self.assertIn('id="verify-revoked">已撤销：该凭证已于', page)
        self.assertIn('原因：申请已撤回', page)
        data = json.loads(self.client().get(
                self.url(f'/verify/{token}'), headers=JSON).data)
        self.assertEqual((data['result'], data['label'],
                data['revocation_reason']), ('revoked', '已撤销', '申请已撤回'))

    def test_expired(self):
        _, token = self.issue(expires_at=dt.date(2020, 1, 31))
        response = self.client().get(self.url(f'/verify/{token}'))
        self.assertEqual(response.status_code, 200)
        self.assertIn('id="verify-expired">已过期：该凭证已于 2020-02-01 00:00 过期',
            response.text)

    def test_invalid(self):
        _, token = self.issue()
        head, _ = token.split('.')
        forged = head + '.' + base64.urlsafe_b64encode(
            os.urandom(64)).rstrip(b'=').decode()
        scans = len(self.scans())
        for value in [forged, 'abc', '通' * 30]:
            with self.subTest(value=value[:20]):
                response = self.client().get(self.url(f'/verify/{value}'))
                self.assertEqual(response.status_code, 404)
                self.assertIn('id="verify-invalid">无效凭证', response.text)
        response = self.client().get(self.url('/verify'), headers=JSON)
        self.assertEqual(response.status_code, 404)
        self.assertEqual(json.loads(response.data),
            {'result': 'forged', 'label': '无效凭证'})
        self.assertEqual(self.scans()[scans:],
            [('forged', 'online')] * 3 + [('forged', 'api')])

    def test_throttle(self):
        "Past the failures of the hour, an address is refused (429)"
        _, token = self.issue()
        client = self.client()
        with patch.object(credential_routes, 'FAILURES_PER_HOUR', 2):
            environ = {'REMOTE_ADDR': '198.51.100.9'}
            for _ in range(2):
                response = client.get(self.url('/verify/abc'),
                    environ_base=environ)
                self.assertEqual(response.status_code, 404)
            scans = len(self.scans())
            response = client.get(self.url(f'/verify/{token}'),
                environ_base=environ)
            self.assertEqual(response.status_code, 429)
            self.assertEqual(len(self.scans()), scans)
            # Another address is not held back.
            response = client.get(self.url(f'/verify/{token}'),
                environ_base={'REMOTE_ADDR': '198.51.100.10'})
            self.assertEqual(response.status_code, 200)

    def keys(self):
        return self.client().get(f'/{self.db_name}/laisui/credentials/keys')

    def test_keys(self):
        self.issue()
        response = self.keys()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers['Cache-Control'],
            'public, max-age=300')
        keys = json.loads(response.data)['keys']
        self.assertTrue(keys)
        self.assertTrue(all(k['kty'] == 'OKP' and k['crv'] == 'Ed25519'
                and k['pem'].startswith('-----BEGIN PUBLIC KEY-----')
                for k in keys))
        self.assertFalse(any('d' in k for k in keys))
        etag = response.headers['ETag']
        response = self.client().get(
            f'/{self.db_name}/laisui/credentials/keys',
            headers={'If-None-Match': etag})
        self.assertEqual(response.status_code, 304)

    def offline(self, token, keys, *args):
        return subprocess.run([sys.executable, str(SCRIPT), token,
                '--keys', keys, *args], capture_output=True, text=True,
            timeout=60)

    def test_offline_script(self):
        "The script verifies a token of this database, refuses an altered one"
        _, token = self.issue(expires_at=dt.date(2099, 12, 31))
        with tempfile.TemporaryDirectory() as folder:
            keys = os.path.join(folder, 'keys.json')
            with open(keys, 'wb') as file:
                file.write(self.keys().data)
            done = self.offline(token, keys)
            self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
            self.assertIn('valid', done.stdout)
            # The whole URL of the QR code does as well.
            done = self.offline('https://example.org/db/portal/verify/'
                + token, keys)
            self.assertEqual(done.returncode, 0)
            head, signature = token.split('.')
            data = bytearray(base64.urlsafe_b64decode(
                    head + '=' * (-len(head) % 4)))
            data[-3] ^= 1
            altered = base64.urlsafe_b64encode(bytes(data)).rstrip(
                b'=').decode() + '.' + signature
            done = self.offline(altered, keys)
            self.assertEqual(done.returncode, 2)
            self.assertIn('invalid', done.stdout)
            done = self.offline(token, keys, '--at', '2100-01-01T00:00:00+08:00')
            self.assertEqual(done.returncode, 1)
            self.assertIn('expired', done.stdout)
            done = self.offline(token, keys, '--at', '2099-12-31T23:59:59+08:00')
            self.assertEqual(done.returncode, 0)
