# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The applicant's own review requests: progress, the complete list of
what a return for correction asks for, and resubmission once corrected."""
from http import HTTPStatus

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.modules.laisui_base.portal import portal_route
from trytond.modules.laisui_points.portal import (
    own_record, signed_in_applicant)


def resubmit_route(path, model, page):
    """Declare POST <path>/<id>/resubmit for the applicant's reviewed
    documents of `model`: corrected after a return, the review resumes.
    page(portal, **values) renders the documents' page, with the error
    (409) when the document is not waiting for corrections; after the
    resubmission the browser goes back to <path>."""
    @portal_route(path + '/<int:document_id>/resubmit', methods=('POST',))
    def resubmit(portal, document_id):
        Case = portal.pool.get('laisui.review.case')
        document = own_record(portal, model, document_id)
        try:
            if document.state != 'returned' or not document.review_case:
                raise UserError(gettext(
                        'laisui_review.msg_portal_not_returned'))
            Case.resubmit([document.review_case])
        except UserError as e:
            portal.rollback()
            return page(portal, error=e.message, status=HTTPStatus.CONFLICT)
        return portal.redirect(path)
    return resubmit


def _page(portal, **values):
    Request = portal.pool.get('laisui.review.points_request')
    requests = Request.search(
        [('applicant', '=', signed_in_applicant(portal).id)])
    return portal.render('laisui_review/reviews.html',
        requests=requests, **values)


@portal_route('/reviews')
def reviews(portal):
    return _page(portal)


resubmit = resubmit_route('/reviews', 'laisui.review.points_request', _page)
