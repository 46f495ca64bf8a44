# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta


class Credential(metaclass=PoolMeta):
    "Credentials are issued to applicants (notices, vouchers, certificates)"
    __name__ = 'laisui.credential'

    @classmethod
    def _get_holders(cls):
        return super()._get_holders() + ['laisui.applicant']
