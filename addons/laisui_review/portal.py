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
        return super().next_steps(portal) + application_step(portal,
            'laisui.review.points_request', 'laisui_base.msg_step_points',
            'laisui_base.msg_step_points_none', '/reviews', '/reviews/apply')


def application_step(portal, model, label, none, list_path, apply_path):
    """[(label, path, status)] of the signed-in applicant's latest document
    of model: its number and state, or `none` and the way to apply"""
    pool = Pool()
    Applicant = pool.get('laisui.applicant')
    Document = pool.get(model)
    applicant = Applicant.for_web_user(portal.user)
    if not applicant:
        return []
    documents = Document.search([('applicant', '=', applicant.id)],
        order=[('id', 'DESC')], limit=1)
    if documents:
        document, = documents
        return [(gettext(label), list_path,
                gettext('laisui_base.msg_step_application_state',
                    number=document.number, state=document.state_string))]
    return [(gettext(label), apply_path, gettext(none))]
