# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import hashlib
import hmac
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

import trytond.config as config
from trytond.cache import Cache
from trytond.model import ModelSingleton, ModelSQL, fields


class Secret(ModelSingleton, ModelSQL):
    """Per-database secret for keyed hashes (codes, tokens).

    ``[laisui] secret`` in the configuration wins; without it a random key
    is made once per database so that nothing ships with a known key.
    """
    __name__ = 'laisui.secret'

    key = fields.Char("Key", readonly=True, strip=False)
    # Every portal page signs its CSRF token: the key is read once per
    # process, not once per request (written only at its creation).
    _key_cache = Cache('laisui.secret.key', context=False)

    @classmethod
    def default_key(cls):
        return secrets.token_hex(32)

    @classmethod
    def get_key(cls):
        configured = config.get('laisui', 'secret')
        if configured:
            return configured.encode('utf-8')
        key = cls._key_cache.get(None)
        if key is None:
            record = cls.get_singleton()
            if record:
                key = record.key
                cls._key_cache.set(None, key)
            else:
                # Not cached: the transaction creating it may roll back.
                record, = cls.create([{}])
                key = record.key
        return key.encode('utf-8')

    @classmethod
    def write(cls, *args):
        super().write(*args)
        cls._key_cache.clear()

    @classmethod
    def delete(cls, records):
        super().delete(records)
        cls._key_cache.clear()

    @classmethod
    def derive(cls, info, length=32):
        """A key of its own for each use (`info`), derived by HKDF-SHA256
        from the secret: one use's key tells nothing of another's"""
        return HKDF(algorithm=hashes.SHA256(), length=length, salt=None,
            info=info).derive(cls.get_key())

    @classmethod
    def digest(cls, *parts):
        "Keyed SHA-256 of the parts"
        message = '\x1f'.join(map(str, parts)).encode('utf-8')
        return hmac.new(cls.get_key(), message, hashlib.sha256).hexdigest()
