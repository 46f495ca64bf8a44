# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Periods of the statistics in SQL: Guangzhou days and months of the
naive UTC timestamps that Tryton stores."""
import datetime as dt

from sql import Literal
from sql.functions import Function

from trytond import backend

from . import clock
from .sql_month import month

# Guangzhou keeps UTC+8 all year (no summer time since 1991): a fixed
# shift gives the local wall time in SQL on both backends.
_OFFSET = dt.timedelta(hours=8)


def in_period(column, date_from=None, date_to=None):
    """SQL condition: the timestamp column falls on a Guangzhou day from
    date_from to date_to, both included; a missing bound is open."""
    condition = Literal(True)
    if date_from:
        condition &= column >= clock.day_start(date_from)
    if date_to:
        condition &= column < clock.day_start(
            date_to + dt.timedelta(days=1))
    return condition


def period(context):
    "The (date_from, date_to) of a statistics context, None when unset"
    return context.get('date_from'), context.get('date_to')


def local(column):
    "A naive UTC timestamp column as Guangzhou wall-clock time"
    if backend.name == 'sqlite':
        return _SQLiteDatetime(column, f'+{_OFFSET.seconds // 3600} hours')
    return column + _OFFSET


def local_month(column):
    "The first day of the Guangzhou month of a naive UTC timestamp column"
    return month(local(column))


class _SQLiteDatetime(Function):
    __slots__ = ()
    _function = 'DATETIME'
