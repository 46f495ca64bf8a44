# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta


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
        pool = Pool()
        Applicant = pool.get('laisui.applicant')
        Application = pool.get('laisui.admission.application')
        steps = super().next_steps(portal)
        applicant = Applicant.for_web_user(portal.user)
        if not applicant:
            return steps
        applications = Application.search(
            [('applicant', '=', applicant.id)], order=[('id', 'DESC')],
            limit=1)
        if applications:
            application, = applications
            path = '/admission'
            status = gettext('laisui_base.msg_step_application_state',
                number=application.number, state=application.state_string)
        else:
            path = '/admission/apply'
            status = gettext('laisui_base.msg_step_admission_none')
        return steps + [
            (gettext('laisui_base.msg_step_admission'), path, status)]
