# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import secrets

from trytond import config
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.transaction import Transaction


class Configuration(ModelSingleton, ModelSQL, ModelView):
    "Review configuration"
    __name__ = 'laisui.review.configuration'

    # Nobody reads it (ir.model.field.access): it signs batch sheets.
    batch_key = fields.Char("Batch Sheet Signing Key")

    @classmethod
    def get_batch_key(cls):
        """The key that signs batch review sheets: [laisui_review]
        batch_key of the server configuration, else one made for this
        database on first use (in the record review_data.xml creates)."""
        key = config.get('laisui_review', 'batch_key')
        if key:
            return key.encode()
        with Transaction().set_context(_check_access=False):
            configuration = cls.get_singleton()
            key = configuration.batch_key if configuration else None
            if not key:
                key = secrets.token_hex(32)
                cls.write([configuration], {'batch_key': key})
            return key.encode()
