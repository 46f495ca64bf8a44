# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The applicant's own review requests: progress, the complete list of
what a return for correction asks for, and resubmission once corrected."""
from http import HTTPStatus

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.modules.laisui_base.portal import portal_route
from trytond.modules.laisui_points.routes import _applicant


def _page(portal, applicant, **values):
    Request = portal.pool.get('laisui.review.points_request')
    requests = Request.search([('applicant', '=', applicant.id)])
    return portal.render('laisui_review/reviews.html',
        requests=requests, **values)


@portal_route('/reviews')
def reviews(portal):
    return _page(portal, _applicant(portal))


@portal_route('/reviews/<int:request_id>/resubmit', methods=('POST',))
def resubmit(portal, request_id):
    pool = portal.pool
    Request = pool.get('laisui.review.points_request')
    Case = pool.get('laisui.review.case')
    applicant = _applicant(portal)
    requests = Request.search([('id', '=', request_id)])
    if not requests or requests[0].applicant != applicant:
        return portal.deny(f'laisui.review.points_request,{request_id}')
    request, = requests
    try:
        if request.state != 'returned' or not request.review_case:
            raise UserError(gettext(
                    'laisui_review.msg_portal_not_returned'))
        Case.resubmit([request.review_case])
    except UserError as e:
        portal.rollback()
        return _page(portal, _applicant(portal), error=e.message,
            status=HTTPStatus.CONFLICT)
    portal.audit('state', resource=request, from_value='returned',
        to_value='review', detail='申请人补正后重新提交')
    return portal.redirect('/reviews')
