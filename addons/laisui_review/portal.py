# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta


class Portal(metaclass=PoolMeta):
    __name__ = 'laisui.portal'

    @classmethod
    def template_modules(cls):
        return super().template_modules() + ['laisui_review']

    @classmethod
    def menu(cls, portal):
        return super().menu(portal) + [("我的申请", '/reviews')]

    @classmethod
    def next_steps(cls, portal):
        "The points verification request, where the latest one stands"
        pool = Pool()
        Applicant = pool.get('laisui.applicant')
        Request = pool.get('laisui.review.points_request')
        steps = super().next_steps(portal)
        applicant = Applicant.for_web_user(portal.user)
        if not applicant:
            return steps
        requests = Request.search([('applicant', '=', applicant.id)],
            order=[('id', 'DESC')], limit=1)
        if requests:
            request, = requests
            path = '/reviews'
            status = gettext('laisui_base.msg_step_application_state',
                number=request.number, state=request.state_string)
        else:
            path = '/reviews/apply'
            status = gettext('laisui_base.msg_step_points_none')
        return steps + [(gettext('laisui_base.msg_step_points'), path, status)]
