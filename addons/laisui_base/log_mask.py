# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""ID card and mobile numbers never reach a log (security.md, §3 OWASP
ASVS level 2 items for this portal: 16.2.5).

trytond logs the arguments and the traceback of a failing RPC call
(protocols/dispatcher.py), werkzeug the URL of each request, and any
library what it was given. The handlers and formatters come from
trytond's logging configuration (--logconf), which is not ours: a filter
on today's handlers would miss the next one configured. The log record
factory is process-wide and makes every record before any handler sees
it, so the masking is done there, on the finished texts:

- the message is formatted at once (msg % args) and masked; it replaces
  msg and the args are dropped, so nothing can format the raw args again;
- the exception is formatted as logging.Formatter does and kept, masked,
  as exc_text. exc_info is dropped: a formatter prints exc_text as it is
  but formats exc_info again, raw, when it finds no exc_text (and some
  formatters always do). stack_info is masked too.

Formatting at once costs little: the factory only runs for records whose
logger level is enabled, which the handlers would format anyway.
"""
import logging

from .identity import mask_log

__all__ = ['install', 'mask_record']

_formatter = logging.Formatter()


def mask_record(record):
    "Replace the texts of the log record by their masked form"
    try:
        message = record.getMessage()
    except Exception:
        # Formatting fails as the handler would report it, but masked.
        message = f'{record.msg!r} % {record.args!r}'
    record.msg, record.args = mask_log(message), ()
    if record.exc_info:
        record.exc_text = mask_log(
            _formatter.formatException(record.exc_info))
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = mask_log(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_log(record.stack_info)


def _masking(factory):
    def make_record(*args, **kwargs):
        record = factory(*args, **kwargs)
        mask_record(record)
        return record
    make_record.laisui_masking = True
    return make_record


def install():
    "Mask every record the process logs from now on (once per process)"
    factory = logging.getLogRecordFactory()
    if not getattr(factory, 'laisui_masking', False):
        logging.setLogRecordFactory(_masking(factory))
