# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The Ed25519 keys that sign credentials (credential.py).

A key has a key id (kid: the first 16 characters of the base64url SHA-256
of its raw public key) and a state: active keys verify, and the newest of
them signs; a retired key verifies no more (every token it signed becomes
a forgery: for a key that leaked). The first key is made at the first
signature; rotation makes a new active key and leaves the old ones
verifying until somebody retires them.

Where the private key lives:

- by default in the database, sealed with AES-256-GCM under a key derived
  (HKDF-SHA256) from ``laisui.secret``: rotation is a button and every
  worker process reads the same key. Production sets ``[laisui] secret``
  in its configuration, so that a database dump without the
  configuration does not give the signing key away;
- ``[laisui_credential] key_path``: the path of a PEM file (PKCS#8) of an
  Ed25519 private key that production keeps outside the database. That key
  signs; the database only records its public half, and rotation is done
  by replacing the file (the rotation button refuses).

The sealed key is no field of the model at all (a column written and read
in SQL by this module only): no RPC call, read, search or export of any
user reaches it. Public keys are published (credential_routes.py) and
cached per process.
"""
import base64
import hashlib
import os

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey, Ed25519PublicKey)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sql import Column, Null

import trytond.config as config
from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import clock
from .exceptions import CredentialKeyError

SECTION = 'laisui_credential'
SEALED_COLUMN = 'sealed_private_key'
# (database name, kid): Ed25519PrivateKey, filled by signing_key()
_PRIVATE = {}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode('ascii')


def key_id(public_bytes):
    "The kid of a raw 32-byte public key"
    return b64url(hashlib.sha256(public_bytes).digest())[:16]


def _raw_public(private_key):
    return private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _sealing_key():
    return Pool().get('laisui.secret').derive(b'laisui-credential-key')


def seal(private_key, kid):
    raw = private_key.private_bytes(serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw, serialization.NoEncryption())
    nonce = os.urandom(12)
    return nonce + AESGCM(_sealing_key()).encrypt(
        nonce, raw, kid.encode('ascii'))


def unseal(sealed, kid):
    sealed = bytes(sealed)
    raw = AESGCM(_sealing_key()).decrypt(
        sealed[:12], sealed[12:], kid.encode('ascii'))
    return Ed25519PrivateKey.from_private_bytes(raw)


def _configured_key():
    "The private key of [laisui_credential] key_path, or None"
    path = config.get(SECTION, 'key_path')
    if not path:
        return None
    with open(path, 'rb') as file:
        key = serialization.load_pem_private_key(file.read(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path}: not an Ed25519 private key")
    return key


class CredentialKey(ModelSQL, ModelView):
    "Credential Signing Key"
    __name__ = 'laisui.credential.key'

    kid = fields.Char("Key ID", required=True, readonly=True)
    public_key = fields.Char("Public Key", required=True, readonly=True,
        help="The raw Ed25519 public key, base64url.")
    state = fields.Selection([
            ('active', "Active"),
            ('retired', "Retired"),
            ], "State", required=True, readonly=True)
    external = fields.Boolean("External", readonly=True,
        help="The private key is the file of the configuration, "
        "not kept in the database.")
    retired_at = fields.Timestamp("Retired At", readonly=True)

    # kid → raw public bytes, or None for a retired or unknown kid: one
    # lookup per process, not per verification.
    _public_cache = Cache('laisui.credential.key.public', context=False)
    # The kid of the signing key; the key itself stays in this process
    # (_PRIVATE), never in a shared cache backend.
    _signing_cache = Cache('laisui.credential.key.signing', context=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('kid_unique', Unique(t, t.kid),
                'laisui_base.msg_credential_key_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.state, Index.Equality())))
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'retire': {
                    'invisible': Eval('state') != 'active',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        table = cls.__table_handler__(module)
        if not table.column_exist(SEALED_COLUMN):
            table.add_column(SEALED_COLUMN, fields.Binary._sql_type)

    @classmethod
    def default_state(cls):
        return 'active'

    @classmethod
    def default_external(cls):
        return False

    @classmethod
    def _clear_caches(cls):
        cls._public_cache.clear()
        cls._signing_cache.clear()

    @classmethod
    def create(cls, vlist):
        records = super().create(vlist)
        cls._clear_caches()
        return records

    @classmethod
    def write(cls, *args):
        super().write(*args)
        cls._clear_caches()

    @classmethod
    def delete(cls, keys):
        # A key deleted would turn every token it signed into a forgery.
        if keys:
            raise CredentialKeyError(
                gettext('laisui_base.msg_credential_key_delete'))

    @classmethod
    def copy(cls, keys, default=None):
        if keys:
            raise CredentialKeyError(
                gettext('laisui_base.msg_credential_key_delete'))
        return []

    # Signing -------------------------------------------------------------
    @classmethod
    def signing_key(cls):
        "(kid, Ed25519PrivateKey) of the active key, made on first use"
        database = Transaction().database.name
        kid = cls._signing_cache.get(None)
        if kid and (database, kid) in _PRIVATE:
            return kid, _PRIVATE[database, kid]
        external = _configured_key()
        if external:
            kid, key, created = cls._use_external(external)
        else:
            found = cls._active_sealed()
            kid, key, created = found + (False,) if found else (
                cls._new_key() + (True,))
        _PRIVATE[database, kid] = key
        if not created:
            # Not a key made now: the transaction making it may roll back.
            cls._signing_cache.set(None, kid)
        return kid, key

    @classmethod
    def _active_sealed(cls):
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.kid, Column(table, SEALED_COLUMN),
                where=(table.state == 'active')
                & (Column(table, SEALED_COLUMN) != Null),
                order_by=[table.id.desc], limit=1))
        row = cursor.fetchone()
        if row:
            kid, sealed = row
            return kid, unseal(sealed, kid)

    @classmethod
    def _new_key(cls):
        "A new active key, which signs from now on"
        key = Ed25519PrivateKey.generate()
        public = _raw_public(key)
        kid = key_id(public)
        # Made by the server, whoever triggered it (a signature, rotation).
        with Transaction().set_context(_check_access=False):
            record, = cls.create([{'kid': kid, 'public_key': b64url(public),
                        'state': 'active', 'external': False}])
        table = cls.__table__()
        Transaction().connection.cursor().execute(*table.update(
                [Column(table, SEALED_COLUMN)], [seal(key, kid)],
                where=table.id == record.id))
        Pool().get('laisui.audit.log').log('security_config',
            resource=record, detail=f'credential key {kid} created')
        return kid, key

    @classmethod
    def _use_external(cls, key):
        "kid, key and whether its record is new"
        public = _raw_public(key)
        kid = key_id(public)
        created = not cls.search([('kid', '=', kid)], limit=1)
        if created:
            with Transaction().set_context(_check_access=False):
                cls.create([{'kid': kid, 'public_key': b64url(public),
                            'state': 'active', 'external': True}])
            Pool().get('laisui.audit.log').log('security_config',
                resource=f'{cls.__name__},{kid}',
                detail=f'credential key {kid} from key_path')
        return kid, key, created

    # Rotation ------------------------------------------------------------
    @classmethod
    def rotate(cls):
        "A new active key; the former ones still verify until retired"
        if config.get(SECTION, 'key_path'):
            raise CredentialKeyError(
                gettext('laisui_base.msg_credential_key_external'))
        # One rotation at a time: two would both think theirs the newest.
        cls.lock()
        cls._new_key()

    @classmethod
    @ModelView.button
    def retire(cls, keys):
        "The keys verify no more: every token they signed becomes invalid"
        keys = [k for k in keys if k.state == 'active']
        if not keys:
            return
        AuditLog = Pool().get('laisui.audit.log')
        with Transaction().set_context(_check_access=False):
            cls.write(keys, {'state': 'retired', 'retired_at': clock.now()})
        for key in keys:
            AuditLog.log('security_config', resource=key,
                from_value='active', to_value='retired',
                detail=f'credential key {key.kid} retired')

    # Verifying -----------------------------------------------------------
    @classmethod
    def public_key_of(cls, kid):
        "The Ed25519PublicKey of a kid that verifies, else None"
        raw = cls._public_cache.get(kid, -1)
        if raw == -1:
            keys = cls.search([('kid', '=', kid)], limit=1)
            raw = None
            if keys and keys[0].state == 'active':
                raw = base64.urlsafe_b64decode(keys[0].public_key + '==')
            cls._public_cache.set(kid, raw)
        if raw is not None:
            return Ed25519PublicKey.from_public_bytes(raw)

    @classmethod
    def published(cls):
        "The keys that verify, as a JWK set with their PEM"
        keys = []
        for key in cls.search([('state', '=', 'active')],
                order=[('id', 'ASC')]):
            raw = base64.urlsafe_b64decode(key.public_key + '==')
            pem = Ed25519PublicKey.from_public_bytes(raw).public_bytes(
                serialization.Encoding.PEM,
                serialization.PublicFormat.SubjectPublicKeyInfo).decode()
            keys.append({
                    'kty': 'OKP', 'crv': 'Ed25519', 'alg': 'EdDSA',
                    'use': 'sig', 'kid': key.kid, 'x': key.public_key,
                    'pem': pem,
                    })
        return {'keys': keys}


class CredentialKeyRotateStart(ModelView):
    "Rotate Credential Key"
    __name__ = 'laisui.credential.key.rotate.start'


class CredentialKeyRotate(Wizard):
    "Rotate Credential Key"
    __name__ = 'laisui.credential.key.rotate'

    start = StateView('laisui.credential.key.rotate.start',
        'laisui_base.credential_key_rotate_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Rotate", 'rotate', 'tryton-ok', default=True),
            ])
    rotate = StateTransition()

    def transition_rotate(self):
        Pool().get('laisui.credential.key').rotate()
        return 'end'
