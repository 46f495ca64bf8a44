# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""External facts and permits as people read them."""
import datetime as dt
import unittest

from trytond.modules.laisui_points.provenance import (
    PERMITS, SourceLabel, describe_fact, describe_permit, period)

LABELS = {
    'rental_lease': SourceLabel("出租屋租赁备案系统 租赁备案", True),
    'hrss_insurance': SourceLabel("人社局就业和社会保险系统 社会保险参保缴费",
        False),
    PERMITS: SourceLabel("市来穗局积分制服务管理信息系统 居住证", True),
    }


class ProvenanceTestCase(unittest.TestCase):
    "Readable provenance"

    def test_period(self):
        "Open, closed, one-off and undated periods"
        day = dt.date(2014, 1, 1)
        self.assertEqual(period(day, None), '（2014-01-01 至今）')
        self.assertEqual(period(day, dt.date(2019, 12, 31)),
            '（2014-01-01 至 2019-12-31）')
        self.assertEqual(period(day, day), '（2014-01-01）')
        self.assertEqual(period(None, day), '（2014-01-01）')
        self.assertEqual(period(None, None), '')

    def test_numbered_record(self):
        "A record with a business number reads by it"
        self.assertEqual(describe_fact({
                    'external_reference': 'rental_lease:ZL-YX',
                    'level': None, 'date_from': dt.date(2016, 1, 1),
                    'date_to': dt.date(2019, 12, 31)}, LABELS),
            '出租屋租赁备案系统 租赁备案 ZL-YX（2016-01-01 至 2019-12-31）')

    def test_digest_never_shown(self):
        "A record without a number reads by its level, not its digest"
        text = describe_fact({
                'external_reference': 'hrss_insurance:7e4e1b2c9d0a8f6e',
                'level': 'pension', 'date_from': dt.date(2018, 1, 1),
                'date_to': None}, LABELS)
        self.assertEqual(text,
            '人社局就业和社会保险系统 社会保险参保缴费 养老保险（2018-01-01 至今）')
        # Nor for a dataset that is not known (any more): whether its key
        # is a number cannot be told.
        self.assertEqual(describe_fact({
                    'external_reference': 'gone:7e4e1b2c9d0a8f6e',
                    'level': None, 'date_from': dt.date(2018, 1, 1),
                    'date_to': None}, LABELS),
            '外部数据（2018-01-01 至今）')

    def test_one_off_facts(self):
        "A diploma or a service reads by its day"
        self.assertEqual(describe_fact({
                    'external_reference': 'rental_lease:ZY-1',
                    'kind': 'volunteer', 'level': None,
                    'date_from': dt.date(2020, 5, 1), 'date_to': None},
                LABELS),
            '出租屋租赁备案系统 租赁备案 ZY-1（2020-05-01）')

    def test_declared_facts_and_permits(self):
        "What no system recorded has no provenance"
        self.assertIsNone(describe_fact({'external_reference': None},
                LABELS))
        self.assertIsNone(describe_permit({'source': 'declared',
                    'number': 'GD1', 'date_start': dt.date(2013, 3, 1),
                    'date_end': None}, LABELS))

    def test_identifiers_masked(self):
        "A number that is an ID number reads masked"
        text = describe_permit({'source': 'external',
                'number': '440104198001011238',
                'date_start': dt.date(2013, 3, 1), 'date_end': None}, LABELS)
        self.assertEqual(text, '市来穗局积分制服务管理信息系统 居住证 '
            '440104********1238（2013-03-01 至今）')
        # An 18-digit number that is no ID number is the record's own.
        text = describe_fact({
                'external_reference': 'rental_lease:105581201105000123',
                'level': None, 'date_from': dt.date(2011, 7, 1),
                'date_to': None}, LABELS)
        self.assertIn(' 105581201105000123（', text)
