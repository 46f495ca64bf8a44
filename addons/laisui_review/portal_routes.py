# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The applicant's own reviewed documents on the portal: the pages every
online application shares (check, confirmation, withdrawal, deletion,
resubmission after a return) and the points verification request."""
from http import HTTPStatus

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.modules.laisui_base.identity import mask_phone
from trytond.modules.laisui_base.portal import portal_route
from trytond.modules.laisui_points.portal import (
    own_record, signed_in_applicant)



def resubmit_route(path, model, page):
    """Declare POST <path>/<id>/resubmit for the applicant's reviewed
    documents of `model`: corrected after a return, the review resumes.
    page(portal, **values) renders the documents' page, with the error
    (409) when the document is not waiting for corrections; after the
    resubmission the browser goes back to <path>."""
    @portal_route(path + '/<int:document_id>/resubmit', methods=('POST',),
        model=model)
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


def confirmation_routes(path, model, page, edit_path):
    """Declare the pages of the applicant's documents of `model` (with the
    ConfirmedSubmissionMixin) under <path>/<id>:

    - /check: 核对信息, the read-only summary of what will be submitted,
      the SMS code bound to it and the submission;
    - the document's page: the confirmation with its number, what was
      submitted and what happens next;
    - /withdraw (while under review or returned) and /delete (a draft).

    page(portal, **values) renders the list of the documents, with the
    error of a refused withdrawal or deletion; edit_path(document) is the
    path of the draft's form.
    """
    def check_page(portal, document, status=HTTPStatus.OK, **values):
        values.setdefault('code_sent', False)
        summary = document.confirmation_summary()
        return portal.render('laisui_review/check.html', status=status,
            document=document, summary=summary,
            digest=document.confirmation_digest(summary),
            edit=portal.url(edit_path(document)),
            action=portal.url(f'{path}/{document.id}/check'),
            phone=mask_phone(document.confirmation_phone()), **values)

    @portal_route(path + '/<int:document_id>/check', methods=('GET', 'POST'),
        model=model)
    def check(portal, document_id):
        Document = portal.pool.get(model)
        document = own_record(portal, model, document_id)
        form = portal.request.form
        action = form.get('action')
        if portal.request.method == 'POST' and action == 'submit':
            message = Document.confirm_submission(
                document, form.get('code'), form.get('digest'))
            if message is None:
                return portal.redirect(f'{path}/{document.id}')
            # Not rolled back: the wrong try counts against the code.
            document = Document(document.id)
            if document.state != 'draft':
                return document_page(portal, document,
                    status=HTTPStatus.CONFLICT, error=gettext(message))
            field = 'code' if message in CODE_MESSAGES else None
            return check_page(portal, document,
                status=HTTPStatus.UNPROCESSABLE_ENTITY, code_sent=True,
                **({'errors': {field: gettext(message)}} if field
                    else {'error': gettext(message)}))
        if document.state != 'draft':
            return portal.redirect(f'{path}/{document.id}')
        if portal.request.method == 'POST' and action == 'send_code':
            try:
                document.send_confirmation_code()
            except UserError as e:
                portal.rollback()
                return check_page(portal, own_record(
                        portal, model, document_id),
                    status=HTTPStatus.UNPROCESSABLE_ENTITY, error=e.message)
            return check_page(portal, Document(document.id), code_sent=True,
                info=gettext('laisui_review.msg_portal_code_sent',
                    phone=mask_phone(document.confirmation_phone())))
        document.prepare_confirmation()
        return check_page(portal, Document(document.id))

    def document_page(portal, document, status=HTTPStatus.OK, **values):
        return portal.render('laisui_review/done.html', status=status,
            document=document, summary=document.submitted_summary(),
            list_url=portal.url(path), **values)

    @portal_route(path + '/<int:document_id>', model=model)
    def show(portal, document_id):
        document = own_record(portal, model, document_id)
        if document.state == 'draft':
            return portal.redirect(f'{path}/{document.id}/check')
        return document_page(portal, document)

    @portal_route(path + '/<int:document_id>/withdraw', methods=('POST',),
        model=model)
    def withdraw(portal, document_id):
        Document = portal.pool.get(model)
        document = own_record(portal, model, document_id)
        if document.state not in {'review', 'returned'}:
            return page(portal, status=HTTPStatus.CONFLICT,
                error=gettext('laisui_review.msg_withdraw_decided'))
        Document.withdraw([document])
        return portal.redirect(path)

    @portal_route(path + '/<int:document_id>/delete', methods=('POST',),
        model=model)
    def delete(portal, document_id):
        Document = portal.pool.get(model)
        document = own_record(portal, model, document_id)
        if document.state != 'draft':
            return page(portal, status=HTTPStatus.CONFLICT,
                error=gettext('laisui_review.msg_delete_not_draft'))
        portal.audit('delete', resource=document)
        Document.delete([document])
        return portal.redirect(path)

    return check, show, withdraw, delete


# Messages of VerificationCode.check about the code the applicant typed
CODE_MESSAGES = {
    'laisui_base.msg_code_invalid', 'laisui_base.msg_code_expired',
    'laisui_base.msg_code_wrong', 'laisui_base.msg_code_dead'}


# The points verification request ---------------------------------------
REQUEST = 'laisui.review.points_request'


def _page(portal, **values):
    Request = portal.pool.get(REQUEST)
    requests = Request.search(
        [('applicant', '=', signed_in_applicant(portal).id)])
    return portal.render('laisui_review/reviews.html',
        requests=requests, **values)


@portal_route('/reviews')
def reviews(portal):
    return _page(portal)


resubmit = resubmit_route('/reviews', REQUEST, _page)
confirmation = confirmation_routes(
    '/reviews', REQUEST, _page, lambda request: '/reviews/apply')


def _request_form(portal, applicant, draft, chosen, status=HTTPStatus.OK,
        **values):
    pool = portal.pool
    Statement = pool.get('laisui.points.statement')
    Fact = pool.get('laisui.fact')
    Statement.compute([applicant])
    applicant = type(applicant)(applicant.id)
    statement = applicant.statement
    lines = [l for l in statement.lines if l.computed] if statement else []
    uploaded = {e.type for e in applicant.evidences}
    sources = dict(Fact.fields_get(['source'])['source']['selection'])
    kinds = dict(Fact.fields_get(['kind'])['kind']['selection'])
    return portal.render('laisui_review/request_form.html', status=status,
        applicant=applicant, draft=draft, lines=lines, chosen=chosen,
        uploaded=uploaded, sources=sources, kinds=kinds,
        held=[f for f in applicant.facts if f.source != 'declared'],
        **values)


@portal_route('/reviews/apply', methods=('GET', 'POST'))
def apply(portal):
    "The applicant's one draft request: the indicators to verify"
    Request = portal.pool.get(REQUEST)
    applicant = signed_in_applicant(portal)
    drafts = Request.search([
            ('applicant', '=', applicant.id),
            ('state', '=', 'draft'),
            ], limit=1)
    draft = drafts[0] if drafts else None
    open_ = Request.search([
            ('applicant', '=', applicant.id),
            ('state', 'in', ['review', 'returned']),
            ], limit=1)
    if open_:
        return _page(portal, status=HTTPStatus.CONFLICT, error=gettext(
                'laisui_review.msg_request_open', applicant=applicant.name))
    if portal.request.method == 'GET':
        chosen = ({i.id for i in draft.indicators} if draft else None)
        return _request_form(portal, applicant, draft, chosen)
    applicant.check_can_apply('points')
    statement = applicant.statement
    offered = {l.indicator.id for l in statement.lines if l.computed} if (
        statement) else set()
    chosen = {int(v) for v in portal.request.form.getlist('indicator')
        if v.isascii() and v.isdigit() and int(v) in offered}
    if not chosen:
        return _request_form(portal, applicant, draft, chosen,
            status=HTTPStatus.UNPROCESSABLE_ENTITY, errors={
                'indicator': gettext('laisui_review.msg_no_indicator')})
    if draft:
        current = {i.id for i in draft.indicators}
        Request.write([draft], {'indicators': [
                    ('remove', sorted(current - chosen)),
                    ('add', sorted(chosen - current))]})
        portal.audit('write', resource=draft)
    else:
        draft, = Request.create([{
                    'applicant': applicant.id,
                    'indicators': [('add', sorted(chosen))],
                    }])
        portal.audit('create', resource=draft)
    return portal.redirect(f'/reviews/{draft.id}/check')
