# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Dates of date and timestamp columns in SQL, for the statistics and
reports that count by day, month or year."""
from sql import Cast
from sql.functions import DateTrunc, Function

from trytond import backend


def truncate(unit, column):
    "The first day of column's day, month or year, as a DATE on both backends"
    truncated = DateTrunc(unit, column)
    if backend.name == 'sqlite':
        # date_trunc gives text there; CAST AS DATE would keep the year.
        return _SQLiteDate(truncated)
    return Cast(truncated, 'DATE')


def month(column):
    "The first day of column's month, as a DATE on both backends"
    return truncate('month', column)


class _SQLiteDate(Function):
    __slots__ = ()
    _function = 'DATE'
