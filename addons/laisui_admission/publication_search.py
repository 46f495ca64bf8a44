# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A family finds its own row of a round's publication (公示): by the
application number, or by the child's full name and birth date.

The name is matched in full, with the birth date, on the server: the list
shows only the surname (张*), and a match on the surname and a date would
tell anyone the birth date of each row by trying dates. A row is found
only by someone who knows the child's name and birth date already; the
page then shows nothing of it that the list does not show."""
import datetime as dt
import re
import unicodedata

from trytond.i18n import gettext
from trytond.modules.laisui_base.portal import MAX_ID
from trytond.pool import Pool
from trytond.transaction import Transaction

from .exceptions import SearchError

# Characters kept of a search field, as the form's maxlength.
MAX_TYPED = 30
# 2021-000123 (application.application_number), the year and the id.
_NUMBER = re.compile(r'([0-9]{4})-([0-9]{1,10})')
_DATE = re.compile(r'[0-9]{4}-[0-9]{2}-[0-9]{2}')
# Dashes phones' keyboards offer for the hyphen (NFKC keeps them).
_DASHES = str.maketrans('‐‑‒–—―−', '-------')
# Besides letters: the middle dots of names such as 阿依古丽·买买提.
_NAME_MARKS = set('·•・.-')


def _typed(value):
    """What was typed, as a phone may send it: full-width forms folded,
    spaces dropped"""
    value = unicodedata.normalize('NFKC', value or '')
    return ''.join(value.split())


def _number(value):
    "(year, application id) of an application number, else SearchError"
    match = _NUMBER.fullmatch(_typed(value).translate(_DASHES).upper())
    if not match:
        raise SearchError(gettext('laisui_admission.msg_search_number'))
    return int(match.group(1)), int(match.group(2))


def _name(value):
    "The child's name as compared: folded, without spaces"
    name = _typed(value).casefold()
    if not (0 < len(name) <= MAX_TYPED
            and all(c.isalpha() or c in _NAME_MARKS for c in name)):
        raise SearchError(gettext('laisui_admission.msg_search_name'))
    return name


def _birth(value):
    "The birth date typed (2015-05-01), else SearchError"
    value = _typed(value).translate(_DASHES).replace('/', '-')
    try:
        if not _DATE.fullmatch(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise SearchError(gettext('laisui_admission.msg_search_birth'))


def parse(args):
    """The search that the query args ask for: ('number', (year, id)),
    ('child', (name, birth date)) or None for none; SearchError if what was
    typed is not one"""
    if _typed(args.get('number')):
        return 'number', _number(args['number'])
    name, birth = (_typed(args.get(f)) for f in ('name', 'birth'))
    if not (name or birth):
        return None
    if not (name and birth):
        raise SearchError(
            gettext('laisui_admission.msg_search_name_and_birth'))
    return 'child', (_name(args['name']), _birth(args['birth']))


def find(run_id, year, search):
    "[(result id, rank)] of the run's rows the parsed search finds, by rank"
    pool = Pool()
    Result = pool.get('laisui.admission.run.result')
    Application = pool.get('laisui.admission.application')
    Member = pool.get('laisui.family.member')
    result = Result.__table__()
    application = Application.__table__()
    member = Member.__table__()
    cursor = Transaction().connection.cursor()
    kind, value = search
    if kind == 'number':
        number_year, application_id = value
        # The number tells the round's year: another year's is not here.
        if number_year != year or not 0 < application_id <= MAX_ID:
            return []
        cursor.execute(*result.select(result.id, result.rank,
                where=(result.run == run_id)
                & (result.application == application_id)))
        return cursor.fetchall()
    name, birth = value
    cursor.execute(*result
        .join(application, condition=result.application == application.id)
        .join(member, condition=application.child == member.id)
        .select(result.id, result.rank, member.name,
            where=(result.run == run_id) & (member.birth_date == birth),
            order_by=[result.rank.asc, result.id.asc]))
    return [(id_, rank) for id_, rank, child in cursor
        if _typed(child).casefold() == name]
