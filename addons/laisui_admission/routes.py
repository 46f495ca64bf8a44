# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Admission on the portal, the applicant's own pages: the applications
and their results, the application form confirmed by SMS, the objection,
the place notice. The public pages are in publication_routes."""
from decimal import Decimal, InvalidOperation
from http import HTTPStatus

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.modules.laisui_base import clock, printout
from trytond.modules.laisui_base.portal import file_response, portal_route
from trytond.modules.laisui_points.portal import (
    own_record, signed_in_applicant)
from trytond.modules.laisui_review.portal_routes import (
    confirmation_routes, resubmit_route)
from werkzeug.datastructures import MultiDict

from . import notice
from .school import STAGES
from .statement import admission_label


def _open_rounds(pool):
    Round = pool.get('laisui.admission.round')
    return [r for r in Round.search([('state', '=', 'open')])
        if r.in_window('application')]


def _own_application(portal, application_id):
    "The signed-in applicant's application of that id, else a 403"
    return own_record(portal, 'laisui.admission.application', application_id)


def _admission_page(portal, status=HTTPStatus.OK, **values):
    pool = portal.pool
    Application = pool.get('laisui.admission.application')
    Objection = pool.get('laisui.admission.objection')
    Result = pool.get('laisui.admission.run.result')
    Statement = pool.get('laisui.points.statement')
    applicant = signed_in_applicant(portal)
    applications = Application.search([('applicant', '=', applicant.id)])
    values.setdefault('objection_form', (None, MultiDict()))
    results = {a.id: Result.published(a) for a in applications}
    return portal.render('laisui_admission/admission.html', status=status,
        applications=applications, rounds=_open_rounds(pool),
        current=Statement.current_score(applicant),
        admission_label=admission_label,
        results=results,
        # The row of the application in the publication, once public.
        listed={a.id: bool(results[a.id]) and a.round.publication_started()
            for a in applications},
        objections={a.id: Objection.search([('application', '=', a.id)])
            for a in applications}, **values)


@portal_route('/admission')
def admission(portal):
    return _admission_page(portal)


resubmit = resubmit_route(
    '/admission', 'laisui.admission.application', _admission_page)


@portal_route('/admission/<int:application_id>/objection',
    methods=('POST',))
def objection(portal, application_id):
    pool = portal.pool
    Objection = pool.get('laisui.admission.objection')
    application = _own_application(portal, application_id)
    form = portal.request.form
    chosen = set(form.getlist('line'))
    try:
        lines = []
        for line in application.score_lines:
            if str(line.id) not in chosen:
                continue
            try:
                points = Decimal(form.get(f'points-{line.id}', '').strip())
            except InvalidOperation:
                raise UserError(gettext(
                        'laisui_admission.msg_portal_points',
                        indicator=line.indicator.name))
            if not points.is_finite() or points < 0:
                raise UserError(gettext(
                        'laisui_admission.msg_portal_points',
                        indicator=line.indicator.name))
            lines.append({'score_line': line.id,
                    'claimed_points': points})
        objection, = Objection.create([{
                    'application': application.id,
                    'reason': (form.get('reason') or '').strip()[:2000]
                    or '申请人对积分有异议',
                    'lines': [('create', lines)],
                    }])
        Objection.submit([objection])
    except UserError as e:
        portal.rollback()
        # The form open again with what was typed.
        return _admission_page(portal, status=HTTPStatus.UNPROCESSABLE_ENTITY,
            error=e.message, objection_form=(application.id, form))
    return portal.redirect('/admission')


def _current_draft(pool, applicant):
    "The applicant's one draft application, or None"
    Application = pool.get('laisui.admission.application')
    drafts = Application.search([
            ('applicant', '=', applicant.id),
            ('state', '=', 'draft'),
            ], limit=1)
    return drafts[0] if drafts else None


def _draft_form(draft):
    "The form's values of a saved draft"
    if not draft:
        return MultiDict()
    return MultiDict([('round', str(draft.round.id)),
            ('child', str(draft.child.id)), ('stage', draft.stage),
            ('type', str(draft.type.id))]
        + [('school', str(p.school.id)) for p in draft.preferences])


def _form_page(portal, form, status=HTTPStatus.OK, **values):
    pool = portal.pool
    values.setdefault('failures', [])
    applicant = signed_in_applicant(portal)
    Type = pool.get('laisui.admission.type')
    School = pool.get('laisui.admission.school')
    # Only the schools of the stage chosen: a grade 1 application lists
    # no secondary school.
    stage = portal.request.args.get('stage') or form.get('stage')
    if stage not in dict(STAGES):
        stage = STAGES[0][0]
    return portal.render('laisui_admission/apply.html', status=status,
        rounds=_open_rounds(pool), types=Type.search([]),
        children=[m for m in applicant.family if m.relation == 'child'],
        schools=School.search([('stage', '=', stage)]), stages=STAGES,
        stage=stage, form=form, **values)


def _choice(records, value):
    "The record among records whose id is value, or None"
    for record in records:
        if str(record.id) == (value or '').strip():
            return record


def _save_draft(portal, applicant, form):
    """The applicant's one draft with the form's choices, every id checked
    against what the applicant may choose"""
    pool = portal.pool
    Application = pool.get('laisui.admission.application')
    Preference = pool.get('laisui.admission.preference')
    Type = pool.get('laisui.admission.type')
    School = pool.get('laisui.admission.school')
    round_ = _choice(_open_rounds(pool), form.get('round'))
    child = _choice([m for m in applicant.family if m.relation == 'child'],
        form.get('child'))
    type_ = _choice(Type.search([]), form.get('type'))
    stage = form.get('stage')
    if not (round_ and child and type_) or stage not in dict(STAGES):
        raise UserError(gettext('laisui_admission.msg_portal_incomplete'))
    schools = School.search([])
    preferences = []
    for value in form.getlist('school'):
        if not value.strip():
            continue
        school = _choice(schools, value)
        if not school:
            raise UserError(gettext(
                    'laisui_admission.msg_portal_incomplete'))
        preferences.append(school)
    values = {
        'round': round_.id, 'child': child.id, 'stage': stage,
        'type': type_.id,
        'preferences': [('create', [{'school': s.id, 'sequence': i}
                    for i, s in enumerate(preferences)])],
        }
    draft = _current_draft(pool, applicant)
    if draft:
        Preference.delete(list(draft.preferences))
        Application.write([draft], values)
        portal.audit('write', resource=draft)
    else:
        draft, = Application.create([dict(values, applicant=applicant.id)])
        portal.audit('create', resource=draft)
    return Application(draft.id)


@portal_route('/admission/apply', methods=('GET', 'POST'))
def apply(portal):
    """The applicant's one draft: saved as it is, its failures listed;
    once every condition holds, on to 核对信息"""
    pool = portal.pool
    Application = pool.get('laisui.admission.application')
    applicant = signed_in_applicant(portal)
    if portal.request.method == 'GET':
        return _form_page(portal,
            _draft_form(_current_draft(pool, applicant)))
    form = portal.request.form
    try:
        draft = _save_draft(portal, applicant, form)
    except UserError as e:
        portal.rollback()
        return _form_page(portal, form,
            status=HTTPStatus.UNPROCESSABLE_ENTITY, error=e.message)
    # The draft stays saved whatever its failures: the parent resumes it.
    try:
        draft.round.check_window('application')
    except UserError as e:
        return _form_page(portal, form,
            status=HTTPStatus.UNPROCESSABLE_ENTITY, error=e.message)
    try:
        draft.check_preferences()
    except UserError as e:
        # Shown at the first preference, which the error summary links to
        return _form_page(portal, form,
            status=HTTPStatus.UNPROCESSABLE_ENTITY,
            errors={'school-1': e.message})
    failures = Application.assess([draft])[draft][0]
    if failures:
        return _form_page(portal, form,
            status=HTTPStatus.UNPROCESSABLE_ENTITY, failures=failures)
    return portal.redirect(f'/admission/{draft.id}/check')


confirmation = confirmation_routes('/admission',
    'laisui.admission.application', _admission_page,
    lambda application: '/admission/apply')


@portal_route('/admission/<int:application_id>/notice')
def notice_pdf(portal, application_id):
    pool = portal.pool
    application = _own_application(portal, application_id)
    result = pool.get('laisui.admission.run.result').published(application)
    if not result or not result.school:
        return portal.render('laisui_base/error.html',
            status=HTTPStatus.NOT_FOUND,
            message=gettext('laisui_admission.msg_portal_no_notice'))
    data = printout.credential_pdf(portal, 'laisui_admission/notice.html',
        notice.credential(result), application=application, result=result,
        score_label=admission_label(application.round), today=clock.today())
    portal.audit('export', resource=result, detail='学位通知书')
    return file_response(portal, data, 'application/pdf',
        f'notice-{application.number}.pdf')
