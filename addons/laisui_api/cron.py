# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('laisui.api.usage|purge', "Drop Old API Usage"),
                ('laisui.api.idempotency|purge',
                    "Drop Old API Idempotency Keys"),
                ('laisui.api.webhook.delivery|send_due',
                    "Retry Webhook Deliveries"),
                ])
