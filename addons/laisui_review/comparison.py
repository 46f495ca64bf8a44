# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Automatic comparison (自动比对审核).

Each rule says how one indicator is checked:
- external: the points engine evaluates the indicator twice, on all the
  applicant's facts and on the facts and permits that came from the
  connector datasets only; the same points means the declaration is
  backed by government data;
- city: the points the city system verified for that indicator (dataset
  city_points, one record per applicant and indicator code).

A line is then matched, mismatched, or without data when the declaration
rests on facts of which no external copy exists. Matched lines are
confirmed at once; the others wait for the owning department, which is
alerted.

The evidence a line keeps is what a reviewer reads: the variables the
external recomputation found and the records behind them by system,
record number and dates (laisui_points.provenance), never the internal
references code matches facts on.
"""
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import NamedTuple

from trytond.model import DeactivableMixin, ModelSQL, ModelView, fields
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.bulk import bulk_update, forget_cached
from trytond.modules.laisui_base.audit_diff import AuditedDiffMixin
from trytond.modules.laisui_connectors.provenance import source_labels
from trytond.modules.laisui_points.provenance import describe_fact
from trytond.modules.laisui_points.indicator import RuleSetPartMixin
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.model.fields import SQL_OPERATORS
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

METHODS = [
    ('external', "Recompute from External Data"),
    ('city', "City Verified Points"),
    ]


class PendingLine(NamedTuple):
    "A pending review line that a rule compares, with its case's applicant"
    line: int
    case: int
    applicant: int
    indicator: int
    declared_points: Decimal
    version: int
    department: int


class Evaluated(NamedTuple):
    "One indicator evaluated on a set of facts"
    points: Decimal
    facts_used: str
    has_facts: bool


class LeftToPeople(NamedTuple):
    "A line the comparison could not confirm"
    case: int
    line: int
    department: int
    comparison: str


class _ComparedRow(NamedTuple):
    "The columns of laisui.review.line a comparison writes"
    id: int
    comparison: str
    verified_points: Decimal
    evidence: str
    state: str
    points: Decimal
    version: int
    reviewed_at: dt.datetime
    write_uid: int
    write_date: dt.datetime


class Indicator(metaclass=PoolMeta):
    __name__ = 'laisui.points.indicator'

    # A One2Many, so a new version of the rule set copies the rules with
    # the indicators.
    comparison_rules = fields.One2Many('laisui.review.comparison.rule',
        'indicator', "Comparison Rules")

    @classmethod
    def copy(cls, indicators, default=None):
        # The switched-off rules too: a copy is the same table.
        with Transaction().set_context(active_test=False):
            return super().copy(indicators, default=default)


class Rule(RuleSetPartMixin, AuditedDiffMixin, DeactivableMixin, ModelSQL,
        ModelView):
    """Automatic comparison rule of an indicator: part of the indicator's
    rule set version, changed only while it is a draft"""
    __name__ = 'laisui.review.comparison.rule'
    _rule_set_path = 'indicator.rule_set'

    indicator = fields.Many2One('laisui.points.indicator', "Indicator",
        required=True, ondelete='CASCADE')
    method = fields.Selection(METHODS, "Method", required=True)
    dataset = fields.Many2One('laisui.connector.dataset', "Dataset",
        ondelete='RESTRICT',
        states={
            'invisible': Eval('method') != 'city',
            'required': Eval('method') == 'city',
            },
        help="The dataset holding the city's verified points.")
    tolerance = fields.Numeric("Tolerance", digits=(16, 2), required=True,
        help="A difference of at most this many points still matches.")

    @classmethod
    def default_method(cls):
        return 'external'

    @classmethod
    def default_tolerance(cls):
        return Decimal(0)

    def get_rec_name(self, name):
        return self.indicator.rec_name

    @classmethod
    def compare(cls, cases):
        """Compare the pending lines of the cases; confirm the matched,
        alert the departments of the others. Returns the number of lines
        that need people.

        Lines are read and written set-wise: a season's comparison runs
        over tens of thousands of cases."""
        pool = Pool()
        Line = pool.get('laisui.review.line')
        AuditLog = pool.get('laisui.audit.log')
        rules = {r.indicator.id: r for r in cls.search([])}
        rows = _pending_lines([c.id for c in cases], list(rules))
        if not rows:
            return 0
        by_applicant = defaultdict(list)
        for row in rows:
            by_applicant[row.applicant].append(row)
        applicants = sorted(by_applicant)
        external = [r for r in rules.values() if r.method == 'external']
        city = _city_points(applicants,
            [r for r in rules.values() if r.method == 'city'])
        transaction = Transaction()
        now = clock.now()
        updates, others, confirmed = [], [], defaultdict(list)
        for sub_applicants in grouped_slice(applicants, 1000):
            sub_applicants = list(sub_applicants)
            recomputed = _recompute(sub_applicants) if external else {}
            for pending in (r for a in sub_applicants
                    for r in by_applicant[a]):
                rule = rules[pending.indicator]
                declared = Decimal(str(pending.declared_points or 0))
                if rule.method == 'external':
                    all_line, external_line = recomputed[
                        pending.applicant].get(
                        pending.indicator, (None, None))
                    result = _judge_external(declared, all_line,
                        external_line, rule.tolerance)
                    verified, evidence = ((
                            external_line.points, external_line.facts_used)
                        if external_line else (None, None))
                else:
                    verified, evidence = city.get(
                        (pending.applicant, rule.indicator.code),
                        (None, None))
                    result = ('no_data' if verified is None
                        else 'matched' if abs(declared - verified)
                        <= rule.tolerance else 'mismatched')
                row = _ComparedRow(id=pending.line, comparison=result,
                    verified_points=verified, evidence=evidence,
                    state='pending', points=None, version=pending.version,
                    reviewed_at=None, write_uid=transaction.user,
                    write_date=now)
                if result == 'matched':
                    # Confirmed without people; audited per case below.
                    row = row._replace(state='confirmed', points=declared,
                        version=pending.version + 1, reviewed_at=now)
                    confirmed[pending.case].append(rule.indicator.code)
                else:
                    others.append(LeftToPeople(case=pending.case,
                            line=pending.line,
                            department=pending.department,
                            comparison=result))
                updates.append(row)
        bulk_update(Line._table, _ComparedRow._fields[1:], updates)
        forget_cached(Line.__name__)
        AuditLog.log_many([{
                    'action': 'state', 'resource': f'laisui.review.case,{c}',
                    'from_value': 'pending', 'to_value': 'confirmed',
                    'detail': '自动比对一致，确认：' + '、'.join(codes),
                    } for c, codes in confirmed.items()])
        _count_mismatches([c.id for c in cases], others)
        _alert(others)
        return len(others)


def _pending_lines(case_ids, indicator_ids):
    "PendingLine of the cases' pending lines that a rule compares"
    pool = Pool()
    Line = pool.get('laisui.review.line')
    Case = pool.get('laisui.review.case')
    line = Line.__table__()
    case = Case.__table__()
    cursor = Transaction().connection.cursor()
    rows = []
    if not indicator_ids:
        return rows
    for sub_ids in grouped_slice(case_ids, 1000):
        cursor.execute(*line.join(case,
                condition=line.case == case.id).select(
                line.id, line.case, case.applicant, line.indicator,
                line.declared_points, line.version, line.department,
                where=SQL_OPERATORS['in'](line.case, list(sub_ids))
                & (line.state == 'pending')
                & SQL_OPERATORS['in'](line.indicator, indicator_ids)))
        rows.extend(PendingLine._make(r) for r in cursor)
    return rows


def _judge_external(declared, all_line, external_line, tolerance):
    """matched / mismatched / no_data of one indicator; the lines are its
    Evaluated on all and on external facts."""
    if external_line is None:
        return 'no_data'
    declared = declared or Decimal(0)
    if all_line.has_facts and not external_line.has_facts and declared:
        return 'no_data'
    if abs(declared - external_line.points) <= tolerance:
        return 'matched'
    return 'mismatched'


def _recompute(applicant_ids):
    """applicant → indicator → (Evaluated on all facts, Evaluated on
    external facts and permits only)"""
    pool = Pool()
    Statement = pool.get('laisui.points.statement')
    RuleSet = pool.get('laisui.points.rule_set')
    District = pool.get('laisui.district')
    Configuration = pool.get('laisui.points.configuration')
    date = Configuration.get_reference_date()
    rule_set = RuleSet.in_force(date)
    if not rule_set:
        return defaultdict(dict)
    indicators = Statement._indicators(rule_set)
    districts = District.as_dict()
    result = defaultdict(dict)
    data = Statement._load(applicant_ids)
    for applicant_id in applicant_ids:
        birth_date, permits, facts, _ = data[applicant_id]
        external = (
            [p for p in permits if p['source'] == 'external'],
            [f for f in facts if f['source'] == 'external'])
        _, all_lines = Statement._evaluate(birth_date, permits, facts, {},
            indicators, date, districts)
        _, external_lines = Statement._evaluate(birth_date, *external, {},
            indicators, date, districts)
        for all_line, external_line in zip(all_lines, external_lines):
            result[applicant_id][all_line.indicator] = (
                _summary(all_line), _summary(external_line))
    return result


def _summary(line):
    "Evaluated of a statement line (LineValues)"
    return Evaluated(points=line.computed, facts_used=line.facts_used,
        has_facts=line.source is not None)


def _city_points(applicant_ids, rules):
    """(applicant, indicator code) → (points, evidence) of the city data;
    the evidence names the system, the record and the day it verified"""
    Record = Pool().get('laisui.connector.record')
    datasets = {r.dataset.id for r in rules if r.dataset}
    if not datasets:
        return {}
    labels = source_labels()
    result = {}
    for record in Record.search([
                ('dataset', 'in', list(datasets)),
                ('applicant', 'in', applicant_ids),
                ]):
        points = record.quantity or Decimal(0)
        result[record.applicant.id, record.level] = (points,
            describe_fact({
                    'external_reference': (
                        f'{record.dataset.code}:{record.reference or ""}'),
                    'date_from': record.date_from,
                    'date_to': record.date_from,
                    }, labels) + f'：{points}分')
    return result


def _alert(others):
    "One notification per department and case for the LeftToPeople"
    pool = Pool()
    Notification = pool.get('res.notification')
    Line = pool.get('laisui.review.line')
    User = pool.get('res.user')
    Data = pool.get('ir.model.data')
    by_department = defaultdict(lambda: defaultdict(list))
    for other in others:
        if other.department:
            by_department[other.department][other.case].append(other.line)
    if not by_department:
        return
    reviewer = Data.get_id('laisui_base', 'group_department_reviewer')
    members = defaultdict(list)
    for user in User.search([
                ('laisui_departments', 'in', list(by_department)),
                ('groups', '=', reviewer),
                ]):
        for department in user.laisui_departments:
            members[department.id].append(user.id)
    vlist = []
    for department, cases in by_department.items():
        if not members[department]:
            continue
        for case_id, line_ids in cases.items():
            lines = Line.browse(line_ids)
            text = '；'.join(f'{l.indicator.name}：{l.comparison_string}'
                for l in lines)
            for user in members[department]:
                vlist.append({
                        'user': user,
                        'label': f'自动比对需人工审核：{lines[0].case.rec_name}',
                        'description': text,
                        'icon': 'tryton-warning',
                        'model': 'laisui.review.line',
                        'records': str(line_ids),
                        })
    Notification.create(vlist)


def _count_mismatches(case_ids, others):
    Case = Pool().get('laisui.review.case')
    counts = defaultdict(int)
    for other in others:
        counts[other.case] += other.comparison == 'mismatched'
    bulk_update(Case._table, ['mismatches'],
        [(c, counts[c]) for c in case_ids])
    forget_cached(Case.__name__)
