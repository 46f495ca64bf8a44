# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The stable resources of /api/v1 for outside systems.

Each reads through the ORM as the client's technical user with its
scopes' groups: what staff of those groups may not read, the API does
not give either. Names and ID numbers are masked unless the token has a
scope for whole personal data, and each page given whole is audited as an
unmask. Lists are pages in id order (`after`, `limit`), the next page's
address in `next`.
"""
import datetime as dt

from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.identity import (
    InvalidIdNumber, mask_id_number, mask_name, normalize_id_number)
from trytond.transaction import Transaction, without_check_access

from .call import MAX_PAGE, Problem, message
from .registry import resource


def _number(value):
    return float(value) if value is not None else None


def _iso(value):
    return value.isoformat() if value is not None else None


def _timestamp(value):
    # Naive UTC in the database (clock.py): say so.
    return value.isoformat() + 'Z' if value is not None else None


def _people(call, applicant_ids, resource_name):
    "{applicant id: Person} for the applicants, masked unless personal"
    Applicant = call.pool.get('laisui.applicant')
    people = {}
    for row in Applicant.read(list(set(applicant_ids)),
            ['name', 'id_number_masked']):
        people[row['id']] = {
            'id': row['id'],
            'name': mask_name(row['name']),
            'id_number': row['id_number_masked'],
            }
    if call.personal and people:
        with without_check_access():
            for row in Applicant.read(list(people), ['name', 'id_number']):
                people[row['id']].update(
                    name=row['name'], id_number=row['id_number'])
        call.unmasked(resource_name, len(people))
    return people


def _one(records, what):
    if not records:
        raise Problem(404, message('msg_not_found', what=what))
    return records


# Points statements

def _lines(pool, statement_ids):
    """{statement id: [line]}, each statement's lines in their order.

    Twenty lines a statement, ten thousand a page: read() would build and
    check each of them field by field. The same checks are made once
    instead (model and field access, as read() makes them) and the lines
    come from one SQL join whose rows are those the user's searches give,
    record rules included (search(query=True) as sub-queries)."""
    Line = pool.get('laisui.points.statement.line')
    Indicator = pool.get('laisui.points.indicator')
    ModelAccess = pool.get('ir.model.access')
    FieldAccess = pool.get('ir.model.field.access')
    for Model, names in [
            (Line, ['statement', 'indicator', 'category', 'points',
                    'source']),
            (Indicator, ['code', 'name'])]:
        ModelAccess.check(Model.__name__, 'read')
        FieldAccess.check(Model.__name__, names, 'read')
    line, indicator = Line.__table__(), Indicator.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*line.join(indicator,
            condition=line.indicator == indicator.id).select(
            line.statement, indicator.code, indicator.name, line.category,
            line.points, line.source,
            where=line.id.in_(Line.search(
                    [('statement', 'in', statement_ids)], query=True))
            & indicator.id.in_(Indicator.search([], query=True)),
            order_by=[line.statement, line.sequence, line.id]))
    lines = {i: [] for i in statement_ids}
    for statement, code, name, category, points, source in cursor:
        lines[statement].append({
                'indicator': code,
                'name': name,
                'category': category,
                'points': _number(points),
                'source': source,
                })
    return lines


def _statements(call, statements):
    # read() with dotted names, as the REST protocol reads: one query a
    # field path for the page, where attribute access would build an
    # instance for each record.
    pool = call.pool
    Statement = pool.get('laisui.points.statement')
    ids = [s.id for s in statements]
    lines = _lines(pool, ids)
    rows = Statement.read(ids, ['applicant', 'total', 'reference_date',
            'computed_at', 'rule_set.rec_name'])
    people = _people(call, [r['applicant'] for r in rows],
        'laisui.points.statement')
    return [{
            'id': r['id'],
            'applicant': people[r['applicant']],
            'total': _number(r['total']),
            'reference_date': _iso(r['reference_date']),
            'computed_at': _timestamp(r['computed_at']),
            'rule_set': (r['rule_set.'] or {}).get('rec_name'),
            'lines': lines[r['id']],
            } for r in rows]


@resource('GET', '/statements', 'points:read', 'statements',
    "积分明细列表（按 id 分页）", 'StatementPage', query=['after', 'limit'])
def list_statements(call):
    Statement = call.pool.get('laisui.points.statement')
    after, limit = call.page()
    statements = Statement.search([('id', '>', after)],
        order=[('id', 'ASC')], limit=limit)
    items = _statements(call, statements)
    return call.page_result(items, limit), len(items)


@resource('GET', '/statements/{id}', 'points:read', 'statement',
    "一份积分明细", 'Statement')
def get_statement(call):
    Statement = call.pool.get('laisui.points.statement')
    statements = _one(Statement.search([('id', '=', call.path_id())]),
        'statement')
    return _statements(call, statements)[0], 1


# Review cases

def _cases(call, cases):
    people = _people(call, [c.applicant.id for c in cases],
        'laisui.review.case')
    return [{
            'id': c.id,
            'document': str(c.document).split(',')[0] if c.document else '',
            'applicant': people[c.applicant.id],
            'workflow': c.workflow.rec_name,
            'stage': c.stage.rec_name if c.stage else None,
            'state': c.state,
            'entered_at': _timestamp(c.entered_at),
            'deadline': _iso(c.deadline),
            } for c in cases]


@resource('GET', '/cases', 'review:read', 'cases',
    "审核案件列表（按 id 分页）", 'CasePage',
    query=['after', 'limit', 'state'])
def list_cases(call):
    Case = call.pool.get('laisui.review.case')
    after, limit = call.page()
    domain = [('id', '>', after)]
    state = call.request.args.get('state')
    if state is not None:
        if state not in dict(Case.state.selection):
            raise Problem(400, message('msg_bad_value', name='state'))
        domain.append(('state', '=', state))
    cases = Case.search(domain, order=[('id', 'ASC')], limit=limit)
    items = _cases(call, cases)
    return call.page_result(items, limit), len(items)


@resource('GET', '/cases/{id}', 'review:read', 'case',
    "一个审核案件的状态", 'Case')
def get_case(call):
    Case = call.pool.get('laisui.review.case')
    cases = _one(Case.search([('id', '=', call.path_id())]), 'case')
    return _cases(call, cases)[0], 1


# Admission results: published runs only, as the public page shows them

@resource('GET', '/admission-results', 'admission:read',
    'admission_results', "已公布的入学分配结果（按 id 分页）",
    'AdmissionResultPage', query=['after', 'limit', 'run'])
def list_admission_results(call):
    Result = call.pool.get('laisui.admission.run.result')
    after, limit = call.page()
    domain = [('id', '>', after), ('run.state', '=', 'published')]
    run = call.integer('run', None, 1)
    if run is not None:
        domain.append(('run', '=', run))
    results = Result.search(domain, order=[('id', 'ASC')], limit=limit)
    items = [{
            'id': r.id,
            'run': r.run.id,
            'round': r.run.round.rec_name,
            'applicant': r.name_public,
            'child': r.child_public,
            'rank': r.rank,
            'score': _number(r.score),
            'school': r.school.rec_name if r.school else None,
            'preference': r.preference,
            'published_at': _timestamp(r.run.published_at),
            } for r in results]
    return call.page_result(items, limit), len(items)


# Credentials (vouchers, admission notices, certificates)

@resource('GET', '/credentials/{number}', 'voucher:read', 'credential',
    "一张电子凭证及其当前状态", 'Credential')
def get_credential(call):
    Credential = call.pool.get('laisui.credential')
    credential, = _one(Credential.search(
            [('number', '=', call.args['number'])], limit=1), 'credential')
    return {
        'number': credential.number,
        'kind': credential.kind,
        'title': credential.title,
        'state': credential.state,
        'issued_at': _timestamp(credential.issued_at),
        'expires_at': _timestamp(credential.expires_at),
        'revoked_at': _timestamp(credential.revoked_at),
        }, 1


# Integrity: may this person apply for this service?

@resource('POST', '/integrity-checks', 'integrity:check',
    'integrity_checks', "批量诚信核查：某人能否申请某项服务",
    'IntegrityAnswers', body='IntegrityQuestions')
def integrity_checks(call):
    """The answer only: barred or not, until when and for what kind of
    record; never the record, its findings or the applicant's data."""
    pool = call.pool
    Applicant = pool.get('laisui.applicant')
    Entry = pool.get('laisui.integrity.blacklist')
    body = call.json()
    checks = body.get('checks')
    if (not isinstance(checks, list) or not 1 <= len(checks) <= 500
            or set(body) - {'checks', 'date'}):
        raise Problem(400, message('msg_bad_checks', maximum=MAX_PAGE))
    date = clock.today()
    if body.get('date') is not None:
        try:
            date = dt.date.fromisoformat(body['date'])
        except (TypeError, ValueError):
            raise Problem(400, message('msg_bad_value', name='date'))
    Service = pool.get('laisui.integrity.service')
    questions = []
    for index, check in enumerate(checks):
        if (not isinstance(check, dict)
                or set(check) != {'id_number', 'service'}
                or not all(isinstance(v, str) and v
                    for v in check.values())):
            raise Problem(400, message('msg_bad_check', index=index))
        try:
            number = normalize_id_number(check['id_number'])
        except InvalidIdNumber:
            raise Problem(400, message('msg_bad_id_number', index=index))
        questions.append((index, number, check['service']))
    # A question, not a read: the register itself stays closed.
    with without_check_access():
        services = {}
        for index, _, code in questions:
            if code not in services:
                services[code] = Service.get(code)
            if not services[code]:
                raise Problem(400, message('msg_unknown_service',
                        index=index, service=code))
        numbers = {n for _, n, _ in questions}
        applicants = {a.id_number: a.id for a in Applicant.search(
                [('id_number', 'in', list(numbers))])}
        barring = {code: Entry.barring_many(applicants.values(), code, date)
            for code in services}
        results = []
        for _, number, service in questions:
            applicant = applicants.get(number)
            entries = barring[service].get(applicant, [])
            results.append({
                    'id_number': mask_id_number(number),
                    'service': service,
                    'known': applicant is not None,
                    'allowed': not entries,
                    'kind': entries[0].kind if entries else None,
                    'barred_until': (
                        _iso(entries[0].end_date) if entries else None),
                    })
    return {'date': date.isoformat(), 'results': results}, len(results)
