# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta


class Credential(metaclass=PoolMeta):
    "Service vouchers (服务凭证) are credentials of laisui_base"
    __name__ = 'laisui.credential'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.kind.selection.append(('service_voucher', "Service Voucher"))
        cls._number_prefixes['service_voucher'] = 'FW'

    @classmethod
    def _get_documents(cls):
        return super()._get_documents() + ['laisui.service.application']
