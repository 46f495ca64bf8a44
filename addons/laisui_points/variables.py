# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The facts a formula can read, computed from an applicant's records.

Each variable is a small function of a FactSet: the applicant's permits and
facts as plain rows, the reference date, the indicator's look-back window
and the rule set's RuleValues. Plain rows (not records) so that the batch
statement path can feed them from one SQL query per table. Values (points,
caps, units) never live here: they are in the indicator catalogue.
"""
from collections import defaultdict
from decimal import Decimal
from typing import NamedTuple

from .period import (
    continuous_permit_years, continuous_years, cumulative_years,
    full_months, window_start, year_index)

VARIABLES = {}
# Labels are zh_CN: they are written into the statement lines that
# applicants read, in the language of the rules.


class Variable:
    __slots__ = ('name', 'label', 'type', 'kinds', 'function')

    def __init__(self, name, label, type_, kinds, function):
        self.name = name
        self.label = label
        self.type = type_
        self.kinds = kinds
        self.function = function


def variable(label, type_=int, kinds=()):
    def register(function):
        VARIABLES[function.__name__] = Variable(
            function.__name__, label, type_, frozenset(kinds), function)
        return function
    return register


# How text values read in a statement line.
VALUE_LABELS = {
    'none': "无", 'highschool': "高中（含中职）", 'college': "大专（含高职）",
    'bachelor': "本科", 'master': "硕士研究生", 'doctor': "博士研究生",
    'basic': "中级工", 'junior': "初级职称或高级工",
    'senior': "中级及以上职称或技师以上",
    }


def describe(value):
    "A variable value as an applicant reads it"
    if isinstance(value, str):
        return VALUE_LABELS.get(value, value)
    if isinstance(value, list):
        return '、'.join(map(str, value)) or VALUE_LABELS['none']
    if isinstance(value, float):
        return f'{value:g}'
    return str(value)


def variable_types():
    return {name: v.type for name, v in VARIABLES.items()}


class RuleValues(NamedTuple):
    "The values of a rule set (laisui.points.rule_set) the variables read"
    # Hours of volunteer service in a year that make one unit.
    volunteer_unit_hours: int
    # Shares of a patent the first inventor gets; the others get one each.
    first_inventor_shares: int


class Window(NamedTuple):
    "The look-back of an indicator (laisui.points.indicator)"
    # 近 N 年: N, or None for all facts.
    years: int
    # How years are counted: 'rolling' or 'calendar' (period.window_start).
    kind: str = 'rolling'


class FactSet:
    """One applicant's facts as of `date`; with a `lookback` Window of N
    years, only the facts dated within its last N years; `rules` are the
    RuleValues of the rule set in force."""

    def __init__(self, birth_date, permits, facts, date, districts, rules,
            lookback=None):
        self.birth_date = birth_date
        self.date = date
        self.districts = districts
        self.rules = rules
        self.window_kind = lookback.kind if lookback else 'rolling'
        self.since = (window_start(date, lookback.years, lookback.kind)
            if lookback and lookback.years else None)
        self.permits = [p for p in permits
            if p['date_start'] and p['date_start'] <= date]
        self.by_kind = defaultdict(list)
        for fact in facts:
            start = fact['date_from'] or fact['date_to']
            if start and start > date:
                continue
            # 近 N 年: dated after the window's start (§9.2).
            if self.since and (_dated(fact) or date) <= self.since:
                continue
            self.by_kind[fact['kind']].append(fact)
        self.used = []

    def facts(self, *kinds, home=False):
        """The facts of kinds, marked used; with home, only those located
        in this system's own district"""
        result = [f for k in kinds for f in self.by_kind.get(k, ())
            if not home
            or self.districts.get(f['district'], {}).get('home')]
        self.used.extend(result)
        return result

    def full_years(self, periods):
        "Full years covered by the union of (start, end) periods"
        return cumulative_years(periods, self.date, self.since)

    def year_index(self, fact):
        "Which year of the window the fact is dated in (0: the latest)"
        return year_index(
            min(_dated(fact), self.date), self.date, self.window_kind)


def _period(fact):
    return (fact['date_from'], fact['date_to'])


def _dated(fact):
    "The day a fact is dated: its end, or its day for a one-off fact"
    return fact['date_to'] or fact['date_from']


def _quantity(fact):
    """A fact's quantity (hours, yuan, with cents) as an exact Decimal:
    summed as floats, 50.00 hours can fall short of 50 (domain.md §2.2)"""
    return Decimal(str(fact['quantity'] or 0))


def _current(fact, date):
    "Valid on date: started on or before it (see FactSet), not ended before"
    return not fact['date_to'] or fact['date_to'] >= date


# Residence --------------------------------------------------------------
@variable("年龄")
def age(fs):
    """Full years since birth, as any period (§9.1): born on 29 February,
    a year older on 28 February"""
    if not fs.birth_date:
        return 0
    return full_months(fs.birth_date, fs.date) // 12


@variable("持广州居住证满年数")
def permit_years(fs):
    return fs.full_years(
        (p['date_start'], p['date_end']) for p in fs.permits)


@variable("在本区持居住证满年数")
def home_permit_years(fs):
    return fs.full_years((p['date_start'], p['date_end'])
        for p in fs.permits
        if fs.districts.get(p['district'], {}).get('home'))


# A home sold before the date no longer scores as owned (§9.3).
def _owned(fs):
    return [f for f in fs.facts('residence_owned') if _current(f, fs.date)]


@variable("现有合法产权住所", kinds=['residence_owned'])
def owns_property(fs):
    return int(bool(_owned(fs)))


@variable("在加分区现有产权住所",
    kinds=['residence_owned'])
def owns_property_bonus(fs):
    return int(any(fs.districts.get(f['district'], {}).get('property_bonus')
            for f in _owned(fs)))


@variable("已备案租赁或单位宿舍居住满年数",
    kinds=['residence_rented', 'residence_dormitory'])
def rental_years(fs):
    # A rental counts only once registered (备案): flag set.
    facts = [f for f in fs.facts('residence_rented', 'residence_dormitory')
        if f['kind'] == 'residence_dormitory' or f['flag']]
    return fs.full_years(map(_period, facts))


@variable("迁出中心城区后居住满年数",
    kinds=['residence_owned', 'residence_rented', 'residence_dormitory'])
def moved_out_years(fs):
    facts = fs.facts(
        'residence_owned', 'residence_rented', 'residence_dormitory')
    core = [f['date_to'] for f in facts
        if fs.districts.get(f['district'], {}).get('core') and f['date_to']]
    if not core:
        return 0
    left = min(core)
    return fs.full_years(_period(f) for f in facts
        if not fs.districts.get(f['district'], {}).get('core')
        and f['date_from'] and f['date_from'] >= left)


# Employment and insurance ----------------------------------------------
@variable("各险种缴费满年数合计",
    kinds=['insurance'])
def insurance_type_years(fs):
    return sum(_years_by_type(fs, fs.facts('insurance')))


def _years_by_type(fs, facts):
    "Full years of each insurance type (level) among the facts"
    by_type = defaultdict(list)
    for fact in facts:
        by_type[fact['level']].append(_period(fact))
    return [fs.full_years(periods) for periods in by_type.values()]


@variable("已登记就业或经营",
    kinds=['employment', 'business'])
def employed(fs):
    return int(bool(fs.facts('employment', 'business')))


# The part in this district (district-scope indicators) ----------------
# The city verifies residence, employment and insurance wherever they are;
# a district scores only the part spent in its own territory.
@variable("在本区合法稳定居住满年数",
    kinds=['residence_owned', 'residence_rented', 'residence_dormitory'])
def home_residence_years(fs):
    facts = fs.facts(
        'residence_owned', 'residence_rented', 'residence_dormitory',
        home=True)
    # As rental_years: a rental counts once registered (备案).
    return fs.full_years(_period(f) for f in facts
        if f['kind'] != 'residence_rented' or f['flag'])


@variable("在本区参保最长险种满年数", kinds=['insurance'])
def home_insurance_years(fs):
    return max(_years_by_type(fs, fs.facts('insurance', home=True)),
        default=0)


@variable("在本区现有就业或经营登记", kinds=['employment', 'business'])
def home_employed(fs):
    return int(any(not f['date_to'] or f['date_to'] >= fs.date
            for f in fs.facts('employment', 'business', home=True)))


# What the application types read (domain.md, §9.4): continuous periods
# current on the date, where the indicators above count cumulatively.
def _permit_period(permit):
    return (permit['date_start'], permit['date_end'])


@variable("现居住证连续持有满年数")
def current_permit_years(fs):
    return continuous_permit_years(map(_permit_period, fs.permits), fs.date)


@variable("在本区办理的现居住证连续持有满年数")
def home_current_permit_years(fs):
    current = [p for p in fs.permits
        if not p['date_end'] or p['date_end'] >= fs.date]
    home = [p for p in fs.permits
        if fs.districts.get(p['district'], {}).get('home')]
    # The permit in force is the one issued last: it must be this district's.
    if not current or max(
            current, key=lambda p: p['date_start']) not in home:
        return 0
    return continuous_permit_years(map(_permit_period, home), fs.date)


@variable("在本区合法稳定住所连续居住至今满年数",
    kinds=['residence_owned', 'residence_rented', 'residence_dormitory'])
def home_residence_continuous_years(fs):
    facts = fs.facts(
        'residence_owned', 'residence_rented', 'residence_dormitory',
        home=True)
    # As home_residence_years: a rental counts once registered (备案).
    return continuous_years((_period(f) for f in facts
            if f['kind'] != 'residence_rented' or f['flag']), fs.date)


@variable("在本区同一险种连续缴费至今满年数", kinds=['insurance'])
def home_insurance_continuous_years(fs):
    by_type = defaultdict(list)
    for fact in fs.facts('insurance', home=True):
        by_type[fact['level']].append(_period(fact))
    return max((continuous_years(periods, fs.date)
            for periods in by_type.values()), default=0)


# Education and skills --------------------------------------------------
EDUCATION_RANK = ['none', 'highschool', 'college', 'bachelor', 'master',
    'doctor']


@variable("最高学历", type_=str, kinds=['education'])
def education(fs):
    levels = [f['level'] for f in fs.facts('education')
        if f['level'] in EDUCATION_RANK]
    return max(levels, key=EDUCATION_RANK.index, default='none')


SKILL_RANK = ['none', 'basic', 'junior', 'senior']


@variable("最高技能或职称等级", type_=str, kinds=['skill'])
def skill_level(fs):
    levels = [f['level'] for f in fs.facts('skill')
        if f['level'] in SKILL_RANK]
    return max(levels, key=SKILL_RANK.index, default='none')


@variable("从事对应工种的最高技能或职称等级", type_=str, kinds=['skill'])
def skill_trade_level(fs):
    "The highest level among the titles whose trade the applicant works in"
    levels = [f['level'] for f in fs.facts('skill')
        if f['flag'] and f['level'] in SKILL_RANK]
    return max(levels, key=SKILL_RANK.index, default='none')


# Innovation -------------------------------------------------------------
def _patent_shares(fs, kind):
    # Each of the n inventors has one share, the first inventor (flag) the
    # rule set's number: 20/(n+1) points a share when that is 2. The formula
    # multiplies these shares by the points of the patent kind.
    first = fs.rules.first_inventor_shares
    total = 0.0
    for fact in fs.facts(kind):
        inventors = max(int(fact['quantity'] or 1), 1)
        total += (first if fact['flag'] else 1) / (inventors + first - 1)
    return round(total, 4)


@variable("发明专利份额", type_=float, kinds=['patent_invention'])
def invention_shares(fs):
    return _patent_shares(fs, 'patent_invention')


@variable("实用新型专利份额", type_=float,
    kinds=['patent_utility'])
def utility_shares(fs):
    return _patent_shares(fs, 'patent_utility')


@variable("外观设计专利份额", type_=float, kinds=['patent_design'])
def design_shares(fs):
    return _patent_shares(fs, 'patent_design')


@variable("高新技术企业就业满年数", kinds=['hightech_job'])
def hightech_years(fs):
    return fs.full_years(map(_period, fs.facts('hightech_job')))


@variable("从事急需工种", kinds=['urgent_trade'])
def urgent_trade(fs):
    return int(bool(fs.facts('urgent_trade')))


@variable("一线艰苦行业满年数",
    kinds=['urgent_trade'])
def hardship_years(fs):
    return fs.full_years(
        _period(f) for f in fs.facts('urgent_trade') if f['flag'])


# Public service ---------------------------------------------------------
def _per_year(fs, facts, unit):
    """Units in each year of the window (twelve months back from the date
    or calendar years, as the indicator says), oldest first: the formula
    caps each year (每年最多)"""
    years = defaultdict(Decimal)
    for fact in facts:
        years[fs.year_index(fact)] += _quantity(fact)
    return [int(v // unit) for _, v in sorted(years.items(), reverse=True)]


@variable("每年志愿服务时长单位数", type_=list,
    kinds=['volunteer'])
def volunteer_units_by_year(fs):
    return _per_year(
        fs, fs.facts('volunteer'), fs.rules.volunteer_unit_hours)


@variable("每年献血次数", type_=list, kinds=['blood_donation'])
def blood_donations_by_year(fs):
    return _per_year(fs, fs.facts('blood_donation'), 1)


@variable("期间个人所得税（元）", type_=float,
    kinds=['tax'])
def income_tax(fs):
    return float(sum(map(_quantity, fs.facts('tax'))))


def _count(fs, kind, level):
    return sum(1 for f in fs.facts(kind) if f['level'] == level)


@variable("国家级表彰", kinds=['award'])
def awards_national(fs):
    return _count(fs, 'award', 'national')


@variable("省部级表彰", kinds=['award'])
def awards_provincial(fs):
    return _count(fs, 'award', 'provincial')


@variable("市级表彰", kinds=['award'])
def awards_city(fs):
    return _count(fs, 'award', 'city')


@variable("区级表彰", kinds=['award'])
def awards_district(fs):
    return _count(fs, 'award', 'district')


# Deductions -------------------------------------------------------------
@variable("不良信用记录", kinds=['credit'])
def credit_cases(fs):
    return len(fs.facts('credit'))


@variable("偷逃税宗数", kinds=['violation'])
def tax_evasion_cases(fs):
    return _count(fs, 'violation', 'tax_evasion')


@variable("治安处罚宗数", kinds=['violation'])
def public_security_cases(fs):
    return _count(fs, 'violation', 'public_security')
