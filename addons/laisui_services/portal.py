# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta


class Portal(metaclass=PoolMeta):
    __name__ = 'laisui.portal'

    @classmethod
    def template_modules(cls):
        return super().template_modules() + ['laisui_services']

    @classmethod
    def menu(cls, portal):
        return super().menu(portal) + [("公共服务", '/services')]
