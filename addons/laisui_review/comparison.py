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
"""
from collections import defaultdict
from decimal import Decimal

from trytond.model import DeactivableMixin, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval

METHODS = [
    ('external', "Recompute from External Data"),
    ('city', "City Verified Points"),
    ]


class Rule(DeactivableMixin, ModelSQL, ModelView):
    "Automatic comparison rule of an indicator"
    __name__ = 'laisui.review.comparison.rule'

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
        that need people."""
        pool = Pool()
        Line = pool.get('laisui.review.line')
        rules = {r.indicator.id: r for r in cls.search([])}
        lines = [l for c in cases for l in c.lines
            if l.state == 'pending' and l.indicator.id in rules]
        if not lines:
            return 0
        applicants = sorted({l.case.applicant.id for l in lines})
        recomputed = _recompute(applicants) if any(
            r.method == 'external' for r in rules.values()) else {}
        verified = _city_points(applicants, [r for r in rules.values()
                if r.method == 'city'])
        matched, others = [], []
        for line in lines:
            rule = rules[line.indicator.id]
            applicant = line.case.applicant.id
            if rule.method == 'external':
                all_line, external_line = recomputed[applicant].get(
                    line.indicator.id, (None, None))
                result = _judge_external(
                    line.declared_points, all_line, external_line,
                    rule.tolerance)
                line.verified_points = (external_line[0]
                    if external_line else None)
                line.evidence = external_line[1] if external_line else None
            else:
                record = verified.get((applicant, line.indicator.code))
                line.verified_points = record[0] if record else None
                line.evidence = record[1] if record else None
                result = ('no_data' if record is None
                    else 'matched' if abs((line.declared_points or 0)
                        - record[0]) <= rule.tolerance
                    else 'mismatched')
            line.comparison = result
            (matched if result == 'matched' else others).append(line)
        Line.save(lines)
        Line.confirm_matched(matched)
        _alert(others)
        _count_mismatches(cases)
        return len(others)


def _judge_external(declared, all_line, external_line, tolerance):
    """matched / mismatched / no_data of one indicator; the lines are
    (points, facts text, has facts) evaluated on all and on external
    facts."""
    if external_line is None:
        return 'no_data'
    declared = declared or Decimal(0)
    if all_line[2] and not external_line[2] and declared:
        return 'no_data'
    if abs(declared - external_line[0]) <= tolerance:
        return 'matched'
    return 'mismatched'


def _recompute(applicant_ids):
    """applicant → indicator → ((points, facts, has facts) on all facts,
    (points, facts, has facts) on external facts and permits only)"""
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
            # Columns as in statement._LINE_COLUMNS: indicator … source,
            # computed …
            result[applicant_id][all_line[0]] = (
                _summary(all_line), _summary(external_line))
    return result


def _summary(line):
    _, _, _, _, facts_used, source, computed, *_ = line
    return computed, facts_used, source is not None


def _city_points(applicant_ids, rules):
    "(applicant, indicator code) → (points, reference) of the city data"
    Record = Pool().get('laisui.connector.record')
    datasets = {r.dataset.id for r in rules if r.dataset}
    if not datasets:
        return {}
    result = {}
    for record in Record.search([
                ('dataset', 'in', list(datasets)),
                ('applicant', 'in', applicant_ids),
                ]):
        result[record.applicant.id, record.level] = (
            record.quantity or Decimal(0),
            f'{record.dataset.code}:{record.reference or record.id}')
    return result


def _alert(lines):
    "One notification per department and case for the lines to review"
    pool = Pool()
    Notification = pool.get('res.notification')
    User = pool.get('res.user')
    Data = pool.get('ir.model.data')
    by_department = defaultdict(list)
    for line in lines:
        if line.department:
            by_department[line.department].append(line)
    if not by_department:
        return
    reviewer = Data.get_id('laisui_base', 'group_department_reviewer')
    members = defaultdict(list)
    for user in User.search([
                ('laisui_departments', 'in',
                    [d.id for d in by_department]),
                ('groups', '=', reviewer),
                ]):
        for department in user.laisui_departments:
            members[department].append(user)
    vlist = []
    for department, department_lines in by_department.items():
        by_case = defaultdict(list)
        for line in department_lines:
            by_case[line.case].append(line)
        for case, case_lines in by_case.items():
            text = '；'.join(f'{l.indicator.name}：{l.comparison_string}'
                for l in case_lines)
            for user in members[department]:
                vlist.append({
                        'user': user.id,
                        'label': f'自动比对需人工审核：{case.rec_name}',
                        'description': text,
                        'icon': 'tryton-warning',
                        'model': 'laisui.review.line',
                        'records': str([l.id for l in case_lines]),
                        })
    Notification.create(vlist)


def _count_mismatches(cases):
    Case = Pool().get('laisui.review.case')
    cases = Case.browse(cases)
    for case in cases:
        case.mismatches = sum(
            l.comparison == 'mismatched' for l in case.lines)
    Case.save(cases)
