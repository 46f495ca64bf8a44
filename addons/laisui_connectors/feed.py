# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""External records → applicant facts (source 外部数据).

Each linked record of a dataset that feeds a fact kind becomes one fact of
its applicant, with the district and street the address cleaning found:
the points catalogue then counts city-scope indicators from every fact
and district-scope ones only from the facts located in this district (see
laisui_points.variables, home_*). The fact's external reference
(`<dataset>:<reference>`) is what the statement line shows.

The feed is a diff: facts of records that changed are rewritten, facts of
records gone are deleted, the others are left alone, so that re-running a
load changes nothing.
"""
import datetime as dt
from decimal import Decimal

from sql import Null
from sql.operators import Like

from trytond.modules.laisui_points.fact import LEVELS, QUANTITY_KINDS
from trytond.pool import Pool
from trytond.transaction import Transaction

# How source systems name the insurance types (人社 exports use the
# Chinese names; the codes are accepted as they are).
LEVEL_NAMES = {
    'insurance': {'养老': 'pension', '医疗': 'medical', '失业': 'unemployment',
        '工伤': 'injury', '生育': 'maternity'},
    }
FIELDS = ['date_from', 'date_to', 'district', 'street', 'level', 'quantity',
    'flag', 'description']


def reference(dataset, record_reference, key):
    return f'{dataset.code}:{record_reference or key[:16]}'


def level_code(kind, value):
    "The level code of the fact kind for the source's value, or None"
    codes = {c for c, _ in LEVELS.get(kind, [])}
    if not codes or not value:
        return None
    if value in codes:
        return value
    for name, code in LEVEL_NAMES.get(kind, {}).items():
        if name in value:
            return code
    return None


def fact_values(dataset, row):
    """The fact of one record row, or None when the record cannot be one
    (no date, or a level the catalogue does not know)."""
    kind = dataset.fact_kind
    values = {
        'kind': kind,
        'applicant': row['applicant'],
        'date_from': _date(row['date_from']),
        'date_to': _date(row['date_to']),
        'district': row['district'],
        'street': row['street'] if row['district'] else None,
        'level': level_code(kind, row['level']),
        'quantity': (Decimal(str(row['quantity']))
            if kind in QUANTITY_KINDS and row['quantity'] is not None
            else None),
        'flag': bool(row['flag']),
        'description': (row['description'] or '')[:250] or None,
        'source': 'external',
        'external_reference': reference(dataset, row['reference'],
            row['key']),
        }
    if not (values['date_from'] or values['date_to']):
        return None
    if LEVELS.get(kind) and not values['level']:
        return None
    return values


def feed_facts(dataset):
    "Bring the external facts of dataset in line with its linked records"
    pool = Pool()
    Record = pool.get('laisui.connector.record')
    Fact = pool.get('laisui.fact')
    if not dataset.fact_kind:
        return 0
    cursor = Transaction().connection.cursor()
    record = Record.__table__()
    columns = ['applicant', 'key', 'reference', *FIELDS]
    cursor.execute(*record.select(
            *[getattr(record, c) for c in columns],
            where=(record.dataset == dataset.id)
            & (record.applicant != Null)))
    wanted = {}
    for row in cursor:
        values = fact_values(dataset, dict(zip(columns, row)))
        if values:
            wanted[values['applicant'], values['external_reference']] = (
                values)

    fact = Fact.__table__()
    cursor.execute(*fact.select(fact.id, fact.applicant,
            fact.external_reference, *[getattr(fact, c) for c in FIELDS],
            fact.kind,
            where=(fact.source == 'external')
            & Like(fact.external_reference, f'{dataset.code}:%')))
    to_delete, to_write = [], []
    for id_, applicant, ref, *current in cursor.fetchall():
        values = wanted.pop((applicant, ref), None)
        if values is None:
            to_delete.append(id_)
        elif _changed(values, current):
            to_write.extend(([Fact(id_)], _only(values, FIELDS + ['kind'])))
    with Transaction().set_context(_check_access=False):
        if to_delete:
            Fact.delete(Fact.browse(to_delete))
        if to_write:
            Fact.write(*to_write)
        if wanted:
            Fact.create(list(wanted.values()))
    return len(to_delete) + len(to_write) // 2 + len(wanted)


def _only(values, names):
    return {n: values[n] for n in names}


def _changed(values, current):
    *fields_, kind = current
    current = dict(zip(FIELDS, fields_), kind=kind)
    for name in [*FIELDS, 'kind']:
        old, new = current[name], values[name]
        if name == 'flag':
            old = bool(old)
        if name in {'date_from', 'date_to'}:
            old = _date(old)
        if name == 'quantity' and old is not None:
            old = Decimal(str(old))
        if old != new:
            return True
    return False


def _date(value):
    "SQLite returns dates as text"
    return dt.date.fromisoformat(value) if isinstance(value, str) else value
