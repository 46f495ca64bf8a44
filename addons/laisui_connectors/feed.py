# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""External records → applicant facts and residence permits (外部数据).

Each linked record of a dataset that feeds something becomes one fact (or
one residence permit) of its applicant, with the district and street the
address cleaning found: the points catalogue then counts city-scope
indicators from all of them and district-scope ones only from those
located in this district (see laisui_points.variables, home_*). A fact's
external reference (`<dataset>:<reference>`) is what the statement line
shows; a permit is known by its number.

The feed is a diff: what changed is rewritten, what is gone is deleted,
the rest is left alone, so that re-running a load changes nothing.
"""
import datetime as dt
from decimal import Decimal

from sql import Null
from sql.operators import In, Like

from trytond.modules.laisui_points.fact import LEVELS, QUANTITY_KINDS
from trytond.pool import Pool
from trytond.transaction import Transaction

# Dataset.fact_kind value for datasets of residence permits
PERMIT = 'permit'
# How source systems name the levels (人社 exports name the insurance
# types in Chinese; the codes are accepted as they are).
LEVEL_NAMES = {
    'insurance': {'养老': 'pension', '医疗': 'medical', '失业': 'unemployment',
        '工伤': 'injury', '生育': 'maternity'},
    # 学历层次 as the national diploma register names them; the first
    # name found wins, so the longer degrees come first.
    'education': {'博士': 'doctor', '硕士': 'master', '本科': 'bachelor',
        '专科': 'college', '大专': 'college', '高职': 'college',
        '高中': 'highschool', '中专': 'highschool', '中职': 'highschool'},
    }
RECORD_COLUMNS = ['applicant', 'key', 'reference', 'date_from', 'date_to',
    'district', 'street', 'level', 'quantity', 'flag', 'description']


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


class FactTarget:
    "Records become laisui.fact of the dataset's kind"
    model = 'laisui.fact'
    fields = ['kind', 'date_from', 'date_to', 'district', 'street', 'level',
        'quantity', 'flag', 'description']
    reference = 'external_reference'

    def __init__(self, dataset):
        self.dataset = dataset

    def values(self, row):
        """The fact of one record row, or None when the record cannot be
        one (no date, or a level the catalogue does not know)."""
        kind = self.dataset.fact_kind
        values = {
            'kind': kind,
            'date_from': _date(row['date_from']),
            'date_to': _date(row['date_to']),
            'district': row['district'],
            'street': row['street'] if row['district'] else None,
            'level': level_code(kind, row['level']),
            'quantity': (_decimal(row['quantity'])
                if kind in QUANTITY_KINDS else None),
            'flag': bool(row['flag']),
            'description': (row['description'] or '')[:250] or None,
            'external_reference': (f'{self.dataset.code}:'
                f'{row["reference"] or row["key"][:16]}'),
            }
        if not (values['date_from'] or values['date_to']):
            return None
        if LEVELS.get(kind) and not values['level']:
            return None
        return values

    def mine(self, table):
        return Like(table.external_reference, f'{self.dataset.code}:%')


class PermitTarget(FactTarget):
    "Records become laisui.residence.permit, known by their number"
    model = 'laisui.residence.permit'
    fields = ['date_start', 'date_end', 'district', 'street']
    reference = 'number'

    def values(self, row):
        # A permit is issued by a district: without one it cannot count.
        if not (row['reference'] and row['date_from'] and row['district']):
            return None
        return {
            'number': row['reference'],
            'date_start': _date(row['date_from']),
            'date_end': _date(row['date_to']),
            'district': row['district'],
            'street': row['street'],
            }

    def mine(self, table):
        # The external permits of the people this dataset knows: one
        # dataset feeds permits, and nobody else's are touched.
        record = Pool().get('laisui.connector.record').__table__()
        return In(table.applicant, record.select(record.applicant,
                where=(record.dataset == self.dataset.id)
                & (record.applicant != Null)))


def feed(dataset, applicant=None):
    """Bring what the dataset feeds in line with its linked records (of
    one applicant only, after a look-up); return how many facts or permits
    were created, updated or deleted"""
    pool = Pool()
    Record = pool.get('laisui.connector.record')
    if not dataset.fact_kind:
        return 0
    target = (PermitTarget if dataset.fact_kind == PERMIT
        else FactTarget)(dataset)
    Model = pool.get(target.model)
    cursor = Transaction().connection.cursor()

    record = Record.__table__()
    where = (record.dataset == dataset.id) & (record.applicant != Null)
    if applicant:
        where &= record.applicant == applicant.id
    cursor.execute(*record.select(
            *[getattr(record, c) for c in RECORD_COLUMNS], where=where))
    wanted = {}
    for row in cursor:
        row = dict(zip(RECORD_COLUMNS, row))
        values = target.values(row)
        if values:
            values.update(applicant=row['applicant'], source='external')
            wanted[row['applicant'], values[target.reference]] = values

    table = Model.__table__()
    where = (table.source == 'external') & target.mine(table)
    if applicant:
        where &= table.applicant == applicant.id
    cursor.execute(*table.select(table.id, table.applicant,
            getattr(table, target.reference),
            *[getattr(table, f) for f in target.fields], where=where))
    to_delete, to_write = [], []
    for id_, applicant, reference, *current in cursor.fetchall():
        values = wanted.pop((applicant, reference), None)
        if values is None:
            to_delete.append(id_)
        elif _changed(target.fields, values, current):
            to_write.extend(([Model(id_)],
                    {f: values[f] for f in target.fields}))
    with Transaction().set_context(_check_access=False):
        if to_delete:
            Model.delete(Model.browse(to_delete))
        if to_write:
            Model.write(*to_write)
        if wanted:
            Model.create(list(wanted.values()))
    return len(to_delete) + len(to_write) // 2 + len(wanted)


def _changed(names, values, current):
    "Whether the stored values (as the database returns them) differ"
    for name, old in zip(names, current):
        new = values[name]
        if isinstance(new, bool):
            old = bool(old)
        elif isinstance(new, dt.date):
            old = _date(old)
        elif isinstance(new, Decimal):
            old = _decimal(old)
        if old != new:
            return True
    return False


def _date(value):
    "SQLite returns dates as text"
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _decimal(value):
    return None if value is None else Decimal(str(value))
