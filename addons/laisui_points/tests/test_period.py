# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Full months and years by corresponding dates (domain.md, §9.1 Periods
and full years; 民法典 第二百零一至二百零三条). Expected values by hand."""
import datetime as dt
import unittest

from trytond.modules.laisui_points.period import (
    cumulative_years, full_months)

D = dt.date
CUTOFF = D(2019, 4, 30)


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
