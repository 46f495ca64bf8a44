# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The applicant's request to correct their name or ID number
(更正身份信息), and the requests they made with their replies."""
from http import HTTPStatus

from trytond.i18n import gettext
from trytond.modules.laisui_base.portal import (
    CSRF_FIELD, portal_route, record_id)

from .portal import own_record, signed_in_applicant

# The fields of the form, in the order of the page
FIELDS = ('name', 'id_number', 'reason', 'evidence')


@portal_route('/profile/identity', methods=('GET', 'POST'))
def identity_correction(portal):
    Correction = portal.pool.get('laisui.applicant.identity_correction')
    applicant = signed_in_applicant(portal)
    if portal.request.method != 'POST':
        return _page(portal, applicant, {})
    form = {k: v for k, v in portal.request.form.items() if k != CSRF_FIELD}
    if Correction.open_request(applicant):
        return _page(portal, applicant, form,
            error=gettext('laisui_points.msg_identity_correction_open'),
            status=HTTPStatus.CONFLICT)
    _, errors = Correction.request_values(applicant, form.get('name'),
        form.get('id_number'), form.get('reason'))
    evidence = None
    if (form.get('evidence') or '').strip():
        # Somebody else's file is as none: 404.
        evidence = own_record(portal, 'laisui.evidence',
            record_id(form['evidence']), not_found=True)
    if errors:
        return _page(portal, applicant, form,
            errors={n: errors[n] for n in FIELDS if n in errors},
            status=HTTPStatus.BAD_REQUEST)
    Correction.request(applicant, form.get('name'), form.get('id_number'),
        form.get('reason'), evidence=evidence)
    return _page(portal, applicant, {},
        info=gettext('laisui_points.msg_identity_correction_sent'))


def _page(portal, applicant, form, status=HTTPStatus.OK, **values):
    Correction = portal.pool.get('laisui.applicant.identity_correction')
    return portal.render('laisui_points/identity_correction.html',
        applicant=applicant, form=form, status=status,
        requests=Correction.search([('applicant', '=', applicant.id)]),
        open_request=Correction.open_request(applicant),
        evidences=applicant.evidences, **values)
