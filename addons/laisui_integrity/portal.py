# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.pool import PoolMeta


class Portal(metaclass=PoolMeta):
    __name__ = 'laisui.portal'

    @classmethod
    def template_modules(cls):
        return super().template_modules() + ['laisui_integrity']

    @classmethod
    def menu(cls, portal):
        return super().menu(portal) + [
            (gettext('laisui_integrity.msg_menu_integrity'), '/integrity')]
