# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Validation and masking of resident ID card and mobile numbers.

One module so that every screen, export, log and SMS uses the same rules and
the same mask format (the project's security reference, security.md,
§4 Validation and masking rules).
"""
import datetime as dt
import re
import unicodedata

import phonenumbers
from stdnum.cn import ric

__all__ = [
    'InvalidIdNumber', 'InvalidPhone', 'normalize_id_number',
    'id_number_birth_date', 'id_number_sex', 'normalize_phone',
    'mask_id_number', 'mask_phone', 'mask_name', 'mask_id_public',
    'mask_text', 'mask_log']

_ID_FORMAT = re.compile(r'^\d{17}[\dX]$')
_MOBILE = re.compile(r'^1[3-9]\d{9}$')
# Zero-width and other format characters that survive NFKC.
_INVISIBLE = dict.fromkeys(
    c for c in range(0x10000) if unicodedata.category(chr(c)) == 'Cf')
# A plausible birth date for a living applicant or family member
EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)
MAX_AGE = 120


class InvalidIdNumber(ValueError):
    "The reason is one of: format, date, future, implausible, checksum"

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class InvalidPhone(ValueError):
    pass


def _clean(value):
    value = value or ''
    if not value.isascii():
        value = unicodedata.normalize('NFKC', value).translate(_INVISIBLE)
    return ''.join(value.split())


def normalize_id_number(value, today=None):
    """Return the canonical 18-character ID number or raise InvalidIdNumber.

    Unknown region codes are accepted on purpose: old codes stay valid on
    issued cards (python-stdnum's validate() would refuse them), so only the
    check digit comes from stdnum.
    """
    number = _clean(value).upper()
    if not _ID_FORMAT.match(number):
        raise InvalidIdNumber('format')
    try:
        birth_date = dt.date(
            int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber('date')
    today = today or dt.date.today()
    if birth_date > today:
        raise InvalidIdNumber('future')
    if birth_date < _earliest_birth_date(today):
        raise InvalidIdNumber('implausible')
    # calc_check_digit() ignores the last character it is given
    if ric.calc_check_digit(number) != number[17]:
        raise InvalidIdNumber('checksum')
    return number


def _earliest_birth_date(today):
    "Nobody born before 1900 nor more than 120 years before today"
    try:
        limit = today.replace(year=today.year - MAX_AGE)
    except ValueError:
        # Today is 29 February: those born on 1 March turn 120 today.
        limit = dt.date(today.year - MAX_AGE, 3, 1)
    return max(limit, EARLIEST_BIRTH_DATE)


def id_number_birth_date(number):
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def id_number_sex(number):
    "Odd sequence digit is male"
    return 'male' if int(number[16]) % 2 else 'female'


def normalize_phone(value):
    "Return the 11-digit mainland mobile number or raise InvalidPhone"
    text = _clean(value)
    try:
        parsed = phonenumbers.parse(text, 'CN')
    except phonenumbers.NumberParseException:
        raise InvalidPhone(value)
    national = str(parsed.national_number)
    # Number blocks change often: a loose pattern, SMS delivery proves it.
    if parsed.country_code != 86 or not _MOBILE.match(national):
        raise InvalidPhone(value)
    return national


def mask_id_number(number):
    "440104********1234: first 6 and last 4"
    if not number:
        return ''
    if len(number) <= 10:
        return '*' * len(number)
    return number[:6] + '*' * (len(number) - 10) + number[-4:]


def mask_id_public(number):
    "4****************4: first 1 and last 1, for public lists"
    if not number:
        return ''
    return number[0] + '*' * (len(number) - 2) + number[-1]


def mask_phone(phone):
    "138****1234"
    if not phone:
        return ''
    if len(phone) < 8:
        return '*' * len(phone)
    return phone[:3] + '*' * (len(phone) - 7) + phone[-4:]


def mask_name(name):
    "张* for two characters, 张*明 for more"
    if not name:
        return ''
    if len(name) <= 2:
        return name[0] + '*'
    return name[0] + '*' * (len(name) - 2) + name[-1]


def mask_address(address):
    "The first three characters: a road, not a door (环市东**********)"
    if not address:
        return ''
    return address[:3] + '*' * max(len(address) - 3, 0)


_ID_IN_TEXT = re.compile(r'(?<![\dA-Za-z])(\d{17}[\dXx])(?![\dA-Za-z])')
_PHONE_IN_TEXT = re.compile(r'(?<!\d)(1[3-9]\d{9})(?!\d)')


def mask_text(text):
    "Mask every ID or mobile number found in free text (logs, messages)"
    if not text:
        return text
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(1)), text)
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(1)), text)


# Logs show numbers cut or glued to others: trytond cuts every str argument
# of an RPC call to 17 characters ('44010419900101123...'), old ID cards
# have 15 digits, a mobile may follow 86. A log is not data: masking one
# number too many costs nothing, so no word boundaries here.
_LONG_DIGITS = re.compile(r'\d{15,}[Xx]?')
_PHONE_ANYWHERE = re.compile(r'1[3-9]\d(?:[ -]?\d{4}){2}')
# The public results are searched by the child's name and birth date with
# a GET form (cacheable): the request line of the access log holds them.
# A form's preview link carries its short-lived token (form_routes.py).
_PERSONAL_QUERY = re.compile(r'([?&](?:name|birth|token)=)[^&\s"\']*')


def _mask_digits(match):
    number = match.group()
    if len(number) == 18:
        return mask_id_number(number)
    # Cut or not an ID: its end may be digits that the ID mask hides.
    return number[:6] + '*' * (len(number) - 6)


def mask_log(text):
    """Mask, for logs, every run of 15 or more digits and every mobile
    number, also inside longer numbers, and the name and birth date of a
    query string; stricter than mask_text"""
    if not text:
        return text
    text = _LONG_DIGITS.sub(_mask_digits, text)
    text = _PERSONAL_QUERY.sub(r'\1***', text)
    return _PHONE_ANYWHERE.sub(lambda m: mask_phone(m.group()), text)


_MASKED_ID = re.compile(r'^(\d{6})\*{8}(\d{3}[\dX])$')


def masked_id_pattern(value):
    """The LIKE pattern of an ID number in its masked form (what the lists
    show), or None: the hidden digits stay hidden, they are not a prefix
    or substring to search by."""
    match = _MASKED_ID.match(_clean(value).upper())
    if match:
        return match[1] + '_' * 8 + match[2]
