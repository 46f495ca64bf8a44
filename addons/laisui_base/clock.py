# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The one clock of the system.

Timestamps are naive UTC like Tryton's own; dates that the rules talk about
(deadlines, ages, windows) are dates in Guangzhou. Tests and the demo data
freeze time with the context key ``_laisui_now`` (a naive UTC datetime).
It starts with "_" because Tryton's RPC drops such keys from what clients
send: nobody may move the clock of a deadline or an application window.
"""
import datetime as dt
from zoneinfo import ZoneInfo

from trytond.transaction import Transaction

LOCAL_TZ = ZoneInfo('Asia/Shanghai')


def now():
    "Naive UTC now"
    frozen = Transaction().context.get('_laisui_now')
    if frozen:
        return frozen
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def today():
    "Today's date in Guangzhou"
    return to_local(now()).date()


def to_local(timestamp):
    "Naive UTC to aware Guangzhou time"
    return timestamp.replace(tzinfo=dt.timezone.utc).astimezone(LOCAL_TZ)


def day_start(date):
    "Naive UTC of midnight in Guangzhou at the start of date"
    local = dt.datetime.combine(date, dt.time(), tzinfo=LOCAL_TZ)
    return local.astimezone(dt.timezone.utc).replace(tzinfo=None)
