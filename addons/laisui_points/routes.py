# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Applicant portal pages: profile, family, facts, evidence, points."""
import datetime as dt
from decimal import Decimal, InvalidOperation
from http import HTTPStatus

from trytond.i18n import gettext
from trytond.model.exceptions import ValidationError
from trytond.modules.laisui_base.exceptions import PortalError, UploadError
from trytond.modules.laisui_base.portal import file_response, portal_route
from trytond.modules.laisui_base.upload import MAX_SIZE

from .fact import FLAG_KINDS, KINDS, LEVELS, QUANTITY_KINDS
from .portal import own_record, signed_in_applicant

# Facts an applicant may declare; deductions come from departments.
DECLARABLE = [k for k in KINDS if k[0] not in {'credit', 'violation'}]
# One file of MAX_SIZE (20 MiB) and the rest of the multipart form.
UPLOAD_LIMIT = MAX_SIZE + 1024 * 1024
# What declaring facts and uploading evidence applies for.
SERVICE = 'points'
# The dates an applicant may declare
DATE_MIN, DATE_MAX = dt.date(1900, 1, 1), dt.date(2100, 12, 31)


def _date(value):
    if not value:
        return None
    try:
        date = dt.date.fromisoformat(value)
    except ValueError:
        raise PortalError(gettext('laisui_points.msg_portal_date'))
    # Outside, a stored fact would break the statement's date arithmetic
    # (9999-12-31 has no next day).
    if not DATE_MIN <= date <= DATE_MAX:
        raise PortalError(gettext('laisui_points.msg_portal_date'))
    return date


def _decimal(value):
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise PortalError(gettext('laisui_points.msg_portal_number'))
    # NaN cannot even be compared with 0.
    if not number.is_finite():
        raise PortalError(gettext('laisui_points.msg_portal_number'))
    return number


def _id(value, Model):
    try:
        return Model(int(value)) if value else None
    except ValueError:
        return None


@portal_route('/points')
def points(portal):
    applicant = signed_in_applicant(portal)
    return _statement_page(portal, applicant, applicant.statement)


@portal_route('/points/<int:statement_id>')
def points_by_id(portal, statement_id):
    statement = own_record(portal, 'laisui.points.statement', statement_id)
    return _statement_page(portal, statement.applicant, statement)


def _statement_page(portal, applicant, statement):
    pool = portal.pool
    Statement = pool.get('laisui.points.statement')
    Line = pool.get('laisui.points.statement.line')
    # The lines' own selection labels, translated
    labels = Line.fields_get(['category', 'source'])
    return portal.render('laisui_points/points.html', statement=statement,
        scores=Statement.labelled_scores(applicant),
        categories=dict(labels['category']['selection']),
        sources=dict(labels['source']['selection']))


@portal_route('/profile', methods=('GET', 'POST'))
def profile(portal):
    pool = portal.pool
    Street = pool.get('laisui.street')
    applicant = signed_in_applicant(portal)
    streets = Street.search([('district.code', '=', '440104')])
    info = None
    if portal.request.method == 'POST':
        street = _id(portal.request.form.get('street'), Street)
        if street and street not in streets:
            raise PortalError(gettext('laisui_points.msg_portal_street'))
        old = applicant.street
        applicant.street = street
        applicant.save()
        portal.audit('write', resource=applicant,
            from_value=old.name if old else '',
            to_value=street.name if street else '')
        info = gettext('laisui_points.msg_portal_saved')
    return portal.render('laisui_points/profile.html', applicant=applicant,
        streets=streets, info=info)


@portal_route('/family', methods=('GET', 'POST'))
def family(portal):
    pool = portal.pool
    Member = pool.get('laisui.family.member')
    applicant = signed_in_applicant(portal)
    form = portal.request.form if portal.request.method == 'POST' else {}
    if form:
        try:
            member, = Member.create([{
                        'applicant': applicant.id,
                        'relation': (form.get('relation')
                            if form.get('relation') in {'child', 'spouse'}
                            else 'child'),
                        'name': (form.get('name') or '').strip(),
                        'id_number': form.get('id_number'),
                        }])
        except ValidationError as e:
            portal.rollback()
            return portal.render('laisui_points/family.html',
                applicant=signed_in_applicant(portal), form=form, error=e.message,
                status=HTTPStatus.BAD_REQUEST)
        portal.audit('create', resource=member)
        return portal.redirect('/family')
    return portal.render('laisui_points/family.html', applicant=applicant,
        form={})


@portal_route('/facts', methods=('GET', 'POST'))
def facts(portal):
    pool = portal.pool
    Fact = pool.get('laisui.fact')
    District = pool.get('laisui.district')
    applicant = signed_in_applicant(portal)
    districts = District.search([])
    form = portal.request.form if portal.request.method == 'POST' else {}
    if form:
        applicant.check_can_apply(SERVICE)
        try:
            kind = form.get('kind')
            if kind not in dict(DECLARABLE):
                raise PortalError(gettext('laisui_points.msg_portal_kind'))
            district = _id(form.get('district'), District)
            if district and district not in districts:
                district = None
            fact, = Fact.create([{
                        'applicant': applicant.id,
                        'kind': kind,
                        'date_from': _date(form.get('date_from')),
                        'date_to': _date(form.get('date_to')),
                        'district': district.id if district else None,
                        'level': form.get('level') or None,
                        'quantity': _decimal(form.get('quantity')),
                        'flag': bool(form.get('flag')),
                        'description': (form.get('description') or '')[:200],
                        'source': 'declared',
                        }])
        except (ValidationError, PortalError) as e:
            portal.rollback()
            return _facts_page(portal, signed_in_applicant(portal),
                districts, form, error=e.message,
                status=HTTPStatus.BAD_REQUEST)
        portal.audit('create', resource=fact)
        return portal.redirect('/facts')
    return _facts_page(portal, applicant, districts, {})


def _facts_page(portal, applicant, districts, form, **values):
    "The facts page, its categories and levels in the applicant's language"
    Fact = portal.pool.get('laisui.fact')
    selections = Fact.fields_get(['kind', 'level'])
    kinds = dict(selections['kind']['selection'])
    levels = dict(selections['level']['selection'])
    return portal.render('laisui_points/facts.html', applicant=applicant,
        form=form, districts=districts,
        kinds=[(code, kinds[code]) for code, _ in DECLARABLE],
        levels={kind: [(code, levels[code]) for code, _ in options]
            for kind, options in LEVELS.items()},
        flag_kinds=FLAG_KINDS, quantity_kinds=QUANTITY_KINDS, **values)


@portal_route('/evidence', methods=('GET', 'POST'), max_size=UPLOAD_LIMIT)
def evidence(portal):
    pool = portal.pool
    Evidence = pool.get('laisui.evidence')
    Type = pool.get('laisui.evidence.type')
    Fact = pool.get('laisui.fact')
    applicant = signed_in_applicant(portal)
    types = Type.search([])
    if portal.request.method == 'POST':
        form = portal.request.form
        upload = portal.request.files.get('file')
        applicant.check_can_apply(SERVICE)
        try:
            type_ = _id(form.get('type'), Type)
            if not type_ or type_ not in types:
                raise PortalError(gettext('laisui_points.msg_portal_type'))
            fact = _id(form.get('fact'), Fact)
            if fact:
                fact = own_record(portal, 'laisui.fact', fact.id)
            data = upload.read() if upload else b''
            record, = Evidence.create([{
                        'applicant': applicant.id,
                        'type': type_.id,
                        'fact': fact.id if fact else None,
                        'data': data,
                        }])
        except (PortalError, UploadError, ValidationError) as e:
            portal.rollback()
            return portal.render('laisui_points/evidence.html',
                applicant=signed_in_applicant(portal), types=types, error=e.message,
                status=HTTPStatus.BAD_REQUEST)
        portal.audit('upload', resource=record,
            detail=f'{record.mime_type} {record.size}')
        return portal.redirect('/evidence')
    return portal.render('laisui_points/evidence.html', applicant=applicant,
        types=types)


@portal_route('/evidence/<int:evidence_id>')
def evidence_file(portal, evidence_id):
    record = own_record(portal, 'laisui.evidence', evidence_id)
    return file_response(
        portal, record.data, record.mime_type, record.filename)
