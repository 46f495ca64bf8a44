# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Full months and years by corresponding dates (domain.md, §9.1 Periods
and full years; 民法典 第二百零一至二百零三条). Expected values by hand."""
import datetime as dt
import unittest

from trytond.modules.laisui_points.period import (
    continuous_permit_years, continuous_years, cumulative_years,
    full_months, window_start, year_index, years_before)

D = dt.date
CUTOFF = D(2019, 4, 30)


def stored(kind):
    "The kind as the database gives it: an equal string, not the same object"
    return ''.join(kind)


class PeriodTestCase(unittest.TestCase):
    "Periods and full years"

    def test_anniversary_day_before_on_after(self):
        "A year is full on the anniversary, not the day before"
        self.assertEqual(cumulative_years([(D(2018, 4, 30), None)], CUTOFF),
            1)
        self.assertEqual(cumulative_years([(D(2018, 5, 1), None)], CUTOFF),
            0)
        self.assertEqual(cumulative_years([(D(2018, 4, 29), None)], CUTOFF),
            1)
        self.assertEqual(full_months(D(2018, 5, 1), CUTOFF), 11)
        self.assertEqual(full_months(D(2018, 4, 30), CUTOFF), 12)

    def test_leap_days_give_no_extra_year(self):
        "Periods holding a 29 February: third and fourth anniversaries"
        # The third anniversary of 2016-05-01 is 2019-05-01.
        self.assertEqual(cumulative_years([(D(2016, 5, 1), None)], CUTOFF),
            2)
        self.assertEqual(cumulative_years([(D(2015, 5, 1), None)], CUTOFF),
            3)
        # A 2020-04-30 cut-off (a leap year): one day short is no year.
        self.assertEqual(cumulative_years(
                [(D(2019, 5, 1), None)], D(2020, 4, 30)), 0)
        self.assertEqual(cumulative_years(
                [(D(2019, 4, 30), None)], D(2020, 4, 30)), 1)

    def test_start_on_29_february(self):
        "No 29 February in the year: the month's last day corresponds"
        self.assertEqual(cumulative_years(
                [(D(2016, 2, 29), None)], D(2019, 2, 28)), 3)
        self.assertEqual(cumulative_years(
                [(D(2016, 2, 29), None)], D(2019, 2, 27)), 2)
        self.assertEqual(cumulative_years(
                [(D(2016, 2, 29), None)], D(2020, 2, 28)), 3)
        self.assertEqual(cumulative_years(
                [(D(2016, 2, 29), None)], D(2020, 2, 29)), 4)

    def test_month_end_start(self):
        "From 31 January one month ends on the last day of February"
        self.assertEqual(full_months(D(2019, 1, 31), D(2019, 2, 27)), 0)
        self.assertEqual(full_months(D(2019, 1, 31), D(2019, 2, 28)), 1)
        self.assertEqual(full_months(D(2019, 1, 31), D(2019, 3, 30)), 1)
        self.assertEqual(full_months(D(2019, 1, 31), D(2019, 3, 31)), 2)
        self.assertEqual(full_months(D(2019, 4, 30), D(2019, 4, 30)), 0)

    def test_end_before_start_holds_nothing(self):
        "An end before the start, in its month or a year before: no month"
        self.assertEqual(full_months(D(2019, 4, 15), D(2019, 4, 10)), 0)
        self.assertEqual(full_months(D(2020, 1, 1), D(2019, 6, 1)), 0)

    def test_cumulative_sums_full_months_of_each_period(self):
        "Two periods of 7 and 6 full months make 13 months: one year"
        periods = [
            (D(2016, 1, 1), D(2016, 8, 1)),    # 7 months
            (D(2017, 3, 10), D(2017, 9, 10)),  # 6 months
            ]
        self.assertEqual(cumulative_years(periods, CUTOFF), 1)
        # Days left over in each period never add up to a month.
        periods = [
            (D(2016, 1, 1), D(2016, 7, 30)),   # 6 months and 29 days
            (D(2017, 3, 10), D(2017, 9, 9)),   # 5 months and 30 days
            ]
        self.assertEqual(cumulative_years(periods, CUTOFF), 0)

    def test_overlaps_count_once(self):
        "Two permits over the same years count those years once"
        periods = [
            (D(2015, 4, 30), D(2017, 4, 30)),
            (D(2016, 4, 30), D(2018, 4, 30)),
            ]
        self.assertEqual(cumulative_years(periods, CUTOFF), 3)
        # Following each other (no day between) is one period.
        periods = [
            (D(2015, 4, 30), D(2016, 4, 29)),
            (D(2016, 4, 30), D(2017, 4, 30)),
            ]
        self.assertEqual(cumulative_years(periods, CUTOFF), 2)

    def test_period_inside_a_later_one_counts_once(self):
        "An early permit, a long one and one inside it: 11 + 47 months"
        periods = [
            (D(2010, 1, 1), D(2010, 12, 31)),  # 11 months
            (D(2015, 1, 1), D(2018, 12, 31)),  # 47 months
            (D(2016, 1, 1), D(2016, 12, 31)),  # inside the one above
            ]
        self.assertEqual(cumulative_years(periods, CUTOFF), 4)

    def test_period_without_start_left_out(self):
        "A period with no start is not counted; the others still are"
        self.assertEqual(cumulative_years([
                    (None, D(2017, 1, 1)),
                    (D(2018, 4, 30), None)], CUTOFF), 1)

    def test_only_up_to_the_date_and_from_since(self):
        "After the cut-off, before the counting start: not counted"
        self.assertEqual(cumulative_years(
                [(D(2018, 4, 30), D(2025, 1, 1))], CUTOFF), 1)
        self.assertEqual(cumulative_years(
                [(D(2020, 1, 1), None)], CUTOFF), 0)
        self.assertEqual(cumulative_years(
                [(D(2010, 1, 1), None)], CUTOFF, since=D(2016, 1, 1)), 3)
        self.assertEqual(cumulative_years(
                [(D(2010, 1, 1), None)], D(2018, 12, 31),
                since=D(2016, 1, 1)), 2)


class ContinuousTestCase(unittest.TestCase):
    "Continuous periods and residence permit continuity"

    def test_continuous_anniversary_day_before_on_after(self):
        "One current period: full on its first anniversary"
        for start, years in [
                (D(2018, 5, 1), 0), (D(2018, 4, 30), 1), (D(2018, 4, 29), 1)]:
            with self.subTest(start=start):
                self.assertEqual(
                    continuous_years([(start, None)], CUTOFF), years)

    def test_continuous_needs_current(self):
        "Ended the day before the date: none; ended on it: still current"
        self.assertEqual(continuous_years(
                [(D(2010, 1, 1), D(2019, 4, 29))], CUTOFF), 0)
        self.assertEqual(continuous_years(
                [(D(2010, 1, 1), D(2019, 4, 30))], CUTOFF), 9)
        self.assertEqual(continuous_years([(D(2019, 5, 1), None)], CUTOFF),
            0)
        self.assertEqual(continuous_years([], CUTOFF), 0)

    def test_continuous_one_day_gap_restarts(self):
        "A day between two periods: only the current one counts"
        self.assertEqual(continuous_years([
                    (D(2017, 1, 1), D(2018, 6, 30)),
                    (D(2018, 7, 2), None)], CUTOFF), 0)
        # Following each other, or overlapping: one period.
        self.assertEqual(continuous_years([
                    (D(2017, 1, 1), D(2018, 6, 30)),
                    (D(2018, 7, 1), None)], CUTOFF), 2)
        self.assertEqual(continuous_years([
                    (D(2016, 1, 1), D(2018, 12, 31)),
                    (D(2018, 6, 1), None)], CUTOFF), 3)
        # After a gap, the current period's own years: 2017-06-01 to
        # 2019-04-30 is 22 full months.
        self.assertEqual(continuous_years([
                    (D(2015, 1, 1), D(2016, 12, 31)),
                    (D(2017, 6, 1), None)], CUTOFF), 1)

    def test_continuous_one_day_period_joins(self):
        "A one-day period joins the periods the day before and after it"
        self.assertEqual(continuous_years([
                    (D(2017, 1, 1), D(2018, 6, 30)),
                    (D(2018, 7, 1), D(2018, 7, 1)),
                    (D(2018, 7, 2), None)], CUTOFF), 2)

    def test_renewal_after_the_date_ignored(self):
        "A renewal starting after the date does not end the current period"
        periods = [(D(2018, 1, 1), D(2019, 5, 31)), (D(2019, 6, 1), None)]
        self.assertEqual(continuous_years(periods, CUTOFF), 1)
        self.assertEqual(continuous_permit_years(periods, CUTOFF), 1)

    def test_continuous_from_29_february(self):
        "From 29 February the first year is full on 28 February"
        self.assertEqual(continuous_years(
                [(D(2016, 2, 29), None)], D(2017, 2, 27)), 0)
        self.assertEqual(continuous_years(
                [(D(2016, 2, 29), None)], D(2017, 2, 28)), 1)

    def test_permit_needs_current(self):
        "No permit valid on the date: no years, however long the past one"
        date = D(2021, 3, 31)
        self.assertEqual(continuous_permit_years(
                [(D(2013, 1, 1), D(2021, 3, 30))], date), 0)
        self.assertEqual(continuous_permit_years(
                [(D(2013, 1, 1), D(2021, 3, 31))], date), 8)
        self.assertEqual(continuous_permit_years([], date), 0)

    def test_permit_anniversary_day_before_on_after(self):
        "One current permit: a full year on its first anniversary"
        for start, years in [
                (D(2018, 5, 1), 0), (D(2018, 4, 30), 1), (D(2018, 4, 29), 1)]:
            with self.subTest(start=start):
                self.assertEqual(
                    continuous_permit_years([(start, None)], CUTOFF), years)

    def test_permit_renewal_before_2016_within_30_days(self):
        "Before 2016 a renewal 29 or 30 days after expiry continues, 31 not"
        date = D(2015, 3, 15)
        # Continued: 2014-03-01 to 2015-03-15, the gap included.
        for renewal in [D(2015, 1, 29), D(2015, 1, 30)]:
            with self.subTest(renewal=renewal):
                self.assertEqual(continuous_permit_years([
                            (D(2014, 3, 1), D(2014, 12, 31)),
                            (renewal, None)], date), 1)
        # Restarted: 2015-01-31 to 2015-03-15 is one month.
        self.assertEqual(continuous_permit_years([
                    (D(2014, 3, 1), D(2014, 12, 31)),
                    (D(2015, 1, 31), None)], date), 0)

    def test_permit_renewal_since_2016_cumulative(self):
        "Since 2016 the years add up over any gap; the gap is not held"
        date = D(2021, 3, 31)
        # 7 full months and 9 full months.
        self.assertEqual(continuous_permit_years([
                    (D(2019, 6, 1), D(2020, 1, 31)),
                    (D(2020, 6, 1), None)], date), 1)
        # 4 full months and 6 full months.
        self.assertEqual(continuous_permit_years([
                    (D(2020, 1, 1), D(2020, 5, 31)),
                    (D(2020, 9, 1), None)], date), 0)

    def test_permit_renewal_on_2016_01_01(self):
        "A 41-day gap: restarts when renewed on 2015-12-31, not 2016-01-01"
        date = D(2016, 6, 30)
        # 22 full months and 5 full months.
        self.assertEqual(continuous_permit_years([
                    (D(2014, 1, 1), D(2015, 11, 21)),
                    (D(2016, 1, 1), None)], date), 2)
        # 2015-12-31 to 2016-06-30: 6 full months.
        self.assertEqual(continuous_permit_years([
                    (D(2014, 1, 1), D(2015, 11, 21)),
                    (D(2015, 12, 31), None)], date), 0)

    def test_permit_restart_before_2016_then_cumulative(self):
        "A restart in 2013 drops what came before; later years add up"
        # 2013-09-01 to 2016-08-31: 35 full months; 2016-10-01 to
        # 2019-04-30: 30; the 2012 permit's 17 do not count.
        self.assertEqual(continuous_permit_years([
                    (D(2012, 1, 1), D(2013, 6, 30)),
                    (D(2013, 9, 1), D(2016, 8, 31)),
                    (D(2016, 10, 1), None)], CUTOFF), 5)

    def test_permit_renewal_compared_with_the_permit_before(self):
        "Each renewal is measured from the expiry of the permit just before"
        # 2014-01-20 is 20 days after 2013-12-31: continued; 2011-06-01 is
        # 152 days after 2010-12-31: restarted.  2011-06-01 to 2015-06-30
        # is 48 full months.
        self.assertEqual(continuous_permit_years([
                    (D(2010, 1, 1), D(2010, 12, 31)),
                    (D(2011, 6, 1), D(2013, 12, 31)),
                    (D(2014, 1, 20), None)], D(2015, 6, 30)), 4)


class WindowTestCase(unittest.TestCase):
    "近 N 年 windows and their years (domain.md, §9.2)"

    def test_years_before_corresponding_day(self):
        "N years before: the corresponding day, from 29 February the 28th"
        self.assertEqual(years_before(CUTOFF, 1), D(2018, 4, 30))
        self.assertEqual(years_before(CUTOFF, 5), D(2014, 4, 30))
        self.assertEqual(years_before(D(2020, 2, 29), 1), D(2019, 2, 28))
        self.assertEqual(years_before(D(2020, 2, 29), 4), D(2016, 2, 29))
        self.assertEqual(years_before(D(2020, 3, 1), 1), D(2019, 3, 1))

    def test_window_start_rolling(self):
        "近 5 年 on 2019-04-30: facts dated after 2014-04-30"
        self.assertEqual(window_start(CUTOFF, 5), D(2014, 4, 30))
        self.assertEqual(window_start(CUTOFF, 5, stored('rolling')),
            D(2014, 4, 30))
        self.assertEqual(window_start(D(2020, 2, 29), 1), D(2019, 2, 28))

    def test_window_start_calendar(self):
        "近 5 年 in calendar years on 2019-04-30: 2015 to 2019"
        self.assertEqual(window_start(CUTOFF, 5, stored('calendar')),
            D(2014, 12, 31))
        self.assertEqual(window_start(CUTOFF, 1, stored('calendar')),
            D(2018, 12, 31))

    def test_year_index_rolling(self):
        "Year 0 runs after 2018-04-30 up to 2019-04-30, year 1 the one before"
        for day, index in [
                (D(2019, 4, 30), 0), (D(2019, 1, 1), 0), (D(2018, 12, 31), 0),
                (D(2018, 5, 1), 0), (D(2018, 4, 30), 1), (D(2018, 4, 29), 1),
                (D(2017, 5, 1), 1), (D(2017, 4, 30), 2), (D(2014, 5, 1), 4)]:
            with self.subTest(day=day):
                self.assertEqual(year_index(day, CUTOFF), index)
                self.assertEqual(
                    year_index(day, CUTOFF, stored('rolling')), index)

    def test_year_index_rolling_from_29_february(self):
        "Twelve months back from 2020-02-29 start after 2019-02-28"
        date = D(2020, 2, 29)
        self.assertEqual(year_index(D(2019, 3, 1), date), 0)
        self.assertEqual(year_index(D(2019, 2, 28), date), 1)
        self.assertEqual(year_index(D(2019, 2, 27), date), 1)

    def test_year_index_calendar(self):
        "Calendar years: 2019 is year 0, 2018 year 1, whatever the day"
        for day, index in [
                (D(2019, 4, 30), 0), (D(2019, 1, 1), 0), (D(2018, 12, 31), 1),
                (D(2018, 5, 1), 1), (D(2018, 1, 1), 1), (D(2015, 1, 1), 4),
                (D(2014, 12, 31), 5)]:
            with self.subTest(day=day):
                self.assertEqual(
                    year_index(day, CUTOFF, stored('calendar')), index)
