# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""identity.py's checks raising Tryton errors with their zh_CN message."""
from trytond.i18n import gettext

from .exceptions import IdNumberError, PhoneError
from .identity import (
    InvalidIdNumber, InvalidPhone, normalize_id_number, normalize_phone)


def checked_id_number(value):
    "Canonical ID number or IdNumberError telling what is wrong"
    try:
        return normalize_id_number(value)
    except InvalidIdNumber as e:
        raise IdNumberError(gettext(f'laisui_base.msg_id_number_{e.reason}'))


def checked_phone(value):
    "11-digit mobile number or PhoneError"
    try:
        return normalize_phone(value)
    except InvalidPhone:
        raise PhoneError(gettext('laisui_base.msg_phone_invalid'))
