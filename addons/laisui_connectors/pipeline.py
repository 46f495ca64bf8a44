# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""extract → clean → validate → load → link, for one run of one dataset.

Rows are cleaned in Python and copied by chunks into a temporary staging
table (COPY on PostgreSQL); the load is then a few set-based statements:
contradictions out, changed rows updated, new rows inserted, applicants
linked. Python holds one chunk at a time, so memory does not grow with the
file. Everything happens in the run's transaction: all or nothing.
"""
import functools
import hashlib
import json

from sql import Column, Literal, Null, Table
from sql.aggregate import Count, Min
from sql.operators import Exists, In

from trytond import backend
from trytond.i18n import gettext
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.bulk import bulk_insert
from trytond.modules.laisui_base.identity import mask_text
from trytond.transaction import Transaction

from .clean import CLEANERS, CleanError, memoized
from .exceptions import FileFormatError
from .reader import FormulaCell

CHUNK = 5000
# Columns of laisui_connector_record the pipeline writes, in this order.
COLUMNS = ['id_number', 'name', 'reference', 'date_from', 'date_to',
    'district', 'street', 'address', 'level', 'quantity', 'flag',
    'description', 'extra']
STAGE_COLUMNS = ['row_number', 'key', 'digest', *COLUMNS]


# Positions in a cleaned row (a list in the order of COLUMNS).
POSITION = {c: i for i, c in enumerate(COLUMNS)}


class Field:
    "One mapping bound to where its value sits in a row"
    __slots__ = ('source', 'target', 'clean', 'required', 'index',
        'position')

    def __init__(self, source, target, clean, required):
        self.source = source
        self.target = target
        self.clean = clean
        self.required = required
        self.index = None
        # None for 'extra': those values are gathered into one JSON text
        self.position = None if target == 'extra' else POSITION[target]


class Pipeline:

    def __init__(self, dataset, address_index, today=None):
        self.dataset = dataset
        self.keys = [POSITION[k] for k in dataset.keys]
        today = today or clock.today()
        self.fields = []
        for mapping in dataset.mappings:
            cleaning = mapping.cleaning
            if cleaning == 'address':
                clean = address_index.find
            elif cleaning == 'id_number':
                clean = functools.partial(CLEANERS['id_number'],
                    today=today)
            else:
                clean = CLEANERS[cleaning]
            self.fields.append(Field(mapping.source_field, mapping.target,
                    memoized(clean),
                    mapping.required or mapping.target in dataset.keys))

    def bind_headers(self, headers):
        "Find each mapped column in the file's header row"
        positions = {h: i for i, h in enumerate(headers)}
        missing = [f.source for f in self.fields
            if f.required and f.source not in positions]
        if missing:
            raise FileFormatError(gettext(
                    'laisui_connectors.msg_file_headers',
                    missing='、'.join(missing),
                    found='、'.join(h for h in headers if h) or '-'))
        for field in self.fields:
            field.index = positions.get(field.source)

    def clean(self, row):
        """The cleaned row (values in the order of COLUMNS) of one file row
        bound by bind_headers or one JSON object; raises CleanError with
        the reason."""
        if row.__class__ is FormulaCell:
            raise CleanError(f"单元格 {row.coordinate} 含公式，"
                "请将公式转换为数值后重新导入")
        values = [None] * len(COLUMNS)
        extra = None
        if row.__class__ is dict:
            raws = [row.get(f.source) for f in self.fields]
        else:
            size = len(row)
            raws = [row[f.index] if f.index is not None and f.index < size
                else None for f in self.fields]
        for field, raw in zip(self.fields, raws):
            try:
                value = field.clean(raw)
            except CleanError as e:
                raise CleanError(f"{field.source}：{e}")
            position = field.position
            if position is None:  # extra: kept as is
                if value is not None:
                    extra = extra or {}
                    extra[field.source] = value
                continue
            if position == _ADDRESS:
                values[_DISTRICT], values[_STREET], value = value
            if field.required and (value is None or value == ''):
                raise CleanError(f"{field.source}：必填项为空")
            values[position] = value
        if values[_FLAG] is None:
            values[_FLAG] = False
        if (values[_DATE_FROM] and values[_DATE_TO]
                and values[_DATE_TO] < values[_DATE_FROM]):
            raise CleanError("结束日期早于开始日期")
        if extra:
            values[_EXTRA] = json.dumps(extra, ensure_ascii=False,
                sort_keys=True, default=str)
        return values

    def key(self, values):
        raw = '\x1f'.join([str(values[k] or '') for k in self.keys])
        return hashlib.sha1(raw.encode()).hexdigest()


_ADDRESS, _DISTRICT, _STREET, _FLAG, _DATE_FROM, _DATE_TO, _EXTRA = (
    POSITION[c] for c in [
        'address', 'district', 'street', 'flag', 'date_from', 'date_to',
        'extra'])


class Load:
    """The staging table of a run and the set-based load out of it"""

    def __init__(self, dataset_id, run_id, record_table):
        self.dataset_id = dataset_id
        self.run_id = run_id
        self.record_table = record_table
        self.stage = f'laisui_stage_{run_id}'
        self.rows = []
        self.rejects = []
        self.read = 0
        self.counts = {}
        cursor = Transaction().connection.cursor()
        columns = ', '.join(f'"{c}"' for c in ['key', 'digest', *COLUMNS])
        suffix = (' ON COMMIT DROP' if backend.name == 'postgresql'
            else '')
        where = ' WITH NO DATA' if backend.name == 'postgresql' else (
            ' WHERE 0')
        if backend.name == 'postgresql':
            # Each statement of the load runs once: compiling it to
            # machine code costs more than it saves (0.3 s a statement).
            cursor.execute('SET LOCAL jit = off')
        cursor.execute(f'DROP TABLE IF EXISTS "{self.stage}"')
        cursor.execute(
            f'CREATE TEMPORARY TABLE "{self.stage}"{suffix} AS '
            f'SELECT 0 AS "row_number", {columns} '
            f'FROM "{record_table}"{where}')

    def add(self, row_number, values, key):
        "Stage one cleaned row (a list in the order of COLUMNS)"
        self.read += 1
        # repr tells None from 'None' and 1 from '1'; it only has to
        # change when the contents do.
        digest = hashlib.sha1(repr(values).encode()).hexdigest()
        self.rows.append((row_number, key, digest, *values))
        if len(self.rows) >= CHUNK:
            self.flush()

    def reject(self, row_number, reason, raw=None):
        self.read += 1
        self.rejects.append((row_number, reason, raw))

    def flush(self):
        bulk_insert(self.stage, STAGE_COLUMNS, self.rows)
        self.rows = []

    def finish(self, full_refresh=False):
        "Apply the staged rows; return the rejects found by the load"
        self.flush()
        cursor = Transaction().connection.cursor()
        stage = Table(self.stage)
        record = Table(self.record_table)
        dataset = Literal(self.dataset_id)

        # The same key with different contents in one batch: which one is
        # true is not ours to guess. Neither loads; each row says why.
        cursor.execute(*stage.select(stage.key,
                group_by=[stage.key], having=Count(stage.key) > 1))
        repeated = [k for k, in cursor]
        contradicted = []
        for chunk in _chunks(repeated, 500):
            cursor.execute(*stage.select(stage.key,
                    where=In(stage.key, chunk),
                    group_by=[stage.key],
                    having=_count_distinct(stage.digest) > 1))
            contradicted.extend(k for k, in cursor)
        for chunk in _chunks(contradicted, 500):
            cursor.execute(*stage.select(stage.row_number,
                    where=In(stage.key, chunk), order_by=[stage.row_number]))
            for row_number, in cursor.fetchall():
                self.rejects.append((row_number,
                        "同一批数据中该记录出现互相矛盾的内容，均未导入", None))
            cursor.execute(*stage.delete(where=In(stage.key, chunk)))
        duplicates = 0
        # Identical repeats (a page sent twice) keep their first row.
        for chunk in _chunks(repeated, 500):
            cursor.execute(*_delete_repeats(stage, chunk))
            duplicates += cursor.rowcount
        cursor.execute(*stage.select(Count(stage.key)))
        distinct, = cursor.fetchone()

        now = clock.now()
        uid = Transaction().user
        updated = _update_changed(cursor, record, stage, dataset,
            self.run_id, now, uid)
        inserted = _insert_new(cursor, record, stage, dataset,
            self.run_id, now, uid)
        removed = 0
        if full_refresh:
            removed = _delete_missing(cursor, record, stage, dataset)
        linked = _link_applicants(cursor, record, dataset)
        cursor.execute(f'DROP TABLE IF EXISTS "{self.stage}"')
        self.counts = {
            'rows_read': self.read,
            'rejected': len(self.rejects),
            'duplicates': duplicates,
            'inserted': inserted,
            'updated': updated,
            'unchanged': distinct - inserted - updated,
            'removed': removed,
            'linked': linked,
            }
        return self.rejects


def _chunks(values, size):
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _count_distinct(column):
    return Count(column, distinct=True)


# Never NOT IN (subquery) below: once the subquery outgrows work_mem,
# PostgreSQL scans it again for each row, and a reload of a large dataset
# takes hours. NOT EXISTS is an anti-join at any size.

def _delete_repeats(stage, keys):
    "Delete all but the first row of each of keys"
    first = stage.select(Min(stage.row_number),
        where=In(stage.key, keys), group_by=[stage.key])
    return stage.delete(
        where=In(stage.key, keys) & ~In(stage.row_number, first))


def _update_changed(cursor, record, stage, dataset, run_id, now, uid):
    source = stage.select(*[Column(stage, c) for c in [
                'key', 'digest', *COLUMNS]])
    cursor.execute(*record.update(
            [Column(record, c) for c in [*COLUMNS, 'digest']]
            + [record.run, record.write_uid, record.write_date],
            [Column(source, c) for c in [*COLUMNS, 'digest']]
            + [Literal(run_id), Literal(uid), Literal(now)],
            from_=[source],
            where=(record.dataset == dataset)
            & (record.key == source.key)
            & (record.digest != source.digest)))
    return max(cursor.rowcount, 0)


def _insert_new(cursor, record, stage, dataset, run_id, now, uid):
    existing = record.select(Literal(1),
        where=(record.dataset == dataset) & (record.key == stage.key))
    cursor.execute(*record.insert(
            [record.dataset, record.key, record.digest,
                *[Column(record, c) for c in COLUMNS],
                record.run, record.create_uid, record.create_date],
            stage.select(dataset, stage.key, stage.digest,
                *[Column(stage, c) for c in COLUMNS],
                Literal(run_id), Literal(uid), Literal(now),
                where=~Exists(existing))))
    return max(cursor.rowcount, 0)


def _delete_missing(cursor, record, stage, dataset):
    "Delete the records of the dataset the staged rows no longer list"
    # A second instance of the table: python-sql does not alias the table
    # of a DELETE, so a subquery could not tell its columns apart.
    other = Table(record._name)
    listed = other.select(other.id, where=(other.dataset == dataset)
        & ~Exists(stage.select(Literal(1), where=stage.key == other.key)))
    cursor.execute(*record.delete(where=In(record.id, listed)))
    return max(cursor.rowcount, 0)


def _link_applicants(cursor, record, dataset):
    "Point records at the applicant with their ID number"
    applicant = Table('laisui_applicant')
    match = applicant.select(applicant.id,
        where=applicant.id_number == record.id_number)
    cursor.execute(*record.update([record.applicant], [match],
            where=(record.dataset == dataset)
            & (record.applicant == Null)
            & (record.id_number != Null)
            & In(record.id_number, applicant.select(applicant.id_number))))
    return max(cursor.rowcount, 0)


def masked(raw):
    "A rejected row as kept for download: ID and phone numbers masked"
    if raw is None:
        return None
    if isinstance(raw, dict):
        text = json.dumps(raw, ensure_ascii=False, default=str)
    elif isinstance(raw, FormulaCell):
        text = raw.coordinate
    else:
        text = ','.join('' if v is None else str(v) for v in raw)
    return mask_text(text)[:1000]
