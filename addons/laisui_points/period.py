# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Periods and full years, as the project's domain reference decides them
(domain.md, §9.1 Periods and full years).

Dates follow 民法典 第二百零一至二百零三条: the start day is not counted,
and k months from a start S end on the day of the k-th following month
that corresponds to S, or on that month's last day when it has none. Full
years are full months // 12, never days ÷ 365 or ÷ 365.25.
"""
import calendar
import datetime as dt


def full_months(start, end):
    "Full months from start up to end (both dates, end included)"
    months = (end.year - start.year) * 12 + end.month - start.month
    if months <= 0:
        return 0
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    if dt.date(year, month + 1, day) > end:
        months -= 1
    return months


def years_before(date, years):
    "The day corresponding to date `years` years before (29 February: 28)"
    try:
        return date.replace(year=date.year - years)
    except ValueError:
        return date.replace(year=date.year - years, day=28)


# Windows of "近 N 年" and their yearly caps "每年最多" (domain.md, §9.2):
# rolling, the twelve-month periods counted back from the date; calendar,
# the date's calendar year and those before it.


def window_start(date, years, kind='rolling'):
    """The day the last `years` years up to date start after: facts dated
    after it, up to and including date, are in the window"""
    if kind == 'calendar':
        return dt.date(date.year - years, 12, 31)
    return years_before(date, years)


def year_index(day, date, kind='rolling'):
    """Which year back from date day falls in: 0 for the twelve months up
    to date (after the day a year before, up to date itself) or for date's
    calendar year, 1 for the year before, …"""
    index = date.year - day.year
    if kind == 'rolling' and day > years_before(date, index):
        index -= 1
    return index


def merge(periods, date, since=None):
    """The (start, end) periods up to date, from since, merged where they
    overlap or follow each other: an overlap counts once"""
    spans = []
    for start, end in periods:
        if not start:
            continue
        end = min(end or date, date)
        if since:
            start = max(start, since)
        if end >= start:
            spans.append((start, end))
    spans.sort()
    merged = []
    for start, end in spans:
        if merged and start <= merged[-1][1] + dt.timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def cumulative_years(periods, date, since=None):
    """Full years of a cumulative (累计) requirement: the full months of
    each merged period summed, // 12"""
    return sum(full_months(start, end)
        for start, end in merge(periods, date, since)) // 12


def continuous_years(periods, date):
    """Full years of a continuous (连续) requirement: those of the one
    merged period current on date (started on or before it, not ended
    before it); 0 when none is current"""
    merged = merge(periods, date)
    if not merged or merged[-1][1] != date:
        return 0
    return full_months(*merged[-1]) // 12


# Residence permit continuity (domain.md, §4.2 Yuexiu): a renewal dated
# before this day continues the holding when it starts at most
# PERMIT_RENEWAL_DAYS after the expiry and restarts the count otherwise; a
# renewal dated since adds its years to the earlier ones, whatever the gap.
# Dates of the permit reform, the same for every rule set.
PERMIT_CUMULATIVE_SINCE = dt.date(2016, 1, 1)
PERMIT_RENEWAL_DAYS = 30


def continuous_permit_years(periods, date):
    """Full years of residence permit holding up to date by the §4.2
    continuity rule; 0 when no permit is current on date"""
    merged = merge(periods, date)
    if not merged or merged[-1][1] != date:
        return 0
    months = 0
    start, end = merged.pop()
    while merged:
        previous_end = merged[-1][1]
        if start >= PERMIT_CUMULATIVE_SINCE:
            # Cumulative: the gap is not held, the earlier months add up.
            months += full_months(start, end)
            start, end = merged.pop()
        elif (start - previous_end).days <= PERMIT_RENEWAL_DAYS:
            # Continued: one holding from the earlier start.
            start = merged.pop()[0]
        else:
            break
    return (months + full_months(start, end)) // 12
