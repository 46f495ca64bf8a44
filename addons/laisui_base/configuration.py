# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import hashlib
import hmac
import secrets

import trytond.config as config
from trytond.model import ModelSingleton, ModelSQL, fields


class Secret(ModelSingleton, ModelSQL):
    """Per-database secret for keyed hashes (codes, tokens).

    ``[laisui] secret`` in the configuration wins; without it a random key
    is made once per database so that nothing ships with a known key.
    """
    __name__ = 'laisui.secret'

    key = fields.Char("Key", readonly=True, strip=False)

    @classmethod
    def default_key(cls):
        return secrets.token_hex(32)

    @classmethod
    def get_key(cls):
        configured = config.get('laisui', 'secret')
        if configured:
            return configured.encode('utf-8')
        record = cls.get_singleton()
        if not record:
            record, = cls.create([{}])
        return record.key.encode('utf-8')

    @classmethod
    def digest(cls, *parts):
        "Keyed SHA-256 of the parts"
        message = '\x1f'.join(map(str, parts)).encode('utf-8')
        return hmac.new(cls.get_key(), message, hashlib.sha256).hexdigest()
