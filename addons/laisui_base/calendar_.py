# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Working-day calendar: every deadline of the system counts on it.

Weekends are rest days and Monday to Friday are working days unless a
calendar day says otherwise: a public holiday (法定节假日) or a make-up
working day (调休上班) on a weekend. The State Council publishes these each
year; they are data, loaded in calendar_data.xml and kept by admins.
"""
import datetime as dt

from trytond.model import ModelSQL, ModelView, Unique, fields

_DAY = dt.timedelta(days=1)


class CalendarDay(ModelSQL, ModelView):
    "Calendar exception day"
    __name__ = 'laisui.calendar.day'

    date = fields.Date("Date", required=True)
    kind = fields.Selection([
            ('holiday', "Public Holiday"),
            ('workday', "Make-up Working Day"),
            ], "Kind", required=True)
    name = fields.Char("Name", translate=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('date_unique', Unique(t, t.date),
                'laisui_base.msg_calendar_day_unique'),
            ]
        cls._order.insert(0, ('date', 'ASC'))

    @classmethod
    def _exceptions(cls, start, end):
        "Map date → is working day for the exception days in [start, end]"
        days = cls.search([
                ('date', '>=', start),
                ('date', '<=', end),
                ])
        return {d.date: d.kind == 'workday' for d in days}

    @classmethod
    def is_working_day(cls, date):
        exceptions = cls._exceptions(date, date)
        return _is_working(date, exceptions)

    @classmethod
    def add_working_days(cls, start, count):
        """The date that is `count` working days after `start` (start itself
        not counted), e.g. a deadline of 5 working days from acceptance."""
        if count < 0:
            raise ValueError("count must be positive")
        # Long holidays last 9 days at most: 3 calendar days per working day
        # is always enough, extended if ever not.
        span = max(count * 3 + 14, 21)
        exceptions = cls._exceptions(start, start + dt.timedelta(days=span))
        date, left = start, count
        while left:
            date += _DAY
            if date > start + dt.timedelta(days=span):
                span *= 2
                exceptions = cls._exceptions(
                    start, start + dt.timedelta(days=span))
            if _is_working(date, exceptions):
                left -= 1
        return date

    @classmethod
    def working_days_between(cls, start, end):
        "Number of working days in (start, end]; negative when end < start"
        if end < start:
            return -cls.working_days_between(end, start)
        exceptions = cls._exceptions(start, end)
        count, date = 0, start
        while date < end:
            date += _DAY
            count += _is_working(date, exceptions)
        return count


def _is_working(date, exceptions):
    if date in exceptions:
        return exceptions[date]
    return date.weekday() < 5
