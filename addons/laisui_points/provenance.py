# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""How a fact or permit copied from another government system reads for
people: the system and its dataset, the record's own number and its
dates, e.g. 人社局就业和社会保险系统 社会保险参保缴费 养老保险（2018-01-01 至今）.

Code matches facts on their external reference (`<dataset code>:<key>`),
whose key is a digest where the source gives no number: that stays in the
database, never in a text a person reads. Which dataset a code names is
known only to laisui_connectors, which fills in SourceLabels (see
laisui.points.statement _source_labels).
"""
import re
from typing import NamedTuple

from trytond.modules.laisui_base.identity import (
    InvalidIdNumber, mask_id_number, normalize_id_number)

# The key of the label of the dataset that feeds residence permits: no
# dataset code has a colon (it ends the code in a reference).
PERMITS = ':permits'
# What a record of an unknown dataset is called.
UNKNOWN = "外部数据"
# zh_CN names of the levels a record without a number is told apart by.
LEVEL_LABELS = {
    'pension': "养老保险", 'medical': "医疗保险",
    'unemployment': "失业保险", 'injury': "工伤保险",
    'maternity': "生育保险",
    'highschool': "高中（含中职）", 'college': "大专（含高职）",
    'bachelor': "本科", 'master': "硕士研究生", 'doctor': "博士研究生",
    }


# Facts of a day (a diploma, a service, a grant, a penalty): without an
# end they read by their day, not as lasting until today.
ONE_OFF_KINDS = {'education', 'skill', 'patent_invention', 'patent_utility',
    'patent_design', 'volunteer', 'blood_donation', 'tax', 'award',
    'credit', 'violation'}


class SourceLabel(NamedTuple):
    "How the records of one dataset are named"
    # The system and the dataset, e.g. 出租屋租赁备案系统 租赁备案
    name: str
    # Whether the key of its references is the record's business number
    # (else a digest of its natural key, not for people).
    numbered: bool


_ID_LIKE = re.compile(r'\d{17}[\dXx]')


def _number(number):
    """A record number as shown: an ID number in it masked, as everywhere
    (some permits are issued under the holder's); other numbers of 18
    digits, such as a diploma's, are the record's and stay readable"""
    def mask(match):
        try:
            normalize_id_number(match.group())
        except InvalidIdNumber:
            return match.group()
        return mask_id_number(match.group())
    return _ID_LIKE.sub(mask, number)


def _day(value):
    return value.isoformat() if value else ''


def period(date_from, date_to):
    "（2014-01-01 至 2019-12-31）, （2014-01-01 至今） or （2011-07-01）"
    if not (date_from or date_to):
        return ''
    if not date_from or date_to == date_from:
        # A one-off fact: the day it happened.
        return f'（{_day(date_to or date_from)}）'
    end = f' {_day(date_to)}' if date_to else '今'
    return f'（{_day(date_from)} 至{end}）'


def describe_fact(fact, labels):
    """The readable text of an external fact (a dict or record with
    external_reference, kind, level, date_from and date_to), or None when
    it came from no other system"""
    reference = _get(fact, 'external_reference')
    if not reference:
        return None
    code, _, key = reference.partition(':')
    label = labels.get(code)
    parts = [label.name if label else UNKNOWN]
    if label and label.numbered and key:
        parts.append(_number(key))
    elif _get(fact, 'level') in LEVEL_LABELS:
        parts.append(LEVEL_LABELS[_get(fact, 'level')])
    date_from, date_to = _get(fact, 'date_from'), _get(fact, 'date_to')
    if _get(fact, 'kind') in ONE_OFF_KINDS:
        date_to = date_to or date_from
    return ' '.join(parts) + period(date_from, date_to)


def describe_permit(permit, labels):
    """The readable text of an external residence permit (dict or record
    with number, date_start and date_end), or None for a declared one"""
    if _get(permit, 'source') != 'external':
        return None
    label = labels.get(PERMITS)
    parts = [label.name if label else UNKNOWN]
    if _get(permit, 'number'):
        parts.append(_number(_get(permit, 'number')))
    return ' '.join(parts) + period(
        _get(permit, 'date_start'), _get(permit, 'date_end'))


def _get(row, name):
    return row.get(name) if isinstance(row, dict) else getattr(
        row, name, None)
