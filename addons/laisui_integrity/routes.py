# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The applicant's own integrity entries and their appeal."""
from http import HTTPStatus

from trytond.modules.laisui_base.exceptions import PortalError, UploadError
from trytond.modules.laisui_base.portal import portal_route
from trytond.modules.laisui_points.portal import (
    own_record, signed_in_applicant)
from trytond.modules.laisui_points.routes import UPLOAD_LIMIT

from .exceptions import AppealError
from .min_lengths import min_length


def _page(portal, form=None, **values):
    Entry = portal.pool.get('laisui.integrity.blacklist')
    entries = Entry.search(
        [('applicant', '=', signed_in_applicant(portal).id)])
    return portal.render('laisui_integrity/integrity.html',
        entries=entries,
        statement_min_length=min_length('min_appeal_statement_length'),
        form=form or {}, **values)


@portal_route('/integrity')
def integrity(portal):
    return _page(portal)


@portal_route('/integrity/<int:entry_id>/appeal', methods=('POST',),
    max_size=UPLOAD_LIMIT)
def appeal(portal, entry_id):
    pool = portal.pool
    Appeal = pool.get('laisui.integrity.appeal')
    Evidence = pool.get('laisui.evidence')
    EvidenceType = pool.get('laisui.evidence.type')
    entry = own_record(portal, 'laisui.integrity.blacklist', entry_id)
    form = portal.request.form
    upload = portal.request.files.get('file')
    try:
        evidence = None
        data = upload.read() if upload else b''
        if data:
            type_, = EvidenceType.search([('code', '=', 'integrity_appeal')])
            evidence, = Evidence.create([{
                        'applicant': entry.applicant.id,
                        'type': type_.id,
                        'data': data,
                        }])
        record = Appeal.lodge(entry, (form.get('statement') or '')[:2000],
            evidence)
    except (AppealError, PortalError, UploadError) as e:
        portal.rollback()
        return _page(portal, error=e.message,
            form=form, status=HTTPStatus.BAD_REQUEST)
    portal.audit('create', resource=record, to_value='pending')
    return portal.redirect('/integrity')
