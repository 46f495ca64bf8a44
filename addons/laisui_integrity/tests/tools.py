# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.pool import Pool

# 10:00 in Guangzhou on Monday 2 March 2026.
NOW = dt.datetime(2026, 3, 2, 2, 0)


def report(applicant, kind='false_material', origin=None):
    "A reported integrity record with its internal findings"
    Record = Pool().get('laisui.integrity.record')
    record, = Record.create([{
                'applicant': applicant.id,
                'kind': kind,
                'origin': origin,
                'description': "内部核查：租赁合同印章与备案不符",
                }])
    return record
