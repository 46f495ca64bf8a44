# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Dates of date and timestamp columns in SQL, for the statistics and
reports that count by day, month or year."""
import datetime as dt

from sql import Cast
from sql.functions import DateTrunc, Function

from trytond import backend

# Guangzhou is UTC+8 all year (no daylight saving in China since 1991).
LOCAL_OFFSET = dt.timedelta(hours=8)


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


def local(column):
    "A naive UTC timestamp column as Guangzhou wall-clock time"
    if backend.name == 'sqlite':
        return _SQLiteDateTime(column, '+8 hours')
    return column + LOCAL_OFFSET


class _SQLiteDate(Function):
    __slots__ = ()
    _function = 'DATE'


class _SQLiteDateTime(Function):
    __slots__ = ()
    _function = 'DATETIME'
