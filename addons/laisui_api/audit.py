# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta


class AuditLog(metaclass=PoolMeta):
    __name__ = 'laisui.audit.log'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.action.selection.append(('api_call', "API Call"))
