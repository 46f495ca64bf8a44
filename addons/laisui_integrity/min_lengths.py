# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The fewest characters of the texts that explain an integrity decision.

Shorter ones say nothing to whoever reads the record later. The server
configuration sets them in [laisui_integrity]; these are the defaults.
"""
import trytond.config as config

SECTION = 'laisui_integrity'
DEFAULTS = {
    # The staff's reason for dismissing a reported record.
    'min_dismiss_note_length': 4,
    # The applicant's grounds of an appeal.
    'min_appeal_statement_length': 10,
    # The staff's reply to an appeal, which the applicant reads.
    'min_appeal_reply_length': 4,
    }


def min_length(option):
    return config.getint(SECTION, option, default=DEFAULTS[option])
