# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Cleaning of one cell by the transform its mapping names.

Each cleaner takes the raw value and returns the clean one, or raises
CleanError with the reason kept on the rejected row.
"""
import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from trytond.i18n import gettext
from trytond.modules.laisui_base.identity import (
    InvalidIdNumber, normalize_id_number)

# The reasons normalize_id_number gives, each with its message
ID_REASONS = {'format', 'date', 'future', 'checksum', 'implausible'}
# Excel's day 0 (with its 1900 leap-year bug) for serial dates.
EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_FORMATS = [
    re.compile(r'^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?'
        r'(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$'),
    re.compile(r'^(\d{4})(\d{2})(\d{2})$'),
    ]
_MONTH_FORMAT = re.compile(r'^(\d{4})[-/.年](\d{1,2})月?$')
_HAN = re.compile('[\u4e00-\u9fff]')
TRUE = {'1', 'y', 'yes', 'true', 't', '是', '有', '已备案', '√'}
FALSE = {'0', 'n', 'no', 'false', 'f', '否', '无', '未备案', '×', ''}


class CleanError(ValueError):
    pass


def _error(name, **variables):
    return CleanError(gettext(f'laisui_connectors.msg_clean_{name}',
            **variables))


def text(value):
    "NFKC (full-width letters and digits to half-width), spaces collapsed"
    if value is None:
        return None
    if value.__class__ is not str:
        if isinstance(value, float) and value == int(value):
            value = int(value)
        value = str(value)
    if not value.isascii():
        value = unicodedata.normalize('NFKC', value)
    # split() without argument: every run of whitespace, ends trimmed
    return ' '.join(value.split()) or None


def name(value):
    "A person's name: no inner spaces (张 三 → 张三), middle dots kept"
    value = text(value)
    if value is None:
        return None
    if ' ' in value and _HAN.search(value):
        value = value.replace(' ', '')
    if '·' in value or '•' in value:
        value = value.replace('•', '·').replace('.', '·')
    return value


def id_number(value, today=None):
    # normalize_id_number does its own NFKC and space removal
    raw = value if value.__class__ is str else text(value)
    if not raw or raw.isspace():
        return None
    try:
        return normalize_id_number(raw, today)
    except InvalidIdNumber as e:
        reason = e.args[0] if e.args[0] in ID_REASONS else 'format'
        raise _error(f'id_number_{reason}')


def date(value):
    """Dates as offices type them: 2019-03-01, 2019/3/1, 2019.03.01,
    2019年3月1日, 20190301, a month 2019-03 (its first day), an Excel
    serial or a cell already holding a date."""
    if value is None or value == '':
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and 20000 < value < 80000:
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    raw = text(value)
    if raw is None:
        return None
    for pattern in _DATE_FORMATS:
        found = pattern.match(raw)
        if found:
            break
    else:
        found = _MONTH_FORMAT.match(raw)
        if not found:
            raise _error('date_unknown', value=raw)
        found = (found.group(1), found.group(2), '1')
        return _make_date(raw, *found)
    return _make_date(raw, *found.groups()[:3])


def _make_date(raw, year, month, day):
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise _error('date_invalid', value=raw)


def number(value):
    if value is None or value == '':
        return None
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    raw = text(value).replace(',', '')
    try:
        return Decimal(raw)
    except InvalidOperation:
        raise _error('number', value=raw)


def boolean(value):
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    raw = (text(value) or '').lower()
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    raise _error('boolean', value=raw)


class AddressIndex:
    """District and Yuexiu street of a free-text address.

    Streets are matched by name, with and without the 街道/街 suffix; the
    district by name or by its street. One regular expression each: the
    first name in the address wins, the longest at the same place.
    """

    def __init__(self, districts, streets):
        # districts: [(id, name)], streets: [(id, name, district_id)]
        self.districts = {name: id_ for id_, name in districts}
        self.streets = {}
        for id_, street, district in streets:
            for variant in {street, street.removesuffix('街道'),
                    street.removesuffix('街道') + '街'}:
                if len(variant) >= 2:
                    self.streets[variant] = (district, id_)
        self._street = _alternatives(self.streets)
        self._district = _alternatives(self.districts)

    def find(self, value):
        """(district id, street id, address as text) of the address, the
        ids maybe None"""
        address = text(value)
        if not address:
            return None, None, address
        street = self._street and self._street.search(address)
        district = self._district and self._district.search(address)
        # A street's short name can begin a district's (白云街, 白云区):
        # inside the longer district name it is no street.
        if street and not (district
                and district.start() <= street.start()
                and street.end() < district.end()):
            return (*self.streets[street.group()], address)
        if district:
            return self.districts[district.group()], None, address
        return None, None, address


def _alternatives(names):
    "A pattern matching any of names, longest first; None without names"
    if not names:
        return None
    return re.compile('|'.join(
            re.escape(n) for n in sorted(names, key=len, reverse=True)))


_MISSING = object()


def memoized(function, size=20_000):
    """function(raw), remembered for the text values seen before: files
    repeat dates, flags and places on many rows. At most `size` values
    are kept, and errors are not."""
    cache = {}

    def cleaned(raw):
        # Only str: True, 1 and 1.0 are equal keys but clean differently.
        if raw.__class__ is not str:
            return function(raw)
        value = cache.get(raw, _MISSING)
        if value is _MISSING:
            value = function(raw)
            if len(cache) < size:
                cache[raw] = value
        return value
    return cleaned


CLEANERS = {
    'text': text,
    'name': name,
    'id_number': id_number,
    'date': date,
    'number': number,
    'boolean': boolean,
    }
