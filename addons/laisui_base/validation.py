# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""identity.py's checks raising Tryton errors with their zh_CN message,
and the phone field that uses them."""
from trytond.i18n import gettext
from trytond.model import fields

from .exceptions import IdNumberError, PhoneError
from .identity import (
    InvalidIdNumber, InvalidPhone, mask_phone, normalize_id_number,
    normalize_phone)


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


class PhoneMixin:
    "A mobile number field kept in its 11-digit form, masked for display"
    __slots__ = ()
    # Lazy: clients may not read it (field access) and must not be made
    # to by loading it with the other fields.
    phone = fields.Char("Mobile", loading='lazy')
    phone_masked = fields.Function(fields.Char("Mobile"), 'get_phone_masked')

    def get_phone_masked(self, name):
        return mask_phone(self.phone)

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('phone'):
            values['phone'] = checked_phone(values['phone'])
        return values
