# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Signed credentials: issued with a number and a token that holds no
personal data; every token that is not the one issued (forged, altered,
another key, malformed) is invalid, expiry has its boundaries, revocation
needs a reason; each verification is one row of the scan log and changes
nothing else; the private key is out of every user's reach; rotation
keeps the old tokens valid."""
import base64
import datetime as dt
import json
import os
import re
import tempfile
from unittest.mock import patch

from trytond.model.exceptions import AccessError
from trytond.model.modelview import AccessButtonError
from trytond.modules.laisui_base import credential_key, credential_token
from trytond.modules.laisui_base.exceptions import (
    CredentialError, CredentialKeyError, StateConflictError)
from trytond.modules.laisui_base.tests.tools import (
    ActivatedTestCase, acting, staff)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

# 2026-09-01 12:00 in Guangzhou
NOW = dt.datetime(2026, 9, 1, 4, 0)
NAME = '陈小明'


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode()


def unb64(text):
    return base64.urlsafe_b64decode(text + '=' * (-len(text) % 4))


class CredentialTestCase(ActivatedTestCase):
    "Signed credentials"
    modules = ['laisui_base']

    def at(self, now):
        return Transaction().set_context(_laisui_now=now,
            _request={'remote_addr': '203.0.113.7'})

    def holder(self):
        Party = Pool().get('party.party')
        party, = Party.create([{'name': NAME}])
        return party

    def issue(self, expires_at=None, now=NOW):
        Credential = Pool().get('laisui.credential')
        with self.at(now):
            return Credential.issue('certificate', self.holder(), None,
                '积分证明', [('积分', '120'), ('姓名', '陈*明')],
                expires_at=expires_at)

    def verify(self, token, now=NOW):
        Credential = Pool().get('laisui.credential')
        with self.at(now):
            return Credential.verify(token)

    def scans(self):
        Scan = Pool().get('laisui.credential.scan')
        return [(s.result, s.credential, s.channel, s.address)
            for s in Scan.search([], order=[('id', 'ASC')])]

    def snapshot(self):
        "What a verification must not change: credentials, audit, keys"
        pool = Pool()
        Credential = pool.get('laisui.credential')
        AuditLog = pool.get('laisui.audit.log')
        Key = pool.get('laisui.credential.key')
        return ([(c.id, c.write_date, c.revoked_at) for c in
                Credential.search([])], AuditLog.search_count([]),
            [(k.id, k.state) for k in Key.search([])])

    def signed(self, payload):
        "A token of payload signed with the database's key"
        Key = Pool().get('laisui.credential.key')
        _, key = Key.signing_key()
        return credential_token.encode(payload, key.sign)

    # Issue ---------------------------------------------------------------
    @with_transaction()
    def test_issue(self):
        "A number by kind and year, a token without personal data, audited"
        AuditLog = Pool().get('laisui.audit.log')
        credential = self.issue(expires_at=dt.date(2026, 12, 31))
        self.assertRegex(credential.number, r'^ZM2026\d{6}$')
        self.assertEqual(credential.state, 'valid')
        self.assertEqual(credential.issued_at, NOW)
        # Valid through 31 December in Guangzhou: 1 January 00:00 +08:00.
        self.assertEqual(credential.expires_at, dt.datetime(2026, 12, 31, 16))
        self.assertEqual(credential.claims_list,
            [('积分', '120'), ('姓名', '陈*明')])
        self.assertEqual(credential.holder_masked, '陈*明')
        head, signature = credential.token.split('.')
        payload = json.loads(unb64(head))
        self.assertEqual(sorted(payload),
            ['expires', 'issued', 'kid', 'kind', 'number', 'sub', 'v'])
        self.assertEqual((payload['number'], payload['kind'], payload['v']),
            (credential.number, 'certificate', 1))
        self.assertEqual(payload['issued'], 1788235200)
        self.assertEqual(payload['expires'], 1798732800)
        self.assertNotIn(NAME, unb64(head).decode())
        self.assertEqual(len(unb64(signature)), 64)
        # Short enough for a QR code on paper.
        self.assertLess(len(credential.token), 300)
        self.assertEqual(AuditLog.search_count([
                    ('action', '=', 'create'),
                    ('resource', '=', str(credential))]), 1)
        second = self.issue()
        self.assertEqual(int(second.number[-6:]),
            int(credential.number[-6:]) + 1)
        self.assertNotIn('expires', json.loads(unb64(
                    second.token.split('.')[0])))

    @with_transaction()
    def test_issue_unknown_kind(self):
        Credential = Pool().get('laisui.credential')
        with self.assertRaises(ValueError):
            Credential.issue('voucher', self.holder(), None, 'x', [])
        self.assertEqual(Credential.search([]), [])

    # Verify --------------------------------------------------------------
    @with_transaction()
    def test_verify_valid(self):
        credential = self.issue()
        self.assertEqual(self.verify(credential.token),
            ('valid', credential))
        self.assertEqual(self.scans(),
            [('valid', credential, 'api', '203.0.113.0/24')])

    def assert_invalid(self, token, result='forged'):
        "token is refused as result, logged, nothing else changed"
        before = self.snapshot()
        scans = len(self.scans())
        self.assertEqual(self.verify(token), (result, None))
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(self.scans()[scans:],
            [(result, None, 'api', '203.0.113.0/24')])

    @with_transaction()
    def test_forged_signature(self):
        credential = self.issue()
        head, _ = credential.token.split('.')
        self.assert_invalid(head + '.' + b64(os.urandom(64)))

    @with_transaction()
    def test_altered_payload(self):
        "One byte of the payload changed: the signature no longer holds"
        credential = self.issue()
        head, signature = credential.token.split('.')
        data = bytearray(unb64(head))
        index = data.index(credential.number[-1].encode())
        data[index] = ord('9') if data[index] != ord('9') else ord('8')
        self.assert_invalid(b64(bytes(data)) + '.' + signature)

    @with_transaction()
    def test_wrong_kid(self):
        "Signed with our key but naming another: not a key of ours"
        credential = self.issue()
        payload = json.loads(unb64(credential.token.split('.')[0]))
        payload['kid'] = 'AAAAAAAAAAAAAAAA'
        self.assert_invalid(self.signed(payload))

    @with_transaction()
    def test_unknown_number(self):
        "A good signature on a number never issued"
        credential = self.issue()
        payload = json.loads(unb64(credential.token.split('.')[0]))
        payload['number'] = 'ZM2026999999'
        self.assert_invalid(self.signed(payload), 'unknown')

    @with_transaction()
    def test_signed_other_token(self):
        "A token of an issued number that is not the one issued"
        credential = self.issue()
        payload = json.loads(unb64(credential.token.split('.')[0]))
        payload['expires'] = payload['issued'] + 10 ** 8
        self.assert_invalid(self.signed(payload))

    @with_transaction()
    def test_malformed(self):
        credential = self.issue()
        head, signature = credential.token.split('.')
        for token in ['', '.', 'abc', '%%%.%%%', head + '.' + signature[:-2],
                head + '==.' + signature, credential.token + '.x',
                credential.token + '通', 'A' * 100_000,
                b64(b'[1,2]') + '.' + signature,
                b64(b'not json') + '.' + signature, None]:
            with self.subTest(token=(token or '')[:40]):
                self.assert_invalid(token)

    @with_transaction()
    def test_expiry_by_date(self):
        "Valid through the day in Guangzhou: the day before, on, after"
        credential = self.issue(expires_at=dt.date(2026, 12, 31))
        token = credential.token
        for now, result in [
                (dt.datetime(2026, 12, 30, 4), 'valid'),
                # 31 December, 23:59:59 in Guangzhou
                (dt.datetime(2026, 12, 31, 15, 59, 59), 'valid'),
                # 1 January 00:00 in Guangzhou
                (dt.datetime(2026, 12, 31, 16), 'expired'),
                (dt.datetime(2027, 1, 1, 4), 'expired'),
                ]:
            with self.subTest(now=now):
                self.assertEqual(self.verify(token, now),
                    (result, credential))
                with self.at(now):
                    self.assertEqual(credential.__class__(
                            credential.id).state, result)
        self.assertEqual([s[0] for s in self.scans()],
            ['valid', 'valid', 'expired', 'expired'])

    @with_transaction()
    def test_expiry_by_instant(self):
        expires = NOW + dt.timedelta(days=30)
        credential = self.issue(expires_at=expires)
        self.assertEqual(credential.expires_at, expires)
        second = dt.timedelta(seconds=1)
        self.assertEqual(self.verify(credential.token, expires - second)[0],
            'valid')
        self.assertEqual(self.verify(credential.token, expires)[0],
            'expired')
        self.assertEqual(self.verify(credential.token, expires + second)[0],
            'expired')

    # Revoke --------------------------------------------------------------
    @with_transaction()
    def test_revoke(self):
        pool = Pool()
        Credential = pool.get('laisui.credential')
        AuditLog = pool.get('laisui.audit.log')
        credential = self.issue()
        with self.at(NOW), self.assertRaises(CredentialError) as raised:
            Credential.revoke([credential], '  ')
        self.assertEqual(raised.exception.message,
            '请填写撤销原因：核验该凭证时会显示此原因。')
        self.assertEqual(Credential(credential.id).state, 'valid')
        self.assertEqual(self.verify(credential.token)[0], 'valid')

        later = NOW + dt.timedelta(days=1)
        with self.at(later):
            Credential.revoke([credential], '申请已撤回')
        credential = Credential(credential.id)
        self.assertEqual((credential.state, credential.revoked_at,
                credential.revocation_reason), ('revoked', later, '申请已撤回'))
        self.assertEqual(self.verify(credential.token, later),
            ('revoked', credential))
        entry, = AuditLog.search([('action', '=', 'state'),
                ('resource', '=', str(credential))])
        self.assertEqual((entry.from_value, entry.to_value, entry.detail),
            ('valid', 'revoked', '申请已撤回'))
        with self.at(later), self.assertRaises(StateConflictError):
            Credential.revoke([credential], '再次撤销')
        self.assertEqual(Credential(credential.id).revocation_reason,
            '申请已撤回')

    @with_transaction()
    def test_state_search(self):
        Credential = Pool().get('laisui.credential')
        valid = self.issue()
        expired = self.issue(expires_at=NOW + dt.timedelta(hours=1))
        revoked = self.issue()
        with self.at(NOW):
            Credential.revoke([revoked], '作废')
        later = NOW + dt.timedelta(hours=2)
        with self.at(later):
            for state, found in [('valid', [valid]), ('expired', [expired]),
                    ('revoked', [revoked])]:
                self.assertEqual(Credential.search(
                        [('state', '=', state)]), found)
            self.assertEqual(Credential.search(
                    [('state', 'in', ['valid', 'expired'])],
                    order=[('id', 'ASC')]), [valid, expired])
            self.assertEqual(Credential.search(
                    [('state', '!=', 'valid')], order=[('id', 'ASC')]),
                [expired, revoked])

    @with_transaction()
    def test_never_deleted(self):
        Credential = Pool().get('laisui.credential')
        credential = self.issue()
        with self.assertRaises(CredentialError):
            Credential.delete([credential])
        self.assertEqual(Credential.search([]), [credential])

    # Staff access --------------------------------------------------------
    @with_transaction()
    def test_staff_access(self):
        "Clerks read, nobody writes; the district admin revokes"
        Credential = Pool().get('laisui.credential')
        credential = self.issue()
        clerk = staff('clerk', 'group_window_clerk')
        admin = staff('district', 'group_district_admin')
        with acting(clerk):
            self.assertEqual(Credential.search([]), [credential])
            with self.assertRaises(AccessError):
                Credential.write([credential], {'title': '伪造'})
            with self.assertRaises(AccessButtonError):
                Credential.revoke_wizard([credential])
        with acting(admin):
            with self.assertRaises(AccessError):
                Credential.write([credential], {'title': '伪造'})
            Credential.revoke_wizard([credential])
            # The button's wizard asks for the reason.
            Wizard = Pool().get('laisui.credential.revoke', type='wizard')
            session_id, _, _ = Wizard.create()
            with self.at(NOW), Transaction().set_context(
                    active_model='laisui.credential',
                    active_id=credential.id, active_ids=[credential.id]):
                Wizard.execute(session_id,
                    {'start': {'reason': '材料造假'}}, 'revoke')
        credential = Credential(credential.id)
        self.assertEqual((credential.state, credential.revocation_reason,
                credential.revoked_by), ('revoked', '材料造假', admin))

    # Keys ----------------------------------------------------------------
    @with_transaction()
    def test_private_key_unreachable(self):
        "No read, search, export or field description reaches it"
        Key = Pool().get('laisui.credential.key')
        self.issue()
        key, = Key.search([])
        user = staff('security', 'group_security_admin')
        self.assertNotIn('sealed_private_key', Key._fields)
        with acting(user):
            self.assertNotIn('sealed_private_key', Key.fields_get())
            for call in [
                    lambda: Key.read([key.id], ['sealed_private_key']),
                    lambda: Key.search([('sealed_private_key', '!=', None)]),
                    lambda: Key.export_data([key], ['sealed_private_key']),
                    ]:
                with self.assertRaises((AccessError, KeyError, ValueError)):
                    call()
            row, = Key.read([key.id], list(Key._fields))
        self.assertFalse(any(isinstance(v, bytes) for v in row.values()))
        # Stored sealed: not the raw key.
        _, private = Key.signing_key()
        cursor = Transaction().connection.cursor()
        cursor.execute('SELECT sealed_private_key FROM laisui_credential_key')
        sealed, = cursor.fetchone()
        raw = private.private_bytes_raw()
        self.assertNotIn(raw, bytes(sealed))
        self.assertEqual(len(bytes(sealed)), 12 + 32 + 16)

    @with_transaction()
    def test_rotation(self):
        "A new key signs; the old tokens verify until their key is retired"
        pool = Pool()
        Key = pool.get('laisui.credential.key')
        AuditLog = pool.get('laisui.audit.log')
        old = self.issue()
        old_key, = Key.search([])
        Key.rotate()
        new = self.issue()
        kids = [json.loads(unb64(c.token.split('.')[0]))['kid']
            for c in [old, new]]
        self.assertNotEqual(kids[0], kids[1])
        self.assertEqual(kids[0], old_key.kid)
        self.assertEqual(self.verify(old.token)[0], 'valid')
        self.assertEqual(self.verify(new.token)[0], 'valid')
        self.assertEqual(sorted(k['kid'] for k in Key.published()['keys']),
            sorted(kids))
        Key.retire([old_key])
        self.assertEqual(self.verify(old.token), ('forged', None))
        self.assertEqual(self.verify(new.token)[0], 'valid')
        self.assertEqual([k['kid'] for k in Key.published()['keys']],
            [kids[1]])
        self.assertEqual(AuditLog.search_count(
                [('action', '=', 'security_config')]), 3)
        with self.assertRaises(CredentialKeyError):
            Key.delete([old_key])

    @with_transaction()
    def test_configured_key(self):
        "[laisui_credential] key_path: that key signs, none is stored"
        from cryptography.hazmat.primitives.asymmetric.ed25519 import (
            Ed25519PrivateKey)
        from cryptography.hazmat.primitives.serialization import (
            Encoding, NoEncryption, PrivateFormat, PublicFormat)
        Key = Pool().get('laisui.credential.key')
        private = Ed25519PrivateKey.generate()
        kid = credential_key.key_id(private.public_key().public_bytes(
                Encoding.Raw, PublicFormat.Raw))
        get = credential_key.config.get

        def configured(section, option, *args, **kwargs):
            if (section, option) == (credential_key.SECTION, 'key_path'):
                return file.name
            return get(section, option, *args, **kwargs)
        with tempfile.NamedTemporaryFile(suffix='.pem') as file:
            file.write(private.private_bytes(Encoding.PEM,
                    PrivateFormat.PKCS8, NoEncryption()))
            file.flush()
            Key._signing_cache.clear()
            with patch.object(credential_key.config, 'get', configured):
                credential = self.issue()
                with self.assertRaises(CredentialKeyError):
                    Key.rotate()
        payload = json.loads(unb64(credential.token.split('.')[0]))
        self.assertEqual(payload['kid'], kid)
        key, = Key.search([('kid', '=', kid)])
        self.assertTrue(key.external)
        cursor = Transaction().connection.cursor()
        cursor.execute('SELECT sealed_private_key FROM laisui_credential_key '
            'WHERE id = %s' % key.id)
        self.assertEqual(cursor.fetchone(), (None,))
        self.assertEqual(self.verify(credential.token)[0], 'valid')
        Key._signing_cache.clear()

    @with_transaction()
    def test_published_keys(self):
        "JWK OKP/Ed25519 with its kid, and the same key as PEM"
        from cryptography.hazmat.primitives.serialization import (
            Encoding, PublicFormat, load_pem_public_key)
        Key = Pool().get('laisui.credential.key')
        credential = self.issue()
        jwk, = Key.published()['keys']
        self.assertEqual((jwk['kty'], jwk['crv'], jwk['alg']),
            ('OKP', 'Ed25519', 'EdDSA'))
        self.assertTrue(re.fullmatch(r'[A-Za-z0-9_-]{16}', jwk['kid']))
        pem = load_pem_public_key(jwk['pem'].encode())
        self.assertEqual(b64(pem.public_bytes(Encoding.Raw,
                    PublicFormat.Raw)), jwk['x'])
        head, signature = credential.token.split('.')
        pem.verify(unb64(signature), unb64(head))
