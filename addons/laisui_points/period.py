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
