# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Applicant portal pages: profile, family, facts, evidence, points."""
import datetime as dt
from decimal import Decimal, InvalidOperation
from http import HTTPStatus

from trytond.i18n import gettext
from trytond.model.exceptions import ValidationError
from trytond.modules.laisui_base.exceptions import (
    IdNumberError, PhoneError, PortalError, UploadError)
from trytond.modules.laisui_base.identity import (
    mask_address, mask_name, mask_phone)
from trytond.modules.laisui_base.portal import (
    CSRF_FIELD, MAX_ID, file_response, portal_route)
from trytond.modules.laisui_base.upload import MAX_SIZE
from trytond.modules.laisui_base.validation import (
    checked_id_number, checked_phone)

from .exceptions import DeclarationLockedError
from .fact import DEPARTMENT_KINDS, FLAG_KINDS, KINDS, LEVELS, QUANTITY_KINDS
from .portal import own_record, signed_in_applicant
from .references import check_deletable

# Facts an applicant may declare; deductions come from departments.
DECLARABLE = [k for k in KINDS if k[0] not in DEPARTMENT_KINDS]
# The fields of each form, in the order of the page: the error summary
# lists them so.
PROFILE_FIELDS = ('street', 'address', 'employer', 'contact_phone')
FAMILY_FIELDS = ('relation', 'name', 'id_number')
FACT_FIELDS = ('kind', 'level', 'date_from', 'date_to', 'district',
    'quantity', 'flag', 'description')
EVIDENCE_FIELDS = ('type', 'fact', 'file')
ADDRESS_LENGTH, EMPLOYER_LENGTH = 200, 100
# A name as registration takes it (laisui_base.routes.register).
NAME_LENGTH = (2, 30)
RELATIONS = {'child', 'spouse'}
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


def _form(portal):
    "What the user typed, to fill the form in again"
    return {k: v for k, v in portal.request.form.items() if k != CSRF_FIELD}


def _in_order(errors, names):
    return {n: errors[n] for n in names if n in errors}


def _errors_page(portal, template, errors, **values):
    "The form again, everything typed kept, every error at once"
    portal.rollback()
    return portal.render(template, errors=errors,
        status=HTTPStatus.BAD_REQUEST, **values)


def _editable(portal, record):
    """The applicant's record, which they may change or delete now, or
    the reason why not (PortalError, DeclarationLockedError): nothing a
    department or source system recorded ever changes here (only facts
    have such sources), nothing declared while a review checks it."""
    if not getattr(record, 'declared_by_applicant', True):
        raise PortalError(gettext('laisui_points.msg_portal_not_declared'))
    signed_in_applicant(portal).check_declarations_editable()
    return record


def _locked_reason(applicant):
    "Why nothing declared may change now, or None"
    try:
        applicant.check_declarations_editable()
    except DeclarationLockedError as e:
        return e.message


def _confirm_delete(portal, action, back, label, gone=()):
    "The page that asks before a deletion, and says what goes with it"
    return portal.render('laisui_points/confirm_delete.html',
        action=action, back=back, label=label, gone=gone)


def _id(value, Model):
    "The record of the id sent, or None for none or one no record can have"
    value = (value or '').strip()
    # int() would also take '١٢' or '1_0'; beyond MAX_ID the database
    # refuses the number itself.
    if not (value.isascii() and value.isdigit() and len(value) <= 10
            and 0 < int(value) <= MAX_ID):
        return None
    return Model(int(value))


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


# Profile ---------------------------------------------------------------
@portal_route('/profile', methods=('GET', 'POST'))
def profile(portal):
    pool = portal.pool
    Applicant = pool.get('laisui.applicant')
    Correction = pool.get('laisui.applicant.identity_correction')
    applicant = signed_in_applicant(portal)
    streets = _streets(portal)
    page = dict(applicant=applicant, streets=streets,
        locked=_locked_reason(applicant),
        corrections=Correction.search([('applicant', '=', applicant.id)]))
    if portal.request.method != 'POST':
        return portal.render('laisui_points/profile.html', form={}, **page)
    form = _form(portal)
    _editable(portal, applicant)
    values, errors = _profile_values(portal, form, streets)
    if errors:
        return _errors_page(portal, 'laisui_points/profile.html',
            _in_order(errors, PROFILE_FIELDS), form=form, **page)
    before = {n: _profile_text(applicant, n) for n in values}
    Applicant.write([applicant], values)
    applicant = Applicant(applicant.id)
    for name in PROFILE_FIELDS:
        after = _profile_text(applicant, name) if name in values else None
        if name in values and after != before[name]:
            portal.audit('write', resource=applicant,
                from_value=before[name], to_value=after, detail=name)
    return portal.render('laisui_points/profile.html', form={},
        info=gettext('laisui_points.msg_portal_saved'),
        **dict(page, applicant=applicant))


def _streets(portal):
    "The streets of Yuexiu, where the applicant may say they live"
    Street = portal.pool.get('laisui.street')
    return Street.search([('district.code', '=', '440104')])


def _profile_values(portal, form, streets):
    "(values, errors) of the profile form"
    Street = portal.pool.get('laisui.street')
    errors = {}
    values = {}
    street = _id(form.get('street'), Street)
    if street and street not in streets:
        errors['street'] = gettext('laisui_points.msg_portal_street')
    values['street'] = street.id if street else None
    for name, length in [('address', ADDRESS_LENGTH),
            ('employer', EMPLOYER_LENGTH)]:
        value = ' '.join((form.get(name) or '').split())
        if len(value) > length:
            errors[name] = gettext(
                f'laisui_points.msg_portal_{name}_length', length=length)
        values[name] = value or None
    # The number is never sent back to the page: empty keeps it.
    if (form.get('contact_phone') or '').strip():
        try:
            values['contact_phone'] = checked_phone(form['contact_phone'])
        except PhoneError as e:
            errors['contact_phone'] = e.message
    return values, errors


def _profile_text(applicant, name):
    "A profile field as the audit keeps it: the phone and address masked"
    if name == 'street':
        return applicant.street.name if applicant.street else ''
    if name == 'contact_phone':
        return mask_phone(applicant.contact_phone) or ''
    if name == 'address':
        return mask_address(applicant.address)
    return getattr(applicant, name) or ''


# Family ----------------------------------------------------------------
@portal_route('/family', methods=('GET', 'POST'))
def family(portal):
    Member = portal.pool.get('laisui.family.member')
    applicant = signed_in_applicant(portal)
    if portal.request.method != 'POST':
        return _family_page(portal, applicant, {})
    form = _form(portal)
    values, errors = _family_values(form)
    if not errors:
        try:
            member, = Member.create([dict(values, applicant=applicant.id)])
        except ValidationError as e:
            errors = {'id_number': e.message}
    if errors:
        portal.rollback()
        return _family_page(portal, signed_in_applicant(portal), form,
            errors=_in_order(errors, FAMILY_FIELDS),
            status=HTTPStatus.BAD_REQUEST)
    portal.audit('create', resource=member,
        to_value=_member_text(member, audit=True))
    return portal.redirect('/family')


@portal_route('/family/<int:member_id>/edit', methods=('GET', 'POST'))
def family_edit(portal, member_id):
    Member = portal.pool.get('laisui.family.member')
    member = _editable(portal, own_record(
            portal, 'laisui.family.member', member_id, not_found=True))
    action = f'/family/{member.id}/edit'
    if portal.request.method != 'POST':
        # The number masked, as on every page: sent back as it is, it
        # stays; a whole new one corrects it.
        return _edit_page(portal, 'family', action, {
                'relation': member.relation, 'name': member.name,
                'id_number': member.id_number_masked}, member=member)
    form = _form(portal)
    values, errors = _family_values(form, member)
    old = _member_text(member, audit=True)
    if not errors:
        try:
            Member.write([member], values)
        except ValidationError as e:
            errors = {'id_number': e.message}
    if errors:
        portal.rollback()
        return _edit_page(portal, 'family', action, form, member=member,
            errors=_in_order(errors, FAMILY_FIELDS),
            status=HTTPStatus.BAD_REQUEST)
    portal.audit('write', resource=member, from_value=old,
        to_value=_member_text(Member(member.id), audit=True))
    return portal.redirect('/family')


@portal_route('/family/<int:member_id>/delete', methods=('GET', 'POST'))
def family_delete(portal, member_id):
    Member = portal.pool.get('laisui.family.member')
    member = _editable(portal, own_record(
            portal, 'laisui.family.member', member_id, not_found=True))
    applicant = member.applicant
    drafts = applicant.family_member_drafts(member)
    label = _member_text(member)
    if portal.request.method != 'POST':
        if not drafts:
            # Said before asking; with drafts, once they are gone.
            check_deletable(member, label)
        return _confirm_delete(portal, f'/family/{member.id}/delete',
            '/family', label, gone=[d.rec_name for d in drafts])
    for draft in drafts:
        portal.audit('delete', resource=draft, from_value=draft.rec_name,
            detail=_member_text(member, audit=True))
        draft.__class__.delete([draft])
    check_deletable(member, label)
    resource = str(member)
    portal.audit('delete', resource=resource,
        from_value=_member_text(member, audit=True))
    Member.delete([member])
    return portal.redirect('/family')


def _family_values(form, member=None):
    """(values, errors) of the family member form; for a `member` changed,
    its masked number sent back unchanged is its number"""
    errors = {}
    relation = form.get('relation')
    if relation not in RELATIONS:
        relation = 'child'
    name = ' '.join((form.get('name') or '').split())
    if not NAME_LENGTH[0] <= len(name) <= NAME_LENGTH[1]:
        errors['name'] = gettext('laisui_base.msg_name_invalid')
    typed = (form.get('id_number') or '').strip()
    try:
        id_number = (member.id_number
            if member and typed == member.id_number_masked
            else checked_id_number(typed))
    except IdNumberError as e:
        id_number = None
        errors['id_number'] = e.message
    return {'relation': relation, 'name': name,
        'id_number': id_number}, errors


def _member_text(member, audit=False):
    """A family member as the applicant knows it, the number masked; for
    the audit, the name masked too (as the model audits it)"""
    name = mask_name(member.name) if audit else member.name
    return f'{name}（{member.id_number_masked}）'


def _family_page(portal, applicant, form, **values):
    return portal.render('laisui_points/family.html', applicant=applicant,
        form=form, locked=_locked_reason(applicant), **values)


# Facts -----------------------------------------------------------------
@portal_route('/facts', methods=('GET', 'POST'))
def facts(portal):
    Fact = portal.pool.get('laisui.fact')
    applicant = signed_in_applicant(portal)
    if portal.request.method != 'POST':
        return _facts_page(portal, applicant, {})
    form = _form(portal)
    applicant.check_can_apply(SERVICE)
    applicant.check_declarations_editable(adding=True)
    values, errors = _fact_values(portal, form)
    if not errors:
        try:
            fact, = Fact.create([dict(values,
                        applicant=applicant.id, source='declared')])
        except ValidationError as e:
            errors = {'kind': e.message}
    if errors:
        portal.rollback()
        return _facts_page(portal, signed_in_applicant(portal), form,
            errors=errors, status=HTTPStatus.BAD_REQUEST)
    portal.audit('create', resource=fact, to_value=_fact_text(fact))
    return portal.redirect('/facts')


@portal_route('/facts/<int:fact_id>/edit', methods=('GET', 'POST'))
def fact_edit(portal, fact_id):
    Fact = portal.pool.get('laisui.fact')
    fact = _editable(portal, own_record(
            portal, 'laisui.fact', fact_id, not_found=True))
    action = f'/facts/{fact.id}/edit'
    if portal.request.method != 'POST':
        return _edit_page(portal, 'fact', action, {
                'kind': fact.kind, 'level': fact.level or '',
                'date_from': fact.date_from and fact.date_from.isoformat(),
                'date_to': fact.date_to and fact.date_to.isoformat(),
                'district': str(fact.district.id) if fact.district else '',
                'quantity': (str(fact.quantity)
                    if fact.quantity is not None else ''),
                'flag': fact.flag, 'description': fact.description},
            **_fact_choices(portal))
    form = _form(portal)
    fact.applicant.check_can_apply(SERVICE)
    values, errors = _fact_values(portal, form)
    old = _fact_text(fact)
    if not errors:
        try:
            Fact.write([fact], values)
        except ValidationError as e:
            errors = {'kind': e.message}
    if errors:
        portal.rollback()
        return _edit_page(portal, 'fact', action, form, errors=errors,
            status=HTTPStatus.BAD_REQUEST, **_fact_choices(portal))
    portal.audit('write', resource=fact, from_value=old,
        to_value=_fact_text(Fact(fact.id)))
    return portal.redirect('/facts')


@portal_route('/facts/<int:fact_id>/delete', methods=('GET', 'POST'))
def fact_delete(portal, fact_id):
    Fact = portal.pool.get('laisui.fact')
    fact = _editable(portal, own_record(
            portal, 'laisui.fact', fact_id, not_found=True))
    label = _fact_text(fact)
    if portal.request.method != 'POST':
        check_deletable(fact, label)
        return _confirm_delete(portal, f'/facts/{fact.id}/delete', '/facts',
            label)
    check_deletable(fact, label)
    resource = str(fact)
    Fact.delete([fact])
    portal.audit('delete', resource=resource, from_value=label)
    return portal.redirect('/facts')


def _fact_values(portal, form):
    """(values, errors) of the fact form: what it holds, and {field:
    message} of everything wrong with it at once, in the form's order"""
    pool = portal.pool
    Fact = pool.get('laisui.fact')
    District = pool.get('laisui.district')
    errors = {}
    values = {}
    kind = form.get('kind')
    if kind not in dict(DECLARABLE):
        errors['kind'] = gettext('laisui_points.msg_portal_kind')
        kind = None
    values['kind'] = kind
    for name, parse in [('date_from', _date), ('date_to', _date),
            ('quantity', _decimal)]:
        try:
            values[name] = parse(form.get(name))
        except PortalError as e:
            values[name] = None
            errors[name] = e.message
    district = _id(form.get('district'), District)
    values['district'] = (district.id
        if district and district in District.search([]) else None)
    values['level'] = form.get('level') or None
    values['flag'] = bool(form.get('flag'))
    values['description'] = (form.get('description') or '').strip()[:200] or None
    if kind:
        for name, message in Fact(**values).value_errors().items():
            errors.setdefault(name, message)
    return values, _in_order(errors, FACT_FIELDS)


def _fact_text(fact):
    "A fact as the applicant reads it on the page"
    parts = [fact.kind_string]
    if fact.level:
        parts.append(fact.level_string)
    if fact.date_from or fact.date_to:
        parts.append(' 至 '.join(
                str(d) for d in [fact.date_from, fact.date_to] if d))
    if fact.quantity is not None:
        parts.append(str(fact.quantity))
    if fact.description:
        parts.append(fact.description)
    return ' '.join(parts)


def _fact_choices(portal):
    "The categories, levels and districts of the fact form, in zh_CN"
    pool = portal.pool
    Fact = pool.get('laisui.fact')
    District = pool.get('laisui.district')
    selections = Fact.fields_get(['kind', 'level'])
    kinds = dict(selections['kind']['selection'])
    levels = dict(selections['level']['selection'])
    return dict(districts=District.search([]),
        kinds=[(code, kinds[code]) for code, _ in DECLARABLE],
        levels={kind: [(code, levels[code]) for code, _ in options]
            for kind, options in LEVELS.items()},
        flag_kinds=FLAG_KINDS, quantity_kinds=QUANTITY_KINDS)


def _facts_page(portal, applicant, form, **values):
    "The facts page, its categories and levels in the applicant's language"
    return portal.render('laisui_points/facts.html', applicant=applicant,
        form=form, locked=_locked_reason(applicant),
        **_fact_choices(portal), **values)


# Evidence --------------------------------------------------------------
@portal_route('/evidence', methods=('GET', 'POST'), max_size=UPLOAD_LIMIT)
def evidence(portal):
    Evidence = portal.pool.get('laisui.evidence')
    applicant = signed_in_applicant(portal)
    if portal.request.method != 'POST':
        return _evidence_page(portal, applicant, {})
    form = _form(portal)
    upload = portal.request.files.get('file')
    applicant.check_can_apply(SERVICE)
    values, errors = _evidence_values(portal, form)
    if not errors:
        try:
            record, = Evidence.create([dict(values, applicant=applicant.id,
                        data=upload.read() if upload else b'')])
        except (UploadError, ValidationError) as e:
            errors = {'file': e.message}
    if errors:
        portal.rollback()
        return _evidence_page(portal, signed_in_applicant(portal), form,
            errors=_in_order(errors, EVIDENCE_FIELDS),
            status=HTTPStatus.BAD_REQUEST)
    portal.audit('upload', resource=record,
        detail=f'{record.mime_type} {record.size}')
    return portal.redirect('/evidence')


@portal_route('/evidence/<int:evidence_id>/edit', methods=('GET', 'POST'))
def evidence_edit(portal, evidence_id):
    Evidence = portal.pool.get('laisui.evidence')
    record = _editable(portal, own_record(
            portal, 'laisui.evidence', evidence_id, not_found=True))
    action = f'/evidence/{record.id}/edit'
    choices = _evidence_choices(portal, record.applicant)
    if portal.request.method != 'POST':
        return _edit_page(portal, 'evidence', action, {
                'type': str(record.type.id),
                'fact': str(record.fact.id) if record.fact else ''},
            record=record, **choices)
    form = _form(portal)
    values, errors = _evidence_values(portal, form)
    if errors:
        return _edit_page(portal, 'evidence', action, form, record=record,
            errors=_in_order(errors, EVIDENCE_FIELDS),
            status=HTTPStatus.BAD_REQUEST, **choices)
    old = _evidence_text(record)
    Evidence.write([record], values)
    portal.audit('write', resource=record, from_value=old,
        to_value=_evidence_text(Evidence(record.id)))
    return portal.redirect('/evidence')


@portal_route('/evidence/<int:evidence_id>/delete', methods=('GET', 'POST'))
def evidence_delete(portal, evidence_id):
    Evidence = portal.pool.get('laisui.evidence')
    record = _editable(portal, own_record(
            portal, 'laisui.evidence', evidence_id, not_found=True))
    label = _evidence_text(record)
    if portal.request.method != 'POST':
        check_deletable(record, label)
        return _confirm_delete(portal, f'/evidence/{record.id}/delete',
            '/evidence', label)
    check_deletable(record, label)
    resource, digest = str(record), record.sha256
    Evidence.delete([record])
    portal.audit('delete', resource=resource, from_value=label,
        detail=digest)
    return portal.redirect('/evidence')


def _evidence_values(portal, form):
    "(values, errors) of the evidence form, the file aside"
    pool = portal.pool
    Type = pool.get('laisui.evidence.type')
    Fact = pool.get('laisui.fact')
    errors = {}
    type_ = _id(form.get('type'), Type)
    if not type_ or type_ not in Type.search([]):
        errors['type'] = gettext('laisui_points.msg_portal_type')
    fact = _id(form.get('fact'), Fact)
    if fact:
        # Somebody else's fact is as none: 404.
        fact = own_record(portal, 'laisui.fact', fact.id, not_found=True)
    return {'type': type_.id if type_ and 'type' not in errors else None,
        'fact': fact.id if fact else None}, errors


def _evidence_text(record):
    "An evidence file as the applicant reads it on the page"
    text = record.type.name
    if record.fact:
        text += f'（{_fact_text(record.fact)}）'
    return text


def _evidence_choices(portal, applicant):
    Type = portal.pool.get('laisui.evidence.type')
    return dict(types=Type.search([]), facts=applicant.facts)


def _evidence_page(portal, applicant, form, **values):
    return portal.render('laisui_points/evidence.html', applicant=applicant,
        form=form, locked=_locked_reason(applicant),
        **_evidence_choices(portal, applicant), **values)


def _edit_page(portal, kind, action, form, status=HTTPStatus.OK, **values):
    "The form of the record's kind, the one that creates it, pre-filled"
    return portal.render('laisui_points/edit.html', status=status,
        kind=kind, form_template=f'laisui_points/{kind}_form.html',
        action=action, form=form, **values)


@portal_route('/evidence/<int:evidence_id>')
def evidence_file(portal, evidence_id):
    record = own_record(portal, 'laisui.evidence', evidence_id)
    return file_response(
        portal, record.data, record.mime_type, record.filename)
