# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""extract → clean → validate → load → link, for one run of one dataset.

Rows are cleaned in Python and copied by chunks into a temporary staging
table (COPY on PostgreSQL), each chunk inserting the keys new to the
dataset as it goes; the rest of the load is a few set-based statements
at the end: contradictions out (with what they inserted), changed rows
updated, missing rows removed, applicants linked. Python holds one chunk
at a time, so memory does not grow with the file. Everything happens in
the run's transaction: all or nothing.
"""
import functools
import hashlib
import json
from concurrent.futures import ThreadPoolExecutor

from sql import Column, Conflict, Flavor, Literal, Null, Table
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
STAGE_COLUMNS = ['row_number', 'head', 'key', 'digest', *COLUMNS]


# Positions in a cleaned row (a list in the order of COLUMNS).
POSITION = {c: i for i, c in enumerate(COLUMNS)}
# Positions in a staged row (in the order of STAGE_COLUMNS).
_HEAD, _KEY = STAGE_COLUMNS.index('head'), STAGE_COLUMNS.index('key')


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
            raise CleanError(gettext('laisui_connectors.msg_clean_formula',
                    cell=row.coordinate))
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
                raise CleanError(gettext('laisui_connectors.msg_clean_field',
                        field=field.source, reason=str(e)))
            position = field.position
            if position is None:  # extra: kept as is
                if value is not None:
                    extra = extra or {}
                    extra[field.source] = value
                continue
            if position == _ADDRESS:
                values[_DISTRICT], values[_STREET], value = value
            if field.required and (value is None or value == ''):
                raise CleanError(gettext(
                        'laisui_connectors.msg_clean_required',
                        field=field.source))
            values[position] = value
        if values[_FLAG] is None:
            values[_FLAG] = False
        if (values[_DATE_FROM] and values[_DATE_TO]
                and values[_DATE_TO] < values[_DATE_FROM]):
            raise CleanError(gettext(
                    'laisui_connectors.msg_clean_dates_reversed'))
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
    """The staging table of a run and the set-based load out of it.

    Each chunk of cleaned rows is staged, and its new keys inserted at
    once; on PostgreSQL a worker thread does that while the next chunk is
    cleaned, so the database and Python work at the same time. Whatever
    needs the whole batch (repeats, updates, removals, links) waits for
    finish(). Use as a context manager: leaving it waits for the worker.
    """

    def __init__(self, dataset_id, run_id, record_table):
        self.dataset_id = dataset_id
        self.run_id = run_id
        self.record_table = record_table
        self.stage = f'laisui_stage_{run_id}'
        self.rows = []
        self.rejects = []
        self.read = 0
        self.inserted = 0
        self.counts = {}
        self.now = clock.now()
        self.uid = Transaction().user
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
            f'SELECT 0 AS "row_number", FALSE AS "head", {columns} '
            f'FROM "{record_table}"{where}')
        cursor.execute(f'CREATE INDEX "{self.stage}_row_number" '
            f'ON "{self.stage}" ("row_number")')
        # Chunks are applied with their own cursor: in the worker on
        # PostgreSQL (psycopg connections are thread-safe, one statement at
        # a time; cursors are not), which also needs this thread's SQL
        # flavor (python-sql keeps it per thread).
        self.chunk_cursor = Transaction().connection.cursor()
        self.worker = None
        self.pending = None
        if backend.name == 'postgresql':
            self.worker = ThreadPoolExecutor(1,
                initializer=Flavor.set, initargs=(Flavor.get(),))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.worker:
            try:
                self.wait()
            except Exception:
                if exc[0] is None:
                    raise
            finally:
                self.worker.shutdown()
        return False

    def add(self, row_number, values, key):
        "Stage one cleaned row (a list in the order of COLUMNS)"
        self.read += 1
        # repr tells None from 'None' and 1 from '1'; it only has to
        # change when the contents do.
        digest = hashlib.sha1(repr(values).encode()).hexdigest()
        self.rows.append([row_number, False, key, digest, *values])
        if len(self.rows) >= CHUNK:
            self.flush()

    def reject(self, row_number, reason, raw=None):
        self.read += 1
        self.rejects.append((row_number, reason, raw))

    def flush(self):
        "Hand the chunk of rows over to be staged and inserted"
        rows, self.rows = self.rows, []
        if not rows:
            return
        # The head of each key in the chunk is the row it may insert.
        keys = set()
        for row in rows:
            if row[_KEY] not in keys:
                keys.add(row[_KEY])
                row[_HEAD] = True
        self.wait()
        if self.worker:
            self.pending = self.worker.submit(self._apply, rows)
        else:
            self._apply(rows)

    def wait(self):
        "Wait until the chunk handed over is applied; raise its error"
        pending, self.pending = self.pending, None
        if pending:
            pending.result()

    def _apply(self, rows):
        "Stage the rows and insert the keys new to the dataset (any thread)"
        cursor = self.chunk_cursor
        bulk_insert(self.stage, STAGE_COLUMNS, rows, cursor=cursor)
        stage = Table(self.stage)
        record = Table(self.record_table)
        self.inserted += _insert_new(cursor, record, stage,
            Literal(self.dataset_id), self.run_id, self.now, self.uid,
            (stage.row_number >= min(r[0] for r in rows))
            & (stage.row_number <= max(r[0] for r in rows)))

    def finish(self, full_refresh=False):
        "Apply the staged rows; return the rejects found by the load"
        self.flush()
        self.wait()
        cursor = Transaction().connection.cursor()
        if backend.name == 'postgresql' and self.inserted >= CHUNK:
            # The joins below are planned on the table's statistics: before
            # the first load of a dataset they say it has no rows, and a
            # nested loop over what this run inserted would take hours.
            cursor.execute(f'ANALYZE "{self.record_table}"')
        stage = Table(self.stage)
        record = Table(self.record_table)
        dataset = Literal(self.dataset_id)

        # The same key with different contents in one batch: which one is
        # true is not ours to guess. Neither loads; each row says why, and
        # the record its first row inserted goes again.
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
        contradiction = gettext('laisui_connectors.msg_load_contradiction')
        for chunk in _chunks(contradicted, 500):
            cursor.execute(*stage.select(stage.row_number,
                    where=In(stage.key, chunk), order_by=[stage.row_number]))
            for row_number, in cursor.fetchall():
                self.rejects.append((row_number, contradiction, None))
            cursor.execute(*stage.delete(where=In(stage.key, chunk)))
            # Only this run's inserts carry its id yet: updates come below.
            cursor.execute(*record.delete(where=(record.dataset == dataset)
                    & (record.run == self.run_id) & In(record.key, chunk)))
            self.inserted -= max(cursor.rowcount, 0)
        duplicates = 0
        # Identical repeats (a page sent twice) keep their first row.
        for chunk in _chunks(repeated, 500):
            cursor.execute(*_delete_repeats(stage, chunk))
            duplicates += cursor.rowcount
        cursor.execute(*stage.select(Count(stage.key)))
        distinct, = cursor.fetchone()

        updated = _update_changed(cursor, record, stage, dataset,
            self.run_id, self.now, self.uid)
        removed = 0
        if full_refresh:
            removed = _delete_missing(cursor, record, stage, dataset)
        linked = _link_applicants(cursor, record, dataset)
        cursor.execute(f'DROP TABLE IF EXISTS "{self.stage}"')
        self.counts = {
            'rows_read': self.read,
            'rejected': len(self.rejects),
            'duplicates': duplicates,
            'inserted': self.inserted,
            'updated': updated,
            'unchanged': distinct - self.inserted - updated,
            'removed': removed,
            'linked': linked,
            }
        return self.rejects


def _chunks(values, size):
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _count_distinct(column):
    return Count(column, distinct=True)


# No NOT IN over a subquery that grows with the data below: once it
# outgrows work_mem, PostgreSQL scans it again for each row, and a reload of
# a large dataset takes hours. NOT EXISTS is an anti-join at any size.

def _delete_repeats(stage, keys):
    "Delete all but the first row of each of keys (a few hundred)"
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


def _insert_new(cursor, record, stage, dataset, run_id, now, uid, rows):
    """Insert the staged rows (where `rows`) whose key is new to the
    dataset: the unique index tells, a join could be planned on stale
    statistics"""
    cursor.execute(*record.insert(
            [record.dataset, record.key, record.digest,
                *[Column(record, c) for c in COLUMNS],
                record.run, record.create_uid, record.create_date],
            stage.select(dataset, stage.key, stage.digest,
                *[Column(stage, c) for c in COLUMNS],
                Literal(run_id), Literal(uid), Literal(now),
                where=rows & stage.head),
            on_conflict=Conflict(record,
                indexed_columns=[record.dataset, record.key])))
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
