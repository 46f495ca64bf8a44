# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Public services on the portal.

    /services                       the catalogue (公共服务), no login needed
    /services/<code>                guidance, conditions, materials, sessions;
                                    signed in: the pre-check of each condition
    /services/<code>/apply          the applicant's one draft (session, form)
    /services/<code>/material       upload a material the service asks for
    /services/applications[/<id>]   my applications; check, confirmation,
                                    withdrawal, deletion, resubmission
    /vouchers[/<application>/pdf]   my vouchers, each as a PDF with its QR
"""
import functools
from http import HTTPStatus

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.modules.laisui_base.exceptions import PortalNotFound
from trytond.modules.laisui_base import printout
from trytond.modules.laisui_base.portal import file_response, portal_route
from trytond.modules.laisui_base.upload import MAX_SIZE
from trytond.modules.laisui_points.portal import (
    own_record, signed_in_applicant)
from trytond.modules.laisui_review.portal_routes import (
    confirmation_routes, resubmit_route)

from .condition import ApplicantFacts

APPLICATION = 'laisui.service.application'
# Not found in a database where this module is not activated.
portal_route = functools.partial(portal_route, model='laisui.service')
APPLICATIONS = '/services/applications'
UPLOAD_LIMIT = MAX_SIZE + 1024 * 1024


def _service(portal, code):
    "The published service of the code, else a 404"
    Service = portal.pool.get('laisui.service')
    service = Service.by_code(code)
    if not service or not service.current_version:
        raise PortalNotFound(f'laisui.service,{code}')
    return service


@portal_route('/services', login=False)
def catalogue(portal):
    Service = portal.pool.get('laisui.service')
    services = [s for s in Service.search([]) if s.current_version]
    return portal.render('laisui_services/services.html',
        services=services)


def service_page(portal, service, status=HTTPStatus.OK, **values):
    """The service's page; for a signed-in applicant with the pre-check
    of every condition and their own applications for it"""
    Application = portal.pool.get(APPLICATION)
    Applicant = portal.pool.get('laisui.applicant')
    version = service.current_version
    applicant = Applicant.for_web_user(portal.user) if portal.user else None
    checks, applications, uploaded = None, [], {}
    if applicant:
        facts = ApplicantFacts(applicant, version)
        checks = [(c, c.failure(facts)) for c in version.conditions]
        applications = Application.search([
                ('applicant', '=', applicant.id),
                ('service', '=', service.id),
                ])
        for evidence in applicant.evidences:
            uploaded.setdefault(evidence.type, evidence)
    return portal.render('laisui_services/service.html', status=status,
        service=service, version=version, applicant=applicant,
        checks=checks, applications=applications, uploaded=uploaded,
        sessions=[s for s in service.sessions if s.open], **values)


@portal_route('/services/<code>', login=False)
def service(portal, code):
    return service_page(portal, _service(portal, code))


@portal_route('/services/<code>/material', methods=('POST',),
    max_size=UPLOAD_LIMIT)
def material(portal, code):
    "A material of the service uploaded from its page"
    Evidence = portal.pool.get('laisui.evidence')
    service = _service(portal, code)
    applicant = signed_in_applicant(portal)
    types = {str(m.type.id): m.type
        for m in service.current_version.materials}
    type_ = types.get(portal.request.form.get('type', ''))
    upload = portal.request.files.get('file')
    try:
        if not type_:
            raise UserError(gettext('laisui_services.msg_portal_material'))
        record, = Evidence.create([{'applicant': applicant.id,
                    'type': type_.id,
                    'data': upload.read() if upload else b''}])
    except UserError as e:
        portal.rollback()
        return service_page(portal, service,
            status=HTTPStatus.UNPROCESSABLE_ENTITY,
            errors={f'material-{type_.id if type_ else ""}': e.message})
    portal.audit('upload', resource=record,
        detail=f'{record.mime_type} {record.size}')
    return portal.redirect(
        portal.request.form.get('next') == 'apply'
        and f'/services/{code}/apply' or f'/services/{code}')


def _apply_page(portal, draft, status=HTTPStatus.OK, answers=None,
        **values):
    """The draft's form: the answers typed (after an error) or stored,
    the materials uploaded so far"""
    Form = portal.pool.get('laisui.form')
    applicant = draft.applicant
    uploaded = {}
    for evidence in applicant.evidences:
        uploaded.setdefault(evidence.type, evidence)
    form = draft.version.form
    values.setdefault('form', None)
    if answers is None:
        answers = dict(draft.answers or {})
    return portal.render('laisui_services/apply.html', status=status,
        definition=form.definition() if form else [], answers=answers,
        streets=Form.yuexiu_streets() if form else [],
        draft=draft, service=draft.service, version=draft.version,
        sessions=[s for s in draft.service.sessions if s.open],
        uploaded=uploaded, **values)


@portal_route('/services/<code>/apply', methods=('GET', 'POST'),
    max_size=UPLOAD_LIMIT)
def apply(portal, code):
    "The applicant's one draft for the service: its session and form"
    Application = portal.pool.get(APPLICATION)
    service = _service(portal, code)
    applicant = signed_in_applicant(portal)
    try:
        draft = Application.draft_for(applicant, service)
    except UserError as e:
        portal.rollback()
        return service_page(portal, service, status=HTTPStatus.CONFLICT,
            error=e.message)
    if portal.request.method == 'GET':
        return _apply_page(portal, draft)
    form = portal.request.form
    errors = {}
    values = {}
    if draft.version.sessions_required:
        sessions = {str(s.id): s for s in service.sessions if s.open}
        # Form fields start with a letter: no answer is named _session.
        session = sessions.get(form.get('_session', ''))
        if session:
            values['session'] = session.id
        else:
            errors['_session'] = gettext(
                'laisui_services.msg_session_required')
    errors.update(draft.take_answers(form, portal.request.files))
    if errors:
        portal.rollback()
        draft = Application(draft.id)
        typed = draft.version.form.parse_post(form) if (
            draft.version.form) else {}
        return _apply_page(portal, draft, form=form, answers=typed,
            errors=errors, status=HTTPStatus.UNPROCESSABLE_ENTITY)
    if values:
        Application.write([draft], values)
    portal.audit('write', resource=draft)
    return portal.redirect(f'{APPLICATIONS}/{draft.id}/check')


def _applications_page(portal, status=HTTPStatus.OK, **values):
    Application = portal.pool.get(APPLICATION)
    applications = Application.search(
        [('applicant', '=', signed_in_applicant(portal).id)])
    return portal.render('laisui_services/applications.html',
        status=status, applications=applications, **values)


@portal_route(APPLICATIONS)
def applications(portal):
    return _applications_page(portal)


resubmit = resubmit_route(APPLICATIONS, APPLICATION, _applications_page)
confirmation = confirmation_routes(APPLICATIONS, APPLICATION,
    _applications_page,
    lambda application: f'/services/{application.service.code}/apply')


# Vouchers ----------------------------------------------------------------
@portal_route('/vouchers')
def vouchers(portal):
    "The applicant's vouchers, valid or not, with their public page"
    Application = portal.pool.get(APPLICATION)
    applications = Application.search([
            ('applicant', '=', signed_in_applicant(portal).id),
            ('voucher', '!=', None),
            ])
    return portal.render('laisui_services/vouchers.html',
        applications=applications)


@portal_route('/vouchers/<int:application_id>/pdf')
def voucher_pdf(portal, application_id):
    "The voucher as a PDF with the QR code of its public page"
    application = own_record(portal, APPLICATION, application_id,
        not_found=True)
    credential = application.voucher
    if not credential:
        raise PortalNotFound(f'{APPLICATION},{application_id}')
    data = printout.credential_pdf(portal, 'laisui_services/voucher.html',
        credential, application=application)
    portal.audit('export', resource=credential, detail=credential.number)
    return file_response(portal, data, 'application/pdf',
        f'voucher-{credential.number}.pdf')
