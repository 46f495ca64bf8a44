# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.modules.laisui_review.portal import application_step
from trytond.pool import PoolMeta


class Portal(metaclass=PoolMeta):
    __name__ = 'laisui.portal'

    @classmethod
    def template_modules(cls):
        return super().template_modules() + ['laisui_admission']

    @classmethod
    def menu(cls, portal):
        return super().menu(portal) + [
            (gettext('laisui_admission.msg_menu_admission'), '/admission')]

    @classmethod
    def public_links(cls, portal):
        return super().public_links(portal) + [
            (gettext('laisui_admission.msg_link_results'),
                '/admission/rounds', 'admission')]

    @classmethod
    def next_steps(cls, portal):
        "The school application last, where the latest one stands"
        return super().next_steps(portal) + application_step(portal,
            'laisui.admission.application', 'laisui_base.msg_step_admission',
            'laisui_base.msg_step_admission_none', '/admission',
            '/admission/apply')
