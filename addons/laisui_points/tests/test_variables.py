# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The points variables (laisui_points/variables.py) on plain rows, without
a database. Expected values by hand from the policy (domain.md §2.2 the
2018 table, §4.2 Yuexiu, §9.1 full years by corresponding dates, §9.2
rolling windows, §9.3 current homes, §9.4 types A and B).

The reference date is 2019-04-30 unless a case says otherwise."""
import datetime as dt
import unittest
from decimal import Decimal

from trytond.modules.laisui_points.variables import (
    VARIABLES, FactSet, RuleValues, Window, describe)

D = dt.date
DATE = D(2019, 4, 30)
YUEXIU, TIANHE, BAIYUN, ZENGCHENG = '440104', '440106', '440111', '440118'
# Yuexiu is this system's own district; 越秀 and 天河 are core districts
# (moving out of them scores); 增城 gives the property bonus (§2.2).
DISTRICTS = {
    YUEXIU: {'home': True, 'core': True, 'property_bonus': False},
    TIANHE: {'home': False, 'core': True, 'property_bonus': False},
    BAIYUN: {'home': False, 'core': False, 'property_bonus': False},
    ZENGCHENG: {'home': False, 'core': False, 'property_bonus': True},
    }
# 50 hours a volunteer unit; the first inventor has 2 shares (§2.2).
RULES = RuleValues(volunteer_unit_hours=50, first_inventor_shares=2)
# 2019-04-30 less 5 years: facts dated on it are out of 近5年, a day
# later in (§9.2).
FIVE_YEARS_BEFORE = D(2014, 4, 30)


def value(name, facts=(), permits=(), date=DATE, window=None, birth=None,
        rules=RULES):
    "The value of variable name for an applicant with these rows"
    fs = FactSet(birth, list(permits), list(facts), date, DISTRICTS, rules,
        window)
    return VARIABLES[name].function(fs)


def loaded(text):
    """text as a row read from the database holds it: an equal copy, not
    the interned literal the code compares with"""
    return text.encode().decode() if text else text


def fact(kind, date_from, date_to=None, district=None, level=None,
        quantity=None, flag=False):
    "A fact row as the statement loads it"
    return {'kind': loaded(kind), 'date_from': date_from,
        'date_to': date_to, 'district': district, 'level': loaded(level),
        'quantity': quantity, 'flag': flag, 'source': 'declared'}


def permit(date_start, date_end=None, district=YUEXIU):
    return {'date_start': date_start, 'date_end': date_end,
        'district': district, 'source': 'declared'}


def owned(date_from, date_to=None, district=YUEXIU):
    return fact('residence_owned', date_from, date_to, district)


def rented(date_from, date_to=None, district=YUEXIU, registered=True):
    return fact('residence_rented', date_from, date_to, district,
        flag=registered)


def dormitory(date_from, date_to=None, district=YUEXIU):
    return fact('residence_dormitory', date_from, date_to, district)


def insurance(level, date_from, date_to=None, district=YUEXIU):
    return fact('insurance', date_from, date_to, district, level=level)


def job(date_from, date_to=None, district=YUEXIU, kind='employment'):
    return fact(kind, date_from, date_to, district)


def patent(inventors=1, first=True, kind='patent_invention',
        date_from=D(2018, 1, 1)):
    return fact(kind, date_from, quantity=inventors, flag=first)


def hours(date_from, quantity, date_to=None):
    return fact('volunteer', date_from, date_to, quantity=quantity)


def donation(date_from, quantity=1):
    return fact('blood_donation', date_from, quantity=quantity)


def tax(day, yuan):
    return fact('tax', day, day, quantity=yuan)


class VariableTestCase(unittest.TestCase):

    def assertValues(self, name, cases, **kwargs):
        "cases: (facts, expected) pairs"
        for facts, expected in cases:
            with self.subTest(name=name, facts=facts):
                self.assertEqual(value(name, facts, **kwargs), expected)

    def assertPermitValues(self, name, cases, **kwargs):
        "cases: (permits, expected) pairs"
        for permits, expected in cases:
            with self.subTest(name=name, permits=permits):
                self.assertEqual(
                    value(name, permits=permits, **kwargs), expected)


class FactSetTestCase(VariableTestCase):
    "What a FactSet keeps of the rows: as of the date, within the window"

    def test_no_facts(self):
        "Without any row every variable reads as nothing, in its own type"
        expected = {
            'age': 0, 'permit_years': 0, 'home_permit_years': 0,
            'owns_property': 0, 'owns_property_bonus': 0,
            'rental_years': 0, 'moved_out_years': 0,
            'insurance_type_years': 0, 'employed': 0,
            'home_residence_years': 0, 'home_insurance_years': 0,
            'home_employed': 0, 'current_permit_years': 0,
            'home_current_permit_years': 0,
            'home_residence_continuous_years': 0,
            'home_insurance_continuous_years': 0,
            'education': 'none', 'skill_level': 'none',
            'skill_trade_level': 'none', 'invention_shares': 0.0,
            'utility_shares': 0.0, 'design_shares': 0.0,
            'hightech_years': 0, 'urgent_trade': 0, 'hardship_years': 0,
            'volunteer_units_by_year': [], 'blood_donations_by_year': [],
            'income_tax': 0.0, 'awards_national': 0,
            'awards_provincial': 0, 'awards_city': 0, 'awards_district': 0,
            'credit_cases': 0, 'tax_evasion_cases': 0,
            'public_security_cases': 0,
            }
        self.assertEqual(set(VARIABLES), set(expected))
        for name, nothing in expected.items():
            with self.subTest(name=name):
                result = value(name)
                self.assertEqual(result, nothing)
                self.assertIs(type(result), VARIABLES[name].type)

    def test_fact_starting_after_date(self):
        "A fact starting after the date is ignored, one starting on it read"
        def record(date_from, date_to=None):
            return fact('credit', date_from, date_to)
        self.assertValues('credit_cases', [
                # The day after first: the others are still read.
                ([record(D(2019, 5, 1)), record(D(2019, 4, 30)),
                        record(D(2019, 4, 29))], 2),
                # A one-off fact dated only by its end.
                ([record(None, D(2019, 5, 1)), record(None, D(2019, 4, 30))],
                    1),
                ])

    def test_permit_starting_after_date(self):
        "A permit starting after the date is not the permit in force"
        # Yuexiu 2017-01-01 → 2019-04-30: 2 full years.
        yuexiu = permit(D(2017, 1, 1))
        self.assertPermitValues('home_current_permit_years', [
                ([permit(D(2019, 5, 1), district=TIANHE), yuexiu], 2),
                # Starting on the date: in force, and not Yuexiu's.
                ([permit(D(2019, 4, 30), district=TIANHE), yuexiu], 0),
                ])

    def test_window_edge(self):
        "近5年: dated on the day 5 years before is out, a day later in"
        self.assertValues('invention_shares', [
                ([patent(date_from=D(2014, 4, 29))], 0.0),
                ([patent(date_from=FIVE_YEARS_BEFORE)], 0.0),
                ([patent(date_from=D(2014, 5, 1))], 1.0),
                # Out of the window first: the others are still read.
                ([patent(date_from=FIVE_YEARS_BEFORE),
                        patent(date_from=D(2014, 5, 1))], 1.0),
                ], window=Window(5))

    def test_window_calendar(self):
        "近5年 in calendar years: 2015 … 2019"
        self.assertValues('invention_shares', [
                ([patent(date_from=D(2014, 12, 31))], 0.0),
                ([patent(date_from=D(2015, 1, 1))], 1.0),
                ], window=Window(5, 'calendar'))

    def test_window_all_years(self):
        "A window without years, or none at all: every fact counts"
        facts = [patent(date_from=D(2000, 1, 1))]
        self.assertEqual(value('invention_shares', facts,
                window=Window(None)), 1.0)
        self.assertEqual(value('invention_shares', facts), 1.0)

    def test_window_period_dated_by_end(self):
        "A period is dated by its end: in when it ends within the window"
        self.assertValues('volunteer_units_by_year', [
                ([hours(D(2014, 1, 1), 50, FIVE_YEARS_BEFORE)], []),
                ([hours(D(2014, 1, 1), 50, D(2014, 5, 1))], [1]),
                ], window=Window(5))

    def test_window_period_years_from_start(self):
        "Full years of a period in the window count from the window's start"
        # 2014-04-30 → 2016-04-30: 2 years (from 2010-01-01 it would be 6).
        self.assertEqual(value('hightech_years',
                [fact('hightech_job', D(2010, 1, 1), D(2016, 4, 30))],
                window=Window(5)), 2)


class ResidenceTestCase(VariableTestCase):
    "Age, residence permits and homes"

    def test_age(self):
        "Full years of age: a year older on the birthday (§9.1)"
        for birth, date, expected in [
                (D(2001, 4, 29), DATE, 18),
                (D(2001, 4, 30), DATE, 18),
                (D(2001, 5, 1), DATE, 17),
                # Born on 29 February: a year older on 28 February.
                (D(1988, 2, 29), D(2019, 2, 27), 30),
                (D(1988, 2, 29), D(2019, 2, 28), 31),
                ]:
            with self.subTest(birth=birth, date=date):
                self.assertEqual(value('age', birth=birth, date=date),
                    expected)

    def test_permit_years(self):
        "Cumulative full years of permits anywhere in Guangzhou"
        self.assertPermitValues('permit_years', [
                ([permit(D(2018, 4, 29), district=TIANHE)], 1),
                ([permit(D(2018, 4, 30), district=TIANHE)], 1),
                ([permit(D(2018, 5, 1), district=TIANHE)], 0),
                # Merged 2010-01-01 → 2014-06-30: 53 months; 2016-01-01 →
                # 2019-04-30: 39; 92 // 12 = 7 (the overlap counted twice
                # would give 97, 8).
                ([permit(D(2010, 1, 1), D(2012, 12, 31)),
                        permit(D(2012, 7, 1), D(2014, 6, 30), TIANHE),
                        permit(D(2016, 1, 1))], 7),
                ])

    def test_home_permit_years(self):
        "Only the permits handled in Yuexiu"
        permits = [permit(D(2010, 1, 1), D(2015, 12, 31), TIANHE),
            permit(D(2016, 1, 1))]
        # Yuexiu 2016-01-01 → 2019-04-30: 39 months, 3 years; with
        # Tianhe's the one period 2010-01-01 → 2019-04-30: 9.
        self.assertEqual(value('home_permit_years', permits=permits), 3)
        self.assertEqual(value('permit_years', permits=permits), 9)

    def test_owns_property(self):
        "A home owned on the date, anywhere; sold the day before: no (§9.3)"
        self.assertValues('owns_property', [
                ([owned(D(2015, 1, 1))], 1),
                ([owned(D(2015, 1, 1), D(2019, 4, 29))], 0),
                ([owned(D(2015, 1, 1), D(2019, 4, 30))], 1),
                ([owned(D(2015, 1, 1), D(2019, 5, 1))], 1),
                ([owned(D(2019, 4, 30))], 1),
                ([owned(D(2019, 5, 1))], 0),
                ([owned(D(2015, 1, 1), district=TIANHE)], 1),
                ([rented(D(2015, 1, 1))], 0),
                ])

    def test_owns_property_bonus(self):
        "A home owned on the date in 增城: the sold one does not count"
        self.assertValues('owns_property_bonus', [
                ([owned(D(2015, 1, 1), district=ZENGCHENG)], 1),
                ([owned(D(2015, 1, 1))], 0),
                ([owned(D(2012, 1, 1), D(2019, 4, 30), ZENGCHENG)], 1),
                ([owned(D(2012, 1, 1), D(2019, 4, 29), ZENGCHENG),
                        owned(D(2017, 1, 1))], 0),
                ])

    def test_rental_years(self):
        "Registered rentals and dormitories anywhere, cumulative"
        self.assertValues('rental_years', [
                ([rented(D(2018, 4, 29))], 1),
                ([rented(D(2018, 4, 30))], 1),
                ([rented(D(2018, 5, 1))], 0),
                # Not registered (备案): not a legal residence.
                ([rented(D(2010, 1, 1), registered=False)], 0),
                # A dormitory needs no registration: 39 months, 3 years.
                ([dormitory(D(2016, 1, 1))], 3),
                ([rented(D(2016, 1, 1), district=TIANHE)], 3),
                # Merged 2016-04-30 → 2019-04-30: 3 (24 + 24 months counted
                # twice would give 4).
                ([rented(D(2016, 4, 30), D(2018, 4, 30)),
                        dormitory(D(2017, 4, 30))], 3),
                ([owned(D(2010, 1, 1))], 0),
                ])

    def test_moved_out_years(self):
        "Years outside the core districts since leaving them"
        self.assertValues('moved_out_years', [
                # Left Yuexiu on 2015-12-31, Baiyun since: 39 months.
                ([rented(D(2010, 1, 1), D(2015, 12, 31)),
                        rented(D(2016, 1, 1), district=BAIYUN)], 3),
                # Tianhe is a core district too.
                ([rented(D(2010, 1, 1), D(2015, 12, 31), TIANHE),
                        owned(D(2016, 1, 1), district=ZENGCHENG)], 3),
                # Moving in on the day of leaving counts: 1 full year.
                ([rented(D(2010, 1, 1), D(2018, 4, 30)),
                        rented(D(2018, 4, 30), district=BAIYUN)], 1),
                ([rented(D(2010, 1, 1), D(2018, 4, 29)),
                        rented(D(2018, 4, 30), district=BAIYUN)], 1),
                ([rented(D(2010, 1, 1), D(2018, 4, 30)),
                        rented(D(2018, 5, 1), district=BAIYUN)], 0),
                # Baiyun before moving into the core does not count.
                ([rented(D(2005, 1, 1), D(2009, 12, 31), BAIYUN),
                        rented(D(2010, 1, 1), D(2015, 12, 31)),
                        rented(D(2016, 1, 1), district=BAIYUN)], 3),
                # From one core district to another: not moving out.
                ([rented(D(2010, 1, 1), D(2015, 12, 31)),
                        rented(D(2016, 1, 1), district=TIANHE)], 0),
                # Still in the core, or never in it: nothing.
                ([rented(D(2005, 1, 1), D(2009, 12, 31), BAIYUN),
                        rented(D(2010, 1, 1))], 0),
                ([rented(D(2010, 1, 1), district=BAIYUN)], 0),
                ])


class EmploymentTestCase(VariableTestCase):
    "Insurance and employment, city-wide and in Yuexiu"

    def test_insurance_type_years(self):
        "Each type's periods merged, the types' full years added (§2.2)"
        self.assertValues('insurance_type_years', [
                ([insurance('injury', D(2018, 4, 30), district=TIANHE)], 1),
                ([insurance('injury', D(2018, 5, 1), district=TIANHE)], 0),
                # Pension 2014-01-01 → 2019-04-30: 5; medical merged over
                # the same days: 5; 10 (all types merged would give 5).
                ([insurance('pension', D(2014, 1, 1)),
                        insurance('medical', D(2014, 1, 1), D(2016, 12, 31)),
                        insurance('medical', D(2016, 6, 1))], 10),
                # Pension 17 + 59 full months: 76, 6 years.
                ([insurance('pension', D(2012, 1, 1), D(2013, 6, 30)),
                        insurance('pension', D(2014, 1, 1),
                            D(2018, 12, 31))], 6),
                ])

    def test_employed(self):
        "A registered job or business anywhere"
        self.assertValues('employed', [
                ([job(D(2010, 1, 1))], 1),
                ([job(D(2018, 1, 1), district=TIANHE, kind='business')], 1),
                ([job(D(2019, 5, 1))], 0),
                ([insurance('pension', D(2010, 1, 1))], 0),
                ])

    def test_home_residence_years(self):
        "Cumulative years in Yuexiu: owned, registered rental, dormitory"
        self.assertValues('home_residence_years', [
                # Tianhe's years are not Yuexiu's: 39 months, 3.
                ([rented(D(2010, 1, 1), D(2015, 12, 31), TIANHE),
                        rented(D(2016, 1, 1))], 3),
                ([rented(D(2010, 1, 1), registered=False)], 0),
                # Owned 2015-01-01 → 2019-04-30: 51 months, 4.
                ([owned(D(2015, 1, 1))], 4),
                # Cumulative: a home sold still counts its 71 months.
                ([owned(D(2010, 1, 1), D(2015, 12, 31))], 5),
                ([dormitory(D(2018, 4, 30))], 1),
                ([dormitory(D(2018, 5, 1))], 0),
                ])

    def test_home_insurance_years(self):
        "The longest type paid in Yuexiu, cumulative"
        self.assertValues('home_insurance_years', [
                # Pension 3, medical 1; Tianhe's pension not counted (with
                # it the pension would be 9).
                ([insurance('pension', D(2016, 1, 1)),
                        insurance('medical', D(2018, 1, 1)),
                        insurance('pension', D(2010, 1, 1), D(2015, 12, 31),
                            TIANHE)], 3),
                ([insurance('pension', D(2012, 1, 1), D(2013, 6, 30)),
                        insurance('pension', D(2014, 1, 1),
                            D(2018, 12, 31))], 6),
                ])

    def test_home_employed(self):
        "A job or business in Yuexiu current on the date (§9.4 type B)"
        self.assertValues('home_employed', [
                ([job(D(2015, 1, 1))], 1),
                ([job(D(2015, 1, 1), D(2019, 4, 29))], 0),
                ([job(D(2015, 1, 1), D(2019, 4, 30))], 1),
                ([job(D(2015, 1, 1), D(2019, 5, 1))], 1),
                ([job(D(2015, 1, 1), kind='business')], 1),
                ([job(D(2015, 1, 1), district=TIANHE)], 0),
                ([job(D(2015, 1, 1), D(2019, 4, 29)),
                        job(D(2019, 1, 1), district=TIANHE)], 0),
                ])


class ApplicationTypeTestCase(VariableTestCase):
    "Continuous periods current on the date (§9.4 types A and B)"

    def test_current_permit_years(self):
        "A permit current on the date, anywhere, by the §4.2 continuity"
        self.assertPermitValues('current_permit_years', [
                ([permit(D(2018, 4, 30), district=TIANHE)], 1),
                ([permit(D(2018, 5, 1), district=TIANHE)], 0),
                ([permit(D(2010, 1, 1), D(2019, 4, 29))], 0),
                ([permit(D(2010, 1, 1), D(2019, 4, 30))], 9),
                ])

    def test_home_current_permit_years(self):
        "The permit in force (issued last) handled in Yuexiu, its years"
        self.assertPermitValues('home_current_permit_years', [
                ([permit(D(2018, 4, 30))], 1),
                ([permit(D(2018, 5, 1))], 0),
                # Only Yuexiu's holding: 2018-01-01 → 2019-04-30, 15 months
                # (with Tianhe's 2014-01-01 → 2019-04-30 it would be 5).
                ([permit(D(2014, 1, 1), D(2017, 12, 31), TIANHE),
                        permit(D(2018, 1, 1))], 1),
                # A Tianhe permit issued after the Yuexiu one is in force.
                ([permit(D(2016, 1, 1)),
                        permit(D(2018, 1, 1), district=TIANHE)], 0),
                # Still, when a later Yuexiu permit has ended before the
                # date (the first one left open).
                ([permit(D(2012, 1, 1)),
                        permit(D(2015, 1, 1), district=TIANHE),
                        permit(D(2016, 1, 1), D(2018, 12, 31))], 0),
                # Yuexiu's issued last, 2017-01-01: current until its end.
                ([permit(D(2010, 1, 1), district=TIANHE),
                        permit(D(2017, 1, 1), D(2019, 4, 29))], 0),
                ([permit(D(2010, 1, 1), district=TIANHE),
                        permit(D(2017, 1, 1), D(2019, 4, 30))], 2),
                ([permit(D(2010, 1, 1), district=TIANHE),
                        permit(D(2017, 1, 1), D(2019, 5, 1))], 2),
                ])

    def test_home_residence_continuous_years(self):
        "One unbroken legal residence in Yuexiu up to the date"
        self.assertValues('home_residence_continuous_years', [
                ([rented(D(2018, 4, 30))], 1),
                ([rented(D(2018, 5, 1))], 0),
                # Owned, then rented from the next day: one period, 9.
                ([owned(D(2010, 1, 1), D(2015, 12, 31)),
                        rented(D(2016, 1, 1))], 9),
                # A day between: only the rental, 2016-01-02 → 39 months.
                ([owned(D(2010, 1, 1), D(2015, 12, 31)),
                        rented(D(2016, 1, 2))], 3),
                ([rented(D(2010, 1, 1), D(2019, 4, 29))], 0),
                ([rented(D(2010, 1, 1), D(2019, 4, 30))], 9),
                ([rented(D(2010, 1, 1), registered=False)], 0),
                ([rented(D(2010, 1, 1), district=TIANHE)], 0),
                ([dormitory(D(2016, 1, 1))], 3),
                ])

    def test_home_insurance_continuous_years(self):
        "One type paid in Yuexiu without a break up to the date"
        self.assertValues('home_insurance_continuous_years', [
                ([insurance('pension', D(2018, 4, 30))], 1),
                ([insurance('pension', D(2018, 5, 1))], 0),
                # Pension then medical: each type alone, medical 15 months
                # (the two joined would give 5).
                ([insurance('pension', D(2014, 1, 1), D(2017, 12, 31)),
                        insurance('medical', D(2018, 1, 1))], 1),
                # The longest of the types: pension 3, medical 1.
                ([insurance('pension', D(2016, 1, 1)),
                        insurance('medical', D(2018, 1, 1))], 3),
                ([insurance('pension', D(2010, 1, 1), D(2019, 4, 29))], 0),
                ([insurance('pension', D(2010, 1, 1), district=TIANHE)], 0),
                ])


class EducationSkillTestCase(VariableTestCase):
    "Degrees and skill titles: the highest"

    def test_education(self):
        "The highest degree; one obtained after the date not yet"
        def degree(level, date_from=D(2010, 7, 1)):
            return fact('education', date_from, level=level)
        self.assertValues('education', [
                ([degree('highschool'), degree('bachelor')], 'bachelor'),
                ([degree('doctor'), degree('master')], 'doctor'),
                ([degree('college')], 'college'),
                ([degree('bachelor', D(2019, 5, 1))], 'none'),
                ])

    def test_skill_level(self):
        "The highest title, in its trade or not"
        def skill(level, in_trade=False):
            return fact('skill', D(2015, 1, 1), level=level, flag=in_trade)
        self.assertValues('skill_level', [
                ([skill('basic'), skill('senior'), skill('junior')],
                    'senior'),
                ([skill('junior', True)], 'junior'),
                ])
        self.assertValues('skill_trade_level', [
                # Only the titles whose trade the applicant works in.
                ([skill('senior'), skill('basic', True)], 'basic'),
                ([skill('junior', True), skill('senior', True)], 'senior'),
                ([skill('senior')], 'none'),
                ])


class InnovationTestCase(VariableTestCase):
    "Patents, high-tech jobs and urgently needed trades"

    def test_patent_shares(self):
        "n inventors: n + 1 shares, 2 of them the first inventor's (§2.2)"
        self.assertValues('invention_shares', [
                ([patent()], 1.0),
                # 3 inventors: the first 2/4, another 1/4.
                ([patent(3)], 0.5),
                ([patent(3, False)], 0.25),
                # 2 inventors, not the first: 1/3, to 4 places.
                ([patent(2, False)], 0.3333),
                # Patents add up.
                ([patent(), patent(3, False)], 1.25),
                ])

    def test_patent_shares_rule_value(self):
        "The first inventor's shares are the rule set's"
        rules = RuleValues(volunteer_unit_hours=50, first_inventor_shares=3)
        # 2 inventors: 2 - 1 + 3 = 4 shares, the first 3, the other 1.
        self.assertValues('invention_shares', [
                ([patent()], 1.0),
                ([patent(2)], 0.75),
                ([patent(2, False)], 0.25),
                ], rules=rules)

    def test_patent_no_inventors(self):
        "No number, or less than one, of inventors: a sole inventor"
        self.assertValues('invention_shares', [
                ([patent(None)], 1.0),
                ([patent(Decimal(0))], 1.0),
                ([patent(Decimal('0.5'))], 1.0),
                ])

    def test_patent_kinds(self):
        "Each kind of patent has its own shares"
        facts = [patent(), patent(kind='patent_utility'),
            patent(kind='patent_utility'), patent(3, kind='patent_design')]
        self.assertEqual(value('invention_shares', facts), 1.0)
        self.assertEqual(value('utility_shares', facts), 2.0)
        self.assertEqual(value('design_shares', facts), 0.5)

    def test_hightech_years(self):
        "Cumulative full years in a high-tech firm"
        self.assertValues('hightech_years', [
                ([fact('hightech_job', D(2018, 4, 30))], 1),
                ([fact('hightech_job', D(2018, 5, 1))], 0),
                # Merged 2016-01-01 → 2019-04-30: 3.
                ([fact('hightech_job', D(2016, 1, 1), D(2018, 6, 30)),
                        fact('hightech_job', D(2017, 1, 1))], 3),
                ])

    def test_urgent_trade(self):
        "An urgently needed trade; full years of the hardship ones"
        def trade(date_from, hardship=False):
            return fact('urgent_trade', date_from, flag=hardship)
        self.assertValues('urgent_trade', [
                ([trade(D(2019, 1, 1))], 1),
                ([trade(D(2019, 5, 1))], 0),
                ])
        self.assertValues('hardship_years', [
                ([trade(D(2017, 4, 30), True)], 2),
                ([trade(D(2017, 5, 1), True)], 1),
                ([trade(D(2010, 1, 1))], 0),
                ])


class PublicServiceTestCase(VariableTestCase):
    "Volunteering, blood, tax and awards"

    def test_volunteer_units(self):
        "Whole 50-hour units in each twelve months back, oldest first"
        self.assertValues('volunteer_units_by_year', [
                ([hours(D(2018, 6, 1), 120)], [2]),
                ([hours(D(2018, 6, 1), 49)], [0]),
                ([hours(D(2018, 6, 1), 30), hours(D(2019, 1, 1), 20)], [1]),
                # 2018-04-30 closes the twelve months before.
                ([hours(D(2018, 4, 30), 100), hours(D(2018, 5, 1), 50)],
                    [2, 1]),
                ([hours(D(2018, 6, 1), 50), hours(D(2016, 6, 1), 150)],
                    [3, 1]),
                # A record without hours adds none.
                ([hours(D(2018, 6, 1), 50), hours(D(2018, 7, 1), None)],
                    [1]),
                # Hours with cents making exactly 50: one unit.
                ([hours(D(2018, 6, 1), Decimal(h)) for h in [
                                '19.90', '1.00', '26.48', '2.62']], [1]),
                # A period still running after the date: the latest year.
                ([hours(D(2019, 1, 1), 30),
                        hours(D(2019, 3, 1), 20, D(2019, 6, 30))], [1]),
                ], window=Window(5))

    def test_volunteer_unit_rule_value(self):
        "The hours of a unit are the rule set's"
        rules = RuleValues(volunteer_unit_hours=40, first_inventor_shares=2)
        self.assertEqual(value('volunteer_units_by_year',
                [hours(D(2018, 6, 1), 120)], rules=rules), [3])

    def test_volunteer_calendar_years(self):
        "By calendar years when the indicator says so"
        facts = [hours(D(2018, 1, 15), 50), hours(D(2018, 6, 1), 50)]
        self.assertEqual(value('volunteer_units_by_year', facts,
                window=Window(5, 'calendar')), [2])
        self.assertEqual(value('volunteer_units_by_year', facts,
                window=Window(5)), [1, 1])

    def test_blood_donations(self):
        "Donations in each twelve months back, oldest first"
        self.assertValues('blood_donations_by_year', [
                ([donation(D(2018, 6, 1), 2)], [2]),
                ([donation(D(2018, 1, 15)), donation(D(2018, 6, 1))],
                    [1, 1]),
                ([donation(D(2018, 6, 1), 2), donation(D(2016, 6, 1))],
                    [1, 2]),
                ], window=Window(5))

    def test_income_tax(self):
        "Personal income tax paid in the last 3 years, in yuan"
        self.assertValues('income_tax', [
                ([tax(D(2016, 12, 31), 40000), tax(D(2017, 12, 31), 30000),
                        tax(D(2018, 12, 31), Decimal('30000.50'))],
                    100000.5),
                # Paid on the day 3 years before: out; a day later: in.
                ([tax(D(2016, 4, 30), 50000), tax(D(2016, 5, 1), 30000)],
                    30000.0),
                ([tax(D(2018, 12, 31), None), tax(D(2018, 12, 31), 100)],
                    100.0),
                # Cents making exactly 100,000 yuan.
                ([tax(D(2016, 12, 31), Decimal('59378.63')),
                        tax(D(2017, 12, 31), Decimal('27753.11')),
                        tax(D(2018, 12, 31), Decimal('12868.26'))],
                    100000.0),
                ], window=Window(3))

    def test_awards(self):
        "Awards counted by level; one after the date not yet"
        def award(level, date_from=D(2017, 1, 1)):
            return fact('award', date_from, level=level)
        facts = [award('national'), award('provincial'), award('provincial'),
            award('city'), award('district'), award('city', D(2019, 5, 1))]
        for name, expected in [('awards_national', 1),
                ('awards_provincial', 2), ('awards_city', 1),
                ('awards_district', 1)]:
            with self.subTest(name=name):
                self.assertEqual(value(name, facts), expected)


class DeductionTestCase(VariableTestCase):
    "Bad credit and violations"

    def test_credit_cases(self):
        "Every bad credit record"
        self.assertValues('credit_cases', [
                ([fact('credit', D(2018, 5, 1)),
                        fact('credit', D(2010, 1, 1))], 2),
                ])

    def test_violations(self):
        "Each kind of violation counts only its own cases"
        def violation(level, date_from=D(2018, 1, 1)):
            return fact('violation', date_from, level=level)
        facts = [violation('tax_evasion'), violation('public_security'),
            violation('tax_evasion', D(2016, 1, 1))]
        self.assertEqual(value('tax_evasion_cases', facts), 2)
        self.assertEqual(value('public_security_cases', facts), 1)


class DescribeTestCase(unittest.TestCase):
    "Variable values as the applicant reads them"

    def test_describe(self):
        "Levels by their zh_CN label, lists joined, floats shortest"
        for value_, text in [
                ('bachelor', "本科"), ('none', "无"), ('other', "other"),
                ([2, 0, 1], "2、0、1"), ([], "无"),
                (1.0, "1"), (0.3333, "0.3333"), (99999.5, "99999.5"),
                (3, "3"), (0, "0"),
                ]:
            with self.subTest(value=value_):
                self.assertEqual(describe(value_), text)
