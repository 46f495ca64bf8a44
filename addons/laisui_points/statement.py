# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Points statements: the rule set in force evaluated on an applicant.

Statement lines are derived data: recomputing deletes and re-inserts them.
Staff changes live in laisui.points.adjustment and are applied on every
computation, so a recomputation never loses them. The batch path reads and
writes with one SQL query per table and chunk; ``compute_one`` is the same
evaluation through the ORM, kept as the reference for tests and the
benchmark.
"""
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from sql import Column

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSingleton, ModelSQL, ModelView, Unique, fields)
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.bulk import (
    bulk_insert, bulk_update, forget_cached)
from trytond.modules.laisui_base.i18n import stored_gettext
from trytond.pool import Pool
from trytond.model.fields import SQL_OPERATORS
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .fact import SOURCE_RANK, SOURCES
from .formula import evaluate, namespace
from .indicator import CATEGORIES
from .provenance import describe_fact, describe_permit
from .variables import VARIABLES, FactSet, Window, describe

_CENT = Decimal('0.01')
_SOURCES_BY_RANK = {rank: source for source, rank in SOURCE_RANK.items()}
_FACT_COLUMNS = ['applicant', 'kind', 'date_from', 'date_to', 'district',
    'level', 'quantity', 'flag', 'source', 'external_reference', 'id']
_PERMIT_COLUMNS = ['applicant', 'date_start', 'date_end', 'district',
    'source', 'number', 'id']


class LineValues(NamedTuple):
    """The values of a statement line that _evaluate computes, named as the
    columns of laisui.points.statement.line"""
    indicator: int
    sequence: int
    category: str
    department: int
    facts_used: str
    source: str
    computed: Decimal
    cap_applied: bool
    adjusted: bool
    adjustment_reason: str
    points: Decimal


_LINE_COLUMNS = list(LineValues._fields)


class Configuration(ModelSingleton, ModelSQL, ModelView):
    "Points configuration"
    __name__ = 'laisui.points.configuration'

    reference_date = fields.Date("Reference Date",
        help="The date statements are computed for; empty for today.")

    @classmethod
    def get_reference_date(cls):
        config = cls.get_singleton()
        return (config and config.reference_date) or clock.today()


class Statement(ModelSQL, ModelView):
    "Points statement (积分明细)"
    __name__ = 'laisui.points.statement'

    applicant = fields.Many2One('laisui.applicant', "Applicant",
        required=True, ondelete='CASCADE', readonly=True)
    rule_set = fields.Many2One('laisui.points.rule_set', "Rule Set",
        readonly=True, ondelete='RESTRICT')
    reference_date = fields.Date("Reference Date", readonly=True)
    total = fields.Numeric("Current Points", digits=(16, 2), readonly=True,
        help="Every indicator, deductions included, as of the reference "
        "date.")
    computed_at = fields.Timestamp("Computed At", readonly=True)
    points_band = fields.Char("Points Band", readonly=True,
        help="Bands of 20 points for the distribution statistics.")
    lines = fields.One2Many('laisui.points.statement.line', 'statement',
        "Lines", readonly=True)
    street = fields.Function(fields.Many2One('laisui.street', "Street"),
        'get_street', searcher='search_street')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('applicant_unique', Unique(t, t.applicant),
                'laisui_points.msg_statement_unique'),
            ]
        cls._order = [('total', 'DESC NULLS LAST'), ('id', 'ASC')]

    def get_rec_name(self, name):
        return self.applicant.rec_name

    def get_street(self, name):
        return self.applicant.street.id if self.applicant.street else None

    @classmethod
    def search_street(cls, name, clause):
        return [('applicant.street',) + tuple(clause[1:])]

    @classmethod
    def labelled_scores(cls, applicant):
        """[(label, points)]: the figures the applicant reads, each one
        computation labelled with its date and what it includes. Here
        the current points; a module that scores for a purpose (school
        admission) adds its own."""
        current = cls.current_score(applicant)
        return [current] if current else []

    @classmethod
    def current_score(cls, applicant):
        "(label, points) of the applicant's current points, or None"
        statement = applicant.statement
        if not statement or statement.total is None:
            return None
        return (gettext('laisui_points.msg_score_current',
                date=statement.reference_date), statement.total)

    @classmethod
    def mark_dirty(cls, applicants):
        "Recompute after facts changed, unless a bulk load defers it"
        if Transaction().context.get('laisui_defer_statements'):
            return
        applicants = list({a.id: a for a in applicants if a.id}.values())
        if applicants:
            cls.compute(applicants)

    # Evaluation ------------------------------------------------------
    @classmethod
    def _source_labels(cls):
        """{dataset code: provenance.SourceLabel} of the systems facts
        and permits come from (provenance.PERMITS: the permits'); filled
        in by the module that knows them"""
        return {}

    @classmethod
    def _indicators(cls, rule_set):
        "The compiled indicators, with the variables per look-back window"
        result = _Indicators(rule_set.rule_values(), stored_gettext(
                'laisui_points.msg_statement_references',
                references=_REFERENCES), cls._source_labels())
        for indicator in rule_set.indicators:
            code, names = indicator.compiled()
            lookback = Window(
                indicator.validity_years, indicator.window_kind)
            result.variables.setdefault(lookback, set()).update(names)
            result.append({
                    'id': indicator.id,
                    'sequence': indicator.sequence,
                    'code': code,
                    'names': sorted(names),
                    'cap': indicator.cap,
                    'category': indicator.category,
                    'lookback': lookback,
                    'department': (indicator.department.id
                        if indicator.department else None),
                    })
        return result

    @classmethod
    def _evaluate(cls, birth_date, permits, facts, adjustments, indicators,
            date, districts):
        "Header values and lines of one applicant from plain rows"
        # Per look-back window: the facts, the variables the formulas read
        # in one namespace, and how each variable reads with its source.
        scopes = {}
        for lookback, names in indicators.variables.items():
            fs = FactSet(birth_date, permits, facts, date, districts,
                indicators.rules, lookback)
            values, shown = {}, {}
            for name in names:
                variable = VARIABLES[name]
                fs.used = []
                value = values[name] = variable.function(fs)
                used = fs.permits if name == 'permit_years' else fs.used
                shown[name] = (f'{variable.label}：{describe(value)}'
                    + _references(used, indicators),
                    max((SOURCE_RANK[u['source']] for u in used),
                        default=-1))
            scopes[lookback] = (namespace(values), shown)
        lines = []
        scored = {}
        for indicator in indicators:
            globals_, shown = scopes[indicator['lookback']]
            described = [shown[n][0] for n in indicator['names']]
            rank = max((shown[n][1] for n in indicator['names']),
                default=-1)
            result = evaluate(indicator['code'], globals_)
            points = Decimal(result if isinstance(result, int)
                else repr(result))
            capped = False
            cap = indicator['cap']
            if cap is not None and abs(points) > cap:
                points, capped = (cap if points > 0 else -cap), True
            if indicator['category'] == 'deduction' and points > 0:
                points = -points
            points = points.quantize(_CENT, ROUND_HALF_UP)
            computed = points
            adjustment = adjustments.get(indicator['id'])
            if adjustment:
                points = Decimal(adjustment['points']).quantize(_CENT)
            lines.append(LineValues(
                    indicator=indicator['id'],
                    sequence=indicator['sequence'],
                    category=indicator['category'],
                    department=indicator['department'],
                    facts_used='；'.join(described),
                    source=_SOURCES_BY_RANK.get(rank),
                    computed=computed,
                    cap_applied=capped,
                    adjusted=bool(adjustment),
                    adjustment_reason=(
                        adjustment['reason'] if adjustment else None),
                    points=points))
            scored[indicator['id']] = points
        return cls._header(indicators, scored), lines

    @classmethod
    def _header(cls, indicators, points):
        """The header values from the points of each indicator id: one
        per stored field, so other modules can add their own totals"""
        total = max(sum(points.values(), Decimal(0)), Decimal(0))
        return {
            'total': total,
            'points_band': _band(total),
            }

    # Batch path ------------------------------------------------------
    @classmethod
    def compute(cls, applicants, date=None):
        """Recompute the statements of the applicants in bulk.

        Returns the number of statements written."""
        pool = Pool()
        RuleSet = pool.get('laisui.points.rule_set')
        Configuration = pool.get('laisui.points.configuration')
        date = date or Configuration.get_reference_date()
        rule_set = RuleSet.in_force(date)
        if not rule_set:
            return 0
        count = 0
        for results in cls.evaluate(applicants, rule_set, date):
            cls._store(results, rule_set, date)
            count += len(results)
        return count

    @classmethod
    def evaluate(cls, applicants, rule_set, date, check=None):
        """Evaluate without storing: yield, per chunk of applicants,
        {applicant id: (header, lines)} with lines as LineValues.
        `check(fact_set)`, when given, is called with each
        applicant's facts as of date and its result appended to the
        value: other modules test conditions on the same facts."""
        District = Pool().get('laisui.district')
        indicators = cls._indicators(rule_set)
        districts = District.as_dict()
        ids = sorted({int(a) for a in applicants})
        for sub_ids in grouped_slice(ids, 1000):
            sub_ids = list(sub_ids)
            data = cls._load(sub_ids)
            results = {}
            for applicant_id in sub_ids:
                birth_date, permits, facts, adjustments = data[applicant_id]
                results[applicant_id] = cls._evaluate(
                    birth_date, permits, facts, adjustments, indicators,
                    date, districts)
                if check:
                    results[applicant_id] += (check(FactSet(
                                birth_date, permits, facts, date,
                                districts, indicators.rules)),)
            yield results

    @classmethod
    def _load(cls, ids):
        pool = Pool()
        Applicant = pool.get('laisui.applicant')
        Fact = pool.get('laisui.fact')
        Permit = pool.get('laisui.residence.permit')
        Adjustment = pool.get('laisui.points.adjustment')
        cursor = Transaction().connection.cursor()
        data = {}
        applicant = Applicant.__table__()
        cursor.execute(*applicant.select(
                applicant.id, applicant.birth_date,
                where=SQL_OPERATORS['in'](applicant.id, ids)))
        for id_, birth_date in cursor.fetchall():
            data[id_] = (_date(birth_date), [], [], {})
        for Model, columns, index in [
                (Permit, _PERMIT_COLUMNS, 1), (Fact, _FACT_COLUMNS, 2)]:
            table = Model.__table__()
            cursor.execute(*table.select(
                    *[getattr(table, c) for c in columns],
                    where=SQL_OPERATORS['in'](table.applicant, ids)))
            for row in cursor.fetchall():
                row = dict(zip(columns, row))
                for key in ('date_from', 'date_to', 'date_start',
                        'date_end'):
                    if key in row:
                        row[key] = _date(row[key])
                data[row['applicant']][index].append(row)
        adjustment = Adjustment.__table__()
        cursor.execute(*adjustment.select(
                adjustment.applicant, adjustment.indicator,
                adjustment.points, adjustment.reason, adjustment.id,
                where=SQL_OPERATORS['in'](adjustment.applicant, ids)
                & (adjustment.state == 'approved'),
                order_by=[adjustment.decided_at.asc, adjustment.id.asc]))
        for applicant_id, indicator_id, points, reason, _ in cursor.fetchall():
            # Only approved adjustments count; the latest approved wins.
            data[applicant_id][3][indicator_id] = {
                'points': points, 'reason': reason}
        return data

    @classmethod
    def _store(cls, results, rule_set, date):
        pool = Pool()
        Line = pool.get('laisui.points.statement.line')
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        table = cls.__table__()
        line = Line.__table__()
        ids = list(results)
        cursor.execute(*table.select(
                table.applicant, table.id,
                where=SQL_OPERATORS['in'](table.applicant, ids)))
        existing = dict(cursor.fetchall())
        missing = [a for a in ids if a not in existing]
        if missing:
            for statement in cls.create(
                    [{'applicant': a} for a in missing]):
                existing[statement.applicant.id] = statement.id
        now = clock.now()
        uid = transaction.user
        # Write only the lines that changed: recomputation is mostly a no-op
        # for most applicants, and rows left alone cost no WAL, no lock and
        # no foreign-key check.
        compared = _LINE_COLUMNS[1:]
        cursor.execute(*line.select(
                line.id, line.statement, line.indicator,
                *[Column(line, c) for c in compared],
                where=SQL_OPERATORS['in'](
                    line.statement, [existing[a] for a in ids])))
        current = {(r[1], r[2]): (r[0], r[3:]) for r in cursor.fetchall()}
        inserts, updates = [], []
        for applicant_id, (header, lines) in results.items():
            statement_id = existing[applicant_id]
            for values in lines:
                # LineValues in column order: the columns after indicator.
                new = values[1:]
                old_id, old = current.pop(
                    (statement_id, values.indicator), (None, None))
                if old_id is None:
                    inserts.append((statement_id, *values, uid, now))
                elif old != new:
                    updates.append((old_id, *new, uid, now))
        obsolete = [line_id for line_id, _ in current.values()]
        if obsolete:
            cursor.execute(*line.delete(
                    where=SQL_OPERATORS['in'](line.id, obsolete)))
        bulk_insert(Line._table,
            ['statement', *_LINE_COLUMNS, 'create_uid', 'create_date'],
            inserts)
        bulk_update(Line._table, [*compared, 'write_uid', 'write_date'],
            updates)
        # The fields of _header, the same for every applicant.
        header_fields = list(next(iter(results.values()))[0])
        bulk_update(cls._table, [
                'rule_set', 'reference_date', *header_fields,
                'computed_at', 'write_uid', 'write_date'],
            [(existing[a], rule_set.id, date,
                    *(h[f] for f in header_fields), now, uid, now)
                for a, (h, _) in results.items()])
        # The ORM cache may hold the old values.
        cls._cache_invalidate()

    @classmethod
    def _cache_invalidate(cls):
        forget_cached(cls.__name__, 'laisui.points.statement.line')

    # Reference path --------------------------------------------------
    @classmethod
    def compute_one(cls, applicant, date=None):
        """The same computation record by record through the ORM."""
        pool = Pool()
        RuleSet = pool.get('laisui.points.rule_set')
        District = pool.get('laisui.district')
        Line = pool.get('laisui.points.statement.line')
        Adjustment = pool.get('laisui.points.adjustment')
        Configuration = pool.get('laisui.points.configuration')
        date = date or Configuration.get_reference_date()
        rule_set = RuleSet.in_force(date)
        if not rule_set:
            return
        permits = [{'date_start': p.date_start, 'date_end': p.date_end,
                'district': p.district.id, 'source': p.source,
                'number': p.number, 'id': p.id}
            for p in applicant.permits]
        facts = [{'kind': f.kind, 'date_from': f.date_from,
                'date_to': f.date_to,
                'district': f.district.id if f.district else None,
                'level': f.level, 'quantity': f.quantity, 'flag': f.flag,
                'source': f.source,
                'external_reference': f.external_reference,
                'id': f.id} for f in applicant.facts]
        adjustments = {a.indicator.id: {'points': a.points,
                'reason': a.reason}
            for a in Adjustment.search([
                    ('applicant', '=', applicant.id),
                    ('state', '=', 'approved'),
                    ], order=[('decided_at', 'ASC'), ('id', 'ASC')])}
        header, lines = cls._evaluate(
            applicant.birth_date, permits, facts, adjustments,
            cls._indicators(rule_set), date, District.as_dict())
        statements = cls.search([('applicant', '=', applicant.id)])
        if statements:
            statement, = statements
            Line.delete(statement.lines)
        else:
            statement = cls(applicant=applicant)
        statement.rule_set = rule_set
        statement.reference_date = date
        for name, value in header.items():
            setattr(statement, name, value)
        statement.computed_at = clock.now()
        statement.save()
        Line.create([dict(v._asdict(), statement=statement.id)
                for v in lines])
        return statement


class StatementLine(ModelSQL, ModelView):
    "Points statement line"
    __name__ = 'laisui.points.statement.line'

    statement = fields.Many2One('laisui.points.statement', "Statement",
        required=True, ondelete='CASCADE', readonly=True)
    indicator = fields.Many2One('laisui.points.indicator', "Indicator",
        required=True, ondelete='CASCADE', readonly=True)
    sequence = fields.Integer("Sequence", readonly=True)
    category = fields.Selection(CATEGORIES, "Category", readonly=True)
    department = fields.Many2One('laisui.department', "Owning Department",
        readonly=True)
    facts_used = fields.Text("Facts Used", readonly=True)
    source = fields.Selection([(None, '')] + SOURCES, "Source",
        readonly=True)
    computed = fields.Numeric("Computed", digits=(16, 2), readonly=True)
    cap_applied = fields.Boolean("Cap Applied", readonly=True)
    adjusted = fields.Boolean("Adjusted", readonly=True)
    adjustment_reason = fields.Text("Adjustment Reason", readonly=True)
    points = fields.Numeric("Points", digits=(16, 2), readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('sequence', 'ASC'), ('id', 'ASC')]
        cls._sql_indexes.add(Index(t, (t.statement, Index.Equality())))


class _Indicators(list):
    """Compiled indicators, `variables`: look-back → variable names, and
    `rules`: the RuleValues of their rule set"""

    def __init__(self, rules, references, labels):
        super().__init__()
        self.variables = {}
        self.rules = rules
        # The "external records" text, translated once per computation.
        self.references = references
        # dataset code → SourceLabel, read once per computation.
        self.labels = labels


# Stands for the references in the translated text.
_REFERENCES = '\x00'


def _references(used, indicators):
    """Which external records a value came from, for the statement line,
    as people read them (provenance): in the translated message with
    _REFERENCES for the list"""
    references = sorted(set(filter(None, (
                    describe_permit(u, indicators.labels)
                    if 'date_start' in u
                    else describe_fact(u, indicators.labels)
                    for u in used))))
    if not references:
        return ''
    return indicators.references.replace(
        _REFERENCES, '、'.join(references))


def _band(total, width=20):
    low = int(total // width) * width
    return f'{low:03d}-{low + width - 1:03d}'


def _date(value):
    "SQLite returns dates as text"
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value
