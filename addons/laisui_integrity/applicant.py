# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import Pool, PoolMeta


class Applicant(metaclass=PoolMeta):
    __name__ = 'laisui.applicant'

    def check_can_apply(self, service, date=None, staff=False):
        super().check_can_apply(service, date=date, staff=staff)
        Pool().get('laisui.integrity.blacklist').check(
            self, service, date=date, staff=staff)
