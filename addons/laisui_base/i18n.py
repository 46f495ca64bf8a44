# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""ir.message texts where plain gettext does not fit.

stored_gettext: texts written into records that every office reads (audit
details, reasons, names), in the database's language whatever the
language of the session that writes them.

file_gettext: texts needed where there may be no database to read
messages from (an unknown database name, a pool not loaded, the checks
made when the module is imported): they come from the module's
locale/<language>.po, the file the database loads its translations from.
"""
import functools
from decimal import Decimal

import polib

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.tools import file_open

_CONTEXT = 'model:ir.message,text:'


def stored_gettext(message_id, **variables):
    "The message in the database's language"
    Configuration = Pool().get('ir.configuration')
    return gettext(message_id, Configuration.get_language(), **variables)


@functools.cache
def _catalog(module, language):
    "{message id: (English text, translation)} of the module's .po file"
    with file_open(f'{module}/locale/{language}.po', encoding='utf-8') as f:
        entries = polib.pofile(f.read())
    return {e.msgctxt[len(_CONTEXT):]: (e.msgid, e.msgstr or e.msgid)
        for e in entries if (e.msgctxt or '').startswith(_CONTEXT)}


def file_gettext(message_id, language=None, **variables):
    """The message read from its module's .po file, in language or, with
    none, in English"""
    module, name = message_id.split('.')
    english, translation = _catalog(module, language or 'zh_CN')[name]
    text = translation if language else english
    return text % variables if variables else text


def number_text(value):
    "A number as people write it: 80.00 as 80, 72.50 as 72.5, -0 as 0"
    if value is None:
        return None
    value = Decimal(value).normalize()
    return f'{value:f}' if value else '0'
