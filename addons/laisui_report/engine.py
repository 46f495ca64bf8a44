# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The report engine: one SQL GROUP BY over every row of a dataset.

The rows a report reads are those the running user may read: the
dataset's model is searched with the report's filters and the period and
parameters as a Tryton domain, with access rights and record rules, and
that search is the sub-query the aggregation runs on. Rows and columns
are dataset fields (dates grouped by Guangzhou day, month or year), the
measure a count or the sum, average, lowest or highest of a number.
"""
import datetime as dt
from collections import namedtuple
from decimal import Decimal

from sql import Literal
from sql.aggregate import Avg, Count, Max, Min, Sum

from trytond.i18n import gettext
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.sql_month import truncate
from trytond.modules.laisui_base.sql_period import local
from trytond.pool import Pool
from trytond.transaction import Transaction, check_access

from .exceptions import ReportError

# Columns of a pivot; more values than this are folded into 其他 when the
# measure adds up, refused otherwise.
MAX_COLUMNS = 12
AGGREGATES = {'sum': Sum, 'avg': Avg, 'min': Min, 'max': Max}
TWO_PLACES = Decimal('0.01')

Result = namedtuple('Result', ['rows', 'columns', 'cells'])
Result.__doc__ = """rows and columns: lists of (key, label) in order;
cells: {(row key, column key): Decimal}"""

# The one key of the row or column of a report without that dimension,
# and the key of the column adding up the values beyond the 12th.
ALL = '*'
OTHER = ('other',)


class Parameters(namedtuple('Parameters', [
            'date_from', 'date_to', 'street', 'department', 'round'],
        defaults=[None] * 5)):
    "The values a run of a report is asked for"
    __slots__ = ()


def compute(report, parameters):
    "The Result of report for parameters, as the current user may see it"
    pool = Pool()
    ModelAccess = pool.get('ir.model.access')
    dataset = report.dataset
    Model = pool.get(dataset.model.name)
    ModelAccess.check(Model.__name__, 'read')
    with check_access():
        readable = Model.search(
            report.domain(parameters), order=[], query=True)
    joins = _Joins(Model)
    dimensions = []
    for axis in [report.row, report.column]:
        if axis:
            unit = report.row_unit if axis == report.row else report.column_unit
            dimensions.append(_dimension(joins, axis.steps(), unit))
        else:
            dimensions.append(Literal(ALL))
    # The dimensions are computed in a sub-query and grouped by name: a
    # date_trunc repeated in GROUP BY would not be the same expression
    # for PostgreSQL (its unit is a query parameter).
    columns = [dimensions[0].as_('row'), dimensions[1].as_('col')]
    if report.aggregate != 'count':
        columns.append(joins.column(report.measure.steps()).as_('measure'))
    source = joins.from_.select(*columns,
        where=joins.table.id.in_(readable))
    if report.aggregate == 'count':
        measure = Count(Literal(1))
    else:
        measure = AGGREGATES[report.aggregate](source.measure)
    query = source.select(source.row, source.col, measure.as_('value'),
        group_by=[source.row, source.col])
    cursor = Transaction().connection.cursor()
    cursor.execute(*query)
    row_type, col_type = (a.steps()[-1][1]._type if a else None
        for a in [report.row, report.column])
    cells = {}
    for row, col, value in cursor:
        if value is None:
            continue
        cells[_key(row, row_type), _key(col, col_type)] = _decimal(value)
    return _shape(report, cells)


def _decimal(value):
    # SQLite averages to a float, PostgreSQL to a long Decimal.
    value = Decimal(str(value))
    if value != value.to_integral_value():
        value = value.quantize(TWO_PLACES)
    return value


def _key(value, type_):
    "A dimension value as the same key on both backends"
    if value is None:
        return None
    if type_ == 'boolean':
        # SQLite gives 0 and 1.
        return bool(value)
    if type_ in {'date', 'datetime', 'timestamp'} and isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


class _Joins:
    "The dataset's table and the left joins its paths need"

    def __init__(self, Model):
        self.table = Model.__table__()
        self.from_ = self.table
        self._tables = {(): self.table}

    def column(self, steps):
        pool = Pool()
        key, table = (), self.table
        for Model, field in steps[:-1]:
            key += (field.name,)
            if key not in self._tables:
                target = pool.get(field.model_name).__table__()
                self.from_ = self.from_.join(target, 'LEFT',
                    condition=getattr(table, field.name) == target.id)
                self._tables[key] = target
            table = self._tables[key]
        return getattr(table, steps[-1][1].name)


def _dimension(joins, steps, unit):
    column = joins.column(steps)
    type_ = steps[-1][1]._type
    if type_ in {'datetime', 'timestamp'}:
        return truncate(unit or 'day', local(column))
    if type_ == 'date' and unit and unit != 'day':
        return truncate(unit, column)
    return column


def _shape(report, cells):
    "Order, label and fold the cells into a Result"
    rows = _axis(report.row, report.row_unit, {r for r, _ in cells})
    if report.sort == 'value':
        totals = _totals(cells, 0)
        rows.sort(key=lambda r: -totals[r[0]])
    if report.row_limit:
        rows = rows[:report.row_limit]
    if report.column:
        columns = _axis(report.column, report.column_unit,
            {c for _, c in cells})
    else:
        columns = [(ALL, report.measure_label())]
    if len(columns) > MAX_COLUMNS:
        columns, cells = _fold(report, columns, cells)
    if report.show == 'percent':
        cells = _percent(cells)
    kept = {k for k, _ in rows}
    return Result(rows=rows, columns=columns,
        cells={k: v for k, v in cells.items() if k[0] in kept})


def _totals(cells, axis):
    "The sum of the cells of each row (axis 0) or column (axis 1)"
    totals = {}
    for key, value in cells.items():
        totals[key[axis]] = totals.get(key[axis], 0) + value
    return totals


def _fold(report, columns, cells):
    """The largest columns but one, in their order, and 其他 adding up the
    rest: only a count or a sum adds up."""
    if report.aggregate not in {'count', 'sum'}:
        raise ReportError(gettext('laisui_report.msg_too_many_columns',
                report=report.rec_name, count=len(columns),
                limit=MAX_COLUMNS))
    totals = _totals(cells, 1)
    # Ties keep their order: the earlier date, the option listed first.
    ranked = sorted((k for k, _ in columns), key=lambda k: -totals.get(k, 0))
    largest = set(ranked[:MAX_COLUMNS - 1])
    folded = {}
    for (row, col), value in cells.items():
        key = (row, col if col in largest else OTHER)
        folded[key] = folded.get(key, 0) + value
    columns = [c for c in columns if c[0] in largest]
    return columns + [(OTHER, gettext('laisui_report.msg_label_other'))], \
        folded


def _percent(cells):
    "Each cell as a share of its row, in per cent"
    totals = _totals(cells, 0)
    return {(row, col): (value * 100 / totals[row]).quantize(TWO_PLACES)
        if totals[row] else Decimal(0)
        for (row, col), value in cells.items()}


def _axis(axis, unit, keys):
    """The (key, label) of the values of a row or column in their natural
    order: options as listed, records by name, dates in time; empty last"""
    if axis is None:
        return [(ALL, gettext('laisui_report.msg_label_all'))]
    Model, field = axis.steps()[-1]
    type_ = field._type
    values = [k for k in keys if k is not None]
    labels, rank = {}, None
    if type_ == 'many2one':
        Target = Pool().get(field.model_name)
        labels = {r.id: r.rec_name for r in Target.browse(values)}
        rank = labels.get
    elif type_ == 'selection':
        selection = Model.fields_get([field.name])[field.name]['selection']
        labels = dict(selection)
        order = {v: i for i, (v, _) in enumerate(selection)}
        rank = order.get
    elif type_ == 'boolean':
        labels = {True: gettext('laisui_report.msg_label_yes'),
            False: gettext('laisui_report.msg_label_no')}
    elif type_ in {'date', 'datetime', 'timestamp'}:
        pattern = {'year': '%Y', 'month': '%Y-%m'}.get(unit, '%Y-%m-%d')
        labels = {v: v.strftime(pattern) for v in values}
    result = sorted(values, key=rank or (lambda v: v))
    axis_values = [(v, labels.get(v, str(v))) for v in result]
    if None in keys:
        axis_values.append((None, gettext('laisui_report.msg_label_empty')))
    return axis_values


def period_domain(path, field_type, date_from, date_to):
    "The domain of the period on a date or timestamp path, Guangzhou days"
    domain = []
    if field_type == 'date':
        if date_from:
            domain.append((path, '>=', date_from))
        if date_to:
            domain.append((path, '<=', date_to))
    else:
        if date_from:
            domain.append((path, '>=', clock.day_start(date_from)))
        if date_to:
            domain.append((path, '<', clock.day_start(
                        date_to + dt.timedelta(days=1))))
    return domain


def key_text(key):
    "A cell key as text, to store and to name a monitored column"
    if key is None:
        return ''
    if key == OTHER:
        return 'other'
    if isinstance(key, dt.date):
        return key.isoformat()
    if isinstance(key, bool):
        return 'true' if key else 'false'
    return str(key)

