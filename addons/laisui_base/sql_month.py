# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The month of a date or timestamp column as a date, in SQL, for the
statistics that count by month."""
from sql import Cast
from sql.functions import DateTrunc, Function

from trytond import backend


def month(column):
    "The first day of column's month, as a DATE on both backends"
    truncated = DateTrunc('month', column)
    if backend.name == 'sqlite':
        # date_trunc gives text there; CAST AS DATE would keep the year.
        return _SQLiteDate(truncated)
    return Cast(truncated, 'DATE')


class _SQLiteDate(Function):
    __slots__ = ()
    _function = 'DATE'
