# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Every indicator of the 2018 city table (GZ-2018, points_data.xml) on
hand-computed cases (issue 17).

Expected points come from the table text (domain.md §2.2) and the rules
decided for this system (§9.1 full years by corresponding dates, §9.2
rolling windows and yearly caps, §9.3 one row one indicator). Each case
runs through both paths: the batch path (Statement.compute) and the
reference path (Statement.compute_one), which must agree.

The applicant is born on 1960-01-01 unless a case says otherwise: 59 on
the reference date, no age points, so a case's total is its own line.
"""
import datetime as dt
import unittest
from decimal import Decimal

from stdnum.cn import ric

from trytond.modules.laisui_base.tests.tools import ActivatedTestCase
from trytond.modules.laisui_points.tests.tools import DATE
from trytond.modules.laisui_points.variables import (
    VARIABLES, FactSet, RuleValues, Window)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

D = dt.date
YUEXIU, TIANHE, BAIYUN, ZENGCHENG = '440104', '440106', '440111', '440118'
# 2019-04-30 less 5 years: facts dated on it are out of 近5年, a day
# later in; likewise for 近3年.
FIVE_YEARS_BEFORE = D(2014, 4, 30)
THREE_YEARS_BEFORE = D(2016, 4, 30)


def id_number(birth):
    "A valid Yuexiu ID number of someone born on birth"
    body = '440104' + birth.strftime('%Y%m%d') + '123'
    return body + ric.calc_check_digit(body + 'X')


def fact(kind, date_from, date_to=None, **values):
    return dict(values, kind=kind, date_from=date_from, date_to=date_to)


def owned(date_from, date_to=None, district=YUEXIU):
    return fact('residence_owned', date_from, date_to, district=district)


def rented(date_from, date_to=None, district=YUEXIU, registered=True):
    return fact('residence_rented', date_from, date_to, district=district,
        flag=registered)


def dormitory(date_from, date_to=None, district=YUEXIU):
    return fact('residence_dormitory', date_from, date_to,
        district=district)


def permit(date_start, date_end=None, district=YUEXIU):
    return {'date_start': date_start, 'date_end': date_end,
        'district': district}


def skill(level, in_trade=False, date_from=D(2015, 1, 1)):
    return fact('skill', date_from, level=level, flag=in_trade)


def patent(kind, date_from, inventors=1, first=True):
    return fact(kind, date_from, quantity=inventors, flag=first)


def hours(date_from, quantity):
    return fact('volunteer', date_from, quantity=quantity)


def donation(date_from, quantity=1):
    return fact('blood_donation', date_from, quantity=quantity)


def tax(date_from, yuan):
    return fact('tax', date_from, date_from, quantity=yuan)


class Table2018TestCase(ActivatedTestCase):
    "The 2018 city table, indicator by indicator"
    modules = ['laisui_points']

    def statement(self, facts=(), permits=(), birth=D(1960, 1, 1),
            date=DATE):
        """({code: (points, cap applied)}, total) of an applicant with only
        these facts and permits, the same through both paths"""
        pool = Pool()
        Applicant = pool.get('laisui.applicant')
        District = pool.get('laisui.district')
        Statement = pool.get('laisui.points.statement')
        districts = {d.code: d.id for d in District.search([])}

        def located(values):
            values = dict(values)
            if values.get('district'):
                values['district'] = districts[values['district']]
            return values

        Applicant.delete(Applicant.search([]))
        applicant, = Applicant.create([{
                    'name': "陈小燕", 'id_number': id_number(birth),
                    'phone': '13800138000',
                    'permits': [('create', [
                                dict(located(p), number=f'GD{i}')
                                for i, p in enumerate(permits)])],
                    'facts': [('create', [located(f) for f in facts])],
                    }])
        results = []
        Statement.compute([applicant], date)
        batch, = Statement.search([('applicant', '=', applicant.id)])
        reference = Statement.compute_one(applicant, date)
        for statement in [batch, reference]:
            statement = Statement(statement.id)
            results.append((
                    {l.indicator.code: (l.points, l.cap_applied)
                        for l in statement.lines},
                    statement.total))
        self.assertEqual(results[0], results[1])
        return results[0]

    def points(self, code, facts=(), **kwargs):
        lines, _ = self.statement(facts, **kwargs)
        return lines[code][0]

    def assertPoints(self, code, cases, **kwargs):
        "cases: (facts, expected points) pairs"
        for facts, expected in cases:
            with self.subTest(code=code, facts=facts):
                self.assertEqual(
                    self.points(code, facts, **kwargs), Decimal(expected))

    @with_transaction()
    def test_catalogue(self):
        "One row of the table is one indicator, in the table's order"
        Indicator = Pool().get('laisui.points.indicator')
        indicators = Indicator.search([('rule_set.version', '=', 'GZ-2018')])
        self.assertEqual([i.code for i in indicators], [
                'permit', 'residence', 'moved_out', 'insurance',
                'education', 'age', 'skill', 'patent_invention',
                'patent_utility', 'patent_design', 'hightech',
                'urgent_trade', 'volunteer', 'blood', 'tax', 'award',
                'credit', 'tax_evasion', 'public_security'])
        residence, = [i for i in indicators if i.code == 'residence']
        self.assertEqual(residence.name, '合法稳定住所')
        self.assertEqual({t.code for t in residence.evidence_types},
            {'property_cert', 'rental_cert', 'dormitory_cert'})
        # Windows are rolling twelve months unless a district says not.
        self.assertEqual({i.window_kind for i in indicators}, {'rolling'})

    # 居住证: 3 points per full year, cumulative, no cap ----------------
    @with_transaction()
    def test_permit(self):
        "3 a full year; the first is full on the anniversary"
        for start, expected in [
                # 2018-04-30 → 2019-04-30: 1 full year; a day later 0.
                (D(2018, 5, 1), 0), (D(2018, 4, 30), 3),
                (D(2018, 4, 29), 3),
                # 2005-01-01 → 2019-04-30: 14 full years × 3, no cap.
                (D(2005, 1, 1), 42),
                ]:
            with self.subTest(start=start):
                self.assertEqual(self.points('permit',
                        permits=[permit(start)]), Decimal(expected))

    @with_transaction()
    def test_permit_29_february(self):
        "From 2016-02-29: 3 full years on 2019-02-28, 2 the day before"
        for date, expected in [(D(2019, 2, 27), 6), (D(2019, 2, 28), 9)]:
            with self.subTest(date=date):
                self.assertEqual(self.points('permit',
                        permits=[permit(D(2016, 2, 29))], date=date),
                    Decimal(expected))

    @with_transaction()
    def test_permit_overlap_and_gap(self):
        "Overlapping permits count once, months of separate ones add up"
        # 2010-01-01 → 2014-06-30 merged: 53 full months; 2016-01-01 →
        # 2019-04-30: 39; 92 // 12 = 7 years × 3 = 21. (Counting the
        # overlap twice would give 35 + 23 + 39 = 97 → 8 → 24.)
        self.assertEqual(self.points('permit', permits=[
                    permit(D(2010, 1, 1), D(2012, 12, 31)),
                    permit(D(2012, 7, 1), D(2014, 6, 30), TIANHE),
                    permit(D(2016, 1, 1))]), Decimal(21))

    # 合法稳定住所: one row, the better of owned and rented (§9.3) ------
    @with_transaction()
    def test_residence_owned_current(self):
        "An owned home scores 10 (15 in 从化/增城) while current"
        self.assertPoints('residence', [
                ([owned(D(2015, 1, 1))], 10),
                ([owned(D(2015, 1, 1), district=ZENGCHENG)], 15),
                # Ended on the reference date: still current.
                ([owned(D(2015, 1, 1), D(2019, 4, 30))], 10),
                # Sold the day before: no longer owned.
                ([owned(D(2015, 1, 1), D(2019, 4, 29))], 0),
                # Bought the day after: not yet.
                ([owned(D(2019, 5, 1))], 0),
                # The 增城 home sold, a Yuexiu one current: no +5.
                ([owned(D(2012, 1, 1), D(2016, 12, 31), ZENGCHENG),
                        owned(D(2017, 1, 1))], 10),
                ])

    @with_transaction()
    def test_residence_sold_home_and_rental(self):
        "A home sold before the date leaves the current rental its points"
        # Rental 2016-01-01 → 2019-04-30: 3 full years × 2 = 6.
        self.assertPoints('residence', [
                ([owned(D(2010, 1, 1), D(2015, 12, 31)),
                        rented(D(2016, 1, 1))], 6),
                ])

    @with_transaction()
    def test_residence_rental_years(self):
        "2 a full year of registered rental or dormitory, at most 10"
        self.assertPoints('residence', [
                # 2018-04-30 → 2019-04-30: 1 year; from a day later 0.
                ([rented(D(2018, 4, 30))], 2),
                ([rented(D(2018, 5, 1))], 0),
                # 4 full years: 8; 5: 10 exactly; 9: 18 capped to 10.
                ([rented(D(2015, 4, 30))], 8),
                ([rented(D(2014, 5, 1))], 8),
                ([rented(D(2014, 4, 30))], 10),
                ([rented(D(2010, 1, 1))], 10),
                # Not registered (备案): no legal residence.
                ([rented(D(2010, 1, 1), registered=False)], 0),
                ([dormitory(D(2016, 1, 1))], 6),
                # Anywhere in Guangzhou: 3 years in Tianhe.
                ([rented(D(2016, 1, 1), district=TIANHE)], 6),
                ])

    @with_transaction()
    def test_residence_rental_overlap_and_gap(self):
        "Rental and dormitory overlapping count once; gaps are not held"
        self.assertPoints('residence', [
                # Merged 2016-04-30 → 2019-04-30: 36 months, 3 years, 6
                # (24 + 24 months counted twice would give 4 years, 8).
                ([rented(D(2016, 4, 30), D(2018, 4, 30)),
                        dormitory(D(2017, 4, 30))], 6),
                # 2014-01-01 → 2015-06-30: 17 months; 2017-01-01 →
                # 2019-04-30: 27 months; 44 // 12 = 3 years, 6.
                ([rented(D(2014, 1, 1), D(2015, 6, 30)),
                        rented(D(2017, 1, 1))], 6),
                ])

    @with_transaction()
    def test_residence_better_of_owned_and_rented(self):
        "Owned and rented: the better of the two, never their sum"
        self.assertPoints('residence', [
                # Owned 10 vs rental 5 years 10: 10.
                ([owned(D(2018, 1, 1)), rented(D(2013, 1, 1))], 10),
                # Owned in 增城 15 vs rental 10: 15, the row's maximum.
                ([owned(D(2018, 1, 1), district=ZENGCHENG),
                        rented(D(2013, 1, 1))], 15),
                # Owned 10 vs rental 1 year 2: 10.
                ([owned(D(2018, 1, 1)), rented(D(2018, 1, 1))], 10),
                ])

    # 由中心城区迁出: 2 a full year after leaving the core, at most 10 ---
    @with_transaction()
    def test_moved_out(self):
        "Years lived outside the core districts after leaving them"
        self.assertPoints('moved_out', [
                # Left Yuexiu 2015-12-31, Baiyun from 2016-01-01: 3 years.
                ([rented(D(2010, 1, 1), D(2015, 12, 31)),
                        rented(D(2016, 1, 1), district=BAIYUN)], 6),
                # Baiyun from 2018-04-30: 1 year; from a day later 0.
                ([rented(D(2010, 1, 1), D(2018, 4, 29)),
                        rented(D(2018, 4, 30), district=BAIYUN)], 2),
                ([rented(D(2010, 1, 1), D(2018, 4, 30)),
                        rented(D(2018, 5, 1), district=BAIYUN)], 0),
                # Never lived in the core: nothing to move out of.
                ([rented(D(2010, 1, 1), district=BAIYUN)], 0),
                # 7 years since leaving: 14 capped to 10.
                ([rented(D(2008, 1, 1), D(2011, 12, 31)),
                        rented(D(2012, 1, 1), district=BAIYUN)], 10),
                ])

    # 合法稳定就业: 1 a full year per insurance type ---------------------
    @with_transaction()
    def test_insurance(self):
        "Each type's years, periods of one type merged, types added up"
        def insurance(level, date_from, date_to=None):
            return fact('insurance', date_from, date_to, level=level)
        self.assertPoints('insurance', [
                ([insurance('injury', D(2018, 4, 30))], 1),
                ([insurance('injury', D(2018, 5, 1))], 0),
                # Pension 2014-01-01 → 2019-04-30: 5; medical overlapping
                # periods merged 2014-01-01 → 2019-04-30: 5; total 10.
                ([insurance('pension', D(2014, 1, 1)),
                        insurance('medical', D(2014, 1, 1), D(2016, 12, 31)),
                        insurance('medical', D(2016, 6, 1))], 10),
                # Pension 17 + 59 full months = 76 → 6 years (the
                # periods' own full years, 1 + 4, would give 5).
                ([insurance('pension', D(2012, 1, 1), D(2013, 6, 30)),
                        insurance('pension', D(2014, 1, 1),
                            D(2018, 12, 31))], 6),
                # Five types, each 2016-01-01 → 2019-04-30: 3 × 5.
                ([insurance(level, D(2016, 1, 1)) for level in [
                                'pension', 'medical', 'unemployment',
                                'injury', 'maternity']], 15),
                ])

    # 文化程度: the highest degree only --------------------------------
    @with_transaction()
    def test_education(self):
        "本科及以上 50, 大专 35, 高中 20; the highest one"
        def degree(level, date_from=D(2010, 7, 1)):
            return fact('education', date_from, level=level)
        self.assertPoints('education', [
                ([degree('highschool')], 20),
                ([degree('college')], 35),
                ([degree('bachelor')], 50),
                ([degree('master')], 50),
                ([degree('doctor')], 50),
                ([], 0),
                ([degree('highschool'), degree('bachelor')], 50),
                # Graduating after the reference date: not yet.
                ([degree('bachelor', D(2019, 7, 1))], 0),
                ])

    # 年龄: 18-30 30, 31-40 20, 41-45 10 -------------------------------
    @with_transaction()
    def test_age_bands(self):
        "Full years of age on the reference date, band edges each side"
        for birth, expected in [
                (D(2001, 5, 1), 0),  # 17
                (D(2001, 4, 30), 30),  # 18 today
                (D(1988, 5, 1), 30),  # 30
                (D(1988, 4, 30), 20),  # 31 today
                (D(1978, 5, 1), 20),  # 40
                (D(1978, 4, 30), 10),  # 41 today
                (D(1973, 5, 1), 10),  # 45
                (D(1973, 4, 30), 0),  # 46 today
                ]:
            with self.subTest(birth=birth):
                self.assertEqual(self.points('age', birth=birth),
                    Decimal(expected))

    @with_transaction()
    def test_age_29_february(self):
        "Born 1988-02-29: 31 full years on 2019-02-28 (§9.1), 30 before"
        for date, expected in [(D(2019, 2, 27), 30), (D(2019, 2, 28), 20)]:
            with self.subTest(date=date):
                self.assertEqual(self.points('age', birth=D(1988, 2, 29),
                        date=date), Decimal(expected))

    # 技术能力: max over titles of points + 10 in that title's trade ----
    @with_transaction()
    def test_skill(self):
        "30/20/10 by title, +10 working in that title's own trade"
        self.assertPoints('skill', [
                ([skill('senior')], 30),
                ([skill('senior', True)], 40),
                ([skill('junior')], 20),
                ([skill('junior', True)], 30),
                ([skill('basic')], 10),
                ([skill('basic', True)], 20),
                ([], 0),
                ([skill('senior', True, D(2019, 5, 1))], 0),
                ])

    @with_transaction()
    def test_skill_trade_of_another_title(self):
        "The +10 of a lower title's trade does not go to a higher title"
        self.assertPoints('skill', [
                # Senior 30 vs basic in its trade 10 + 10: 30.
                ([skill('senior'), skill('basic', True)], 30),
                # Junior 20 vs basic in its trade 20: 20.
                ([skill('junior'), skill('basic', True)], 20),
                # Senior in its trade 40 vs basic 10: 40.
                ([skill('senior', True), skill('basic')], 40),
                # Junior in its trade 30 vs senior 30: 30.
                ([skill('senior'), skill('junior', True)], 30),
                ])

    # 创新创业: patents of the last 5 years ------------------------------
    @with_transaction()
    def test_patent_invention(self):
        "20/(n+1) a share, the first inventor 2 shares, at most 40"
        date = D(2018, 1, 1)
        self.assertPoints('patent_invention', [
                # Sole inventor: 20 × 2/2.
                ([patent('patent_invention', date)], 20),
                # 3 inventors: first 20 × 2/4, another 20 × 1/4.
                ([patent('patent_invention', date, 3)], 10),
                ([patent('patent_invention', date, 3, False)], 5),
                # 2 inventors, not first: 20 × 1/3 = 6.666… → 6.67.
                ([patent('patent_invention', date, 2, False)],
                    Decimal('6.67')),
                # Two sole patents: 40, the cap exactly.
                ([patent('patent_invention', date)] * 2, 40),
                ])
        lines, _ = self.statement([patent('patent_invention', date)] * 3)
        # Three: 60, capped to 40.
        self.assertEqual(lines['patent_invention'], (Decimal(40), True))
        lines, _ = self.statement([patent('patent_invention', date)] * 2)
        self.assertEqual(lines['patent_invention'], (Decimal(40), False))

    @with_transaction()
    def test_patent_utility_and_design(self):
        "Utility 10/(n+1) at most 20; design 5/(n+1) at most 10"
        date = D(2018, 1, 1)
        self.assertPoints('patent_utility', [
                ([patent('patent_utility', date)], 10),
                # 4 inventors: first 10 × 2/5, another 10 × 1/5.
                ([patent('patent_utility', date, 4)], 4),
                ([patent('patent_utility', date, 4, False)], 2),
                ([patent('patent_utility', date)] * 2, 20),
                ([patent('patent_utility', date)] * 3, 20),
                ])
        self.assertPoints('patent_design', [
                ([patent('patent_design', date)], 5),
                # 2 inventors: first 5 × 2/3 = 3.333… → 3.33, another
                # 5 × 1/3 = 1.666… → 1.67.
                ([patent('patent_design', date, 2)], Decimal('3.33')),
                ([patent('patent_design', date, 2, False)], Decimal('1.67')),
                ([patent('patent_design', date)] * 2, 10),
                ([patent('patent_design', date)] * 3, 10),
                ])

    @with_transaction()
    def test_patent_window(self):
        "近5年: granted on the day 5 years before is out, a day later in"
        day_after = FIVE_YEARS_BEFORE + dt.timedelta(days=1)
        for kind, points in [('patent_invention', 20),
                ('patent_utility', 10), ('patent_design', 5)]:
            self.assertPoints(kind, [
                    ([patent(kind, FIVE_YEARS_BEFORE)], 0),
                    ([patent(kind, day_after)], points),
                    # On the reference date: in; after it: not yet.
                    ([patent(kind, DATE)], points),
                    ([patent(kind, D(2019, 5, 1))], 0),
                    ])

    @with_transaction()
    def test_hightech(self):
        "2 a full year in a high-tech firm, at most 10"
        def job(date_from, date_to=None):
            return fact('hightech_job', date_from, date_to)
        self.assertPoints('hightech', [
                ([job(D(2018, 4, 30))], 2),
                ([job(D(2018, 5, 1))], 0),
                # Two jobs overlapping: 2016-01-01 → 2019-04-30 once, 3.
                ([job(D(2016, 1, 1), D(2018, 6, 30)),
                        job(D(2017, 1, 1))], 6),
                ])
        lines, _ = self.statement([job(D(2014, 4, 30))])
        # 5 years: 10, the cap exactly.
        self.assertEqual(lines['hightech'], (Decimal(10), False))
        lines, _ = self.statement([job(D(2013, 4, 30))])
        # 6 years: 12, capped to 10.
        self.assertEqual(lines['hightech'], (Decimal(10), True))

    # 急需工种: 10; front-line hardship +5 a full year, at most +20 -----
    @with_transaction()
    def test_urgent_trade(self):
        "10 for the trade, +5 a full year of front-line hardship, ≤ +20"
        def trade(date_from, hardship=False):
            return fact('urgent_trade', date_from, flag=hardship)
        self.assertPoints('urgent_trade', [
                ([trade(D(2019, 1, 1))], 10),
                # Hardship 2017-04-30 → 2019-04-30: 2 years, 10 + 10.
                ([trade(D(2017, 4, 30), True)], 20),
                # 3 years: 10 + 15; 4 years: 10 + 20 exactly.
                ([trade(D(2015, 5, 1), True)], 25),
                ([trade(D(2015, 4, 30), True)], 30),
                # 6 years: 10 + 30 capped to + 20.
                ([trade(D(2013, 1, 1), True)], 30),
                ([trade(D(2019, 5, 1))], 0),
                ])

    # 社会服务和公益: each twelve months back from the date its own cap --
    @with_transaction()
    def test_volunteer(self):
        "2 a 50 hours, at most 2 in each twelve months, 近5年, ≤ 10"
        self.assertPoints('volunteer', [
                ([hours(D(2018, 6, 1), 49)], 0),
                # 120 hours in one twelve months: 2 units, 1 counted.
                ([hours(D(2018, 6, 1), 120)], 2),
                # 30 + 20 hours within the same twelve months: 1 unit.
                ([hours(D(2018, 6, 1), 30), hours(D(2019, 1, 1), 20)], 2),
                # 2018-01-15 is in 2017-05-01 … 2018-04-30 and 2018-06-01
                # in 2018-05-01 … 2019-04-30: two periods, 4 (one
                # calendar year 2018 would give 2).
                ([hours(D(2018, 1, 15), 50), hours(D(2018, 6, 1), 50)], 4),
                # 2017-12-01 and 2018-03-01 in the same twelve months:
                # 2 (two calendar years would give 4).
                ([hours(D(2017, 12, 1), 50), hours(D(2018, 3, 1), 50)], 2),
                # A period ends on 2018-04-30; the next starts a day later.
                ([hours(D(2018, 4, 30), 50), hours(D(2018, 5, 1), 50)], 4),
                # 近5年 edge.
                ([hours(FIVE_YEARS_BEFORE, 50)], 0),
                ([hours(D(2014, 5, 1), 50)], 2),
                # One unit in each of the 5 periods (two in the last): 10,
                # the cap exactly.
                ([hours(D(2014, 5, 1), 50), hours(D(2015, 5, 1), 50),
                        hours(D(2016, 5, 1), 50), hours(D(2017, 5, 1), 50),
                        hours(D(2018, 5, 1), 50),
                        hours(D(2019, 1, 1), 50)], 10),
                ])

    @with_transaction()
    def test_volunteer_29_february(self):
        "On 2020-02-29 the twelve months start after 2019-02-28"
        date = D(2020, 2, 29)
        self.assertPoints('volunteer', [
                # 2019-02-28 closes the period before: two periods, 4.
                ([hours(D(2019, 2, 28), 50), hours(D(2019, 3, 1), 50)], 4),
                # 2019-03-01 and 2020-02-29: the same twelve months, 2.
                ([hours(D(2019, 3, 1), 50), hours(D(2020, 2, 29), 50)], 2),
                # 近5年 runs after 2015-02-28.
                ([hours(D(2015, 2, 28), 50)], 0),
                ([hours(D(2015, 3, 1), 50)], 2),
                ], date=date)

    @with_transaction()
    def test_blood(self):
        "2 a donation, at most 2 in each twelve months, 近5年, ≤ 10"
        self.assertPoints('blood', [
                ([donation(D(2018, 6, 1))], 2),
                ([donation(D(2018, 6, 1), 2)], 2),
                ([donation(D(2018, 1, 15)), donation(D(2018, 6, 1))], 4),
                ([donation(D(2017, 12, 1)), donation(D(2018, 3, 1))], 2),
                ([donation(FIVE_YEARS_BEFORE)], 0),
                ([donation(D(2014, 5, 1))], 2),
                ([donation(d) for d in [D(2014, 5, 1), D(2015, 5, 1),
                                D(2016, 5, 1), D(2017, 5, 1),
                                D(2018, 5, 1)]], 10),
                ])

    @with_transaction()
    def test_tax(self):
        "近3年 personal income tax of 100,000 yuan or more: 20"
        self.assertPoints('tax', [
                ([tax(D(2016, 12, 31), 40000), tax(D(2017, 12, 31), 30000),
                        tax(D(2018, 12, 31), 30000)], 20),
                ([tax(D(2016, 12, 31), 40000), tax(D(2017, 12, 31), 30000),
                        tax(D(2018, 12, 31), Decimal('29999.99'))], 0),
                # Paid on the day 3 years before: out; a day later: in.
                ([tax(THREE_YEARS_BEFORE, 50000),
                        tax(D(2018, 12, 31), 50000)], 0),
                ([tax(D(2016, 5, 1), 50000),
                        tax(D(2018, 12, 31), 50000)], 20),
                ])

    @with_transaction()
    def test_award(self):
        "National 30, provincial 20, city 10, district 5; awards add up"
        def award(level, date_from=D(2017, 1, 1)):
            return fact('award', date_from, level=level)
        self.assertPoints('award', [
                ([award('national')], 30),
                ([award('provincial')], 20),
                ([award('city')], 10),
                ([award('district')], 5),
                ([award('city'), award('district')], 15),
                ([award('national'), award('national')], 60),
                ([award('city', D(2019, 5, 1))], 0),
                ])

    # 减分指标 ---------------------------------------------------------
    @with_transaction()
    def test_credit(self):
        "−5 a bad credit record"
        def record(date_from):
            return fact('credit', date_from)
        self.assertPoints('credit', [
                ([record(D(2018, 5, 1))], -5),
                ([record(D(2018, 5, 1)), record(D(2010, 1, 1))], -10),
                ([record(D(2019, 5, 1))], 0),
                ])

    @with_transaction()
    def test_violations(self):
        "近5年: −10 a tax evasion, −10 a public security penalty"
        def violation(level, date_from):
            return fact('violation', date_from, level=level)
        for level in ['tax_evasion', 'public_security']:
            self.assertPoints(level, [
                    ([violation(level, FIVE_YEARS_BEFORE)], 0),
                    ([violation(level, D(2014, 5, 1))], -10),
                    ([violation(level, D(2016, 1, 1)),
                            violation(level, D(2018, 1, 1))], -20),
                    ])
        # Each kind reads only its own cases.
        lines, _ = self.statement([violation('tax_evasion', D(2018, 1, 1))])
        self.assertEqual(lines['public_security'][0], Decimal(0))

    @with_transaction()
    def test_total(self):
        "Every line at once: the total is their sum, and never below 0"
        born = D(1989, 6, 1)  # 29: 30
        lines, total = self.statement([
                rented(D(2013, 1, 1)),  # 6 years: 10
                fact('insurance', D(2014, 1, 1), level='pension'),  # 5
                fact('education', D(2011, 7, 1), level='bachelor'),  # 50
                skill('junior', True),  # 30
                patent('patent_utility', D(2018, 1, 1)),  # 10
                hours(D(2018, 6, 1), 50),  # 2
                fact('award', D(2017, 1, 1), level='district'),  # 5
                fact('credit', D(2018, 5, 1)),  # −5
                ], permits=[permit(D(2013, 3, 1))], birth=born)  # 6 × 3
        self.assertEqual(lines['permit'][0], Decimal(18))
        # 18 + 10 + 5 + 50 + 30 + 30 + 10 + 2 + 5 − 5 = 155
        self.assertEqual(total, Decimal(155))
        # Deductions only, no age points: 0, not −20.
        _, total = self.statement([
                fact('violation', D(2018, 1, 1), level='public_security'),
                fact('violation', D(2018, 2, 1), level='tax_evasion')])
        self.assertEqual(total, Decimal(0))

    @with_transaction()
    def test_calendar_window(self):
        "A district whose text says calendar years switches by data"
        Indicator = Pool().get('laisui.points.indicator')
        volunteer, = Indicator.search([('code', '=', 'volunteer')])
        # As the district's module data would set it (user 0): a person
        # changes an approved table only through a new version.
        with Transaction().set_user(0):
            Indicator.write([volunteer], {'window_kind': 'calendar'})
        self.assertPoints('volunteer', [
                # The same calendar year 2018: 2.
                ([hours(D(2018, 1, 15), 50), hours(D(2018, 6, 1), 50)], 2),
                # Calendar years 2017 and 2018: 4.
                ([hours(D(2017, 12, 1), 50), hours(D(2018, 3, 1), 50)], 4),
                # 近5年 in calendar years: 2015 … 2019.
                ([hours(D(2014, 12, 31), 50)], 0),
                ([hours(D(2015, 1, 1), 50)], 2),
                ])


class WindowTestCase(unittest.TestCase):
    "Rolling and calendar windows of a FactSet"

    def units(self, dates, date, window):
        fs = FactSet(None, [], [hours(d, 50) for d in dates], date, {},
            RuleValues(volunteer_unit_hours=50, first_inventor_shares=2),
            window)
        return VARIABLES['volunteer_units_by_year'].function(fs)

    def test_rolling_periods(self):
        "Each twelve months back from the date, oldest first"
        self.assertEqual(self.units(
                [D(2017, 4, 30), D(2017, 5, 1), D(2018, 4, 30),
                    D(2018, 5, 1), D(2019, 4, 30)],
                DATE, Window(5, 'rolling')), [1, 2, 2])

    def test_calendar_periods(self):
        "Each calendar year, oldest first; the window from 1 January"
        self.assertEqual(self.units(
                [D(2014, 12, 31), D(2015, 1, 1), D(2017, 12, 31),
                    D(2018, 1, 1), D(2018, 12, 31)],
                DATE, Window(5, 'calendar')), [1, 1, 2])

    def test_no_window(self):
        "Without a window every fact counts, still by twelve months"
        self.assertEqual(self.units([D(2000, 1, 1), D(2019, 1, 1)],
                DATE, None), [1, 1])
