# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Inspection of uploaded PDFs: parsed with pypdf, never pattern-matched.

A byte search misses what a PDF reader sees: ``/J#61vaScript`` is the name
``/JavaScript``, and objects may sit compressed in object streams. pypdf
decodes the names and the object streams; every object of the document is
then visited, those reachable from the trailer (catalog, pages, their
annotations and /AA, /OpenAction, /Names, /AcroForm) and those listed in
the cross-reference tables and object streams even when nothing refers to
them.

Refused wherever they are: scripts (/JavaScript, /JS), actions that leave
the document or send data (/Launch, /SubmitForm, /ImportData, /GoToR,
/GoToE, rich media), embedded files, XFA forms. A /URI action is only a
link when the reader clicks it: it is refused where it runs by itself, under
/OpenAction or an /AA (additional actions) entry. Encrypted PDFs cannot be
inspected and are refused too. The work is bounded in pages, objects and
time.
"""
import io
import logging
import time

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from trytond.i18n import gettext

from .exceptions import UploadError

logger = logging.getLogger(__name__)

MAX_PAGES = 200
MAX_OBJECTS = 200_000
MAX_SECONDS = 10

# Keys that are active content whatever dictionary holds them.
ACTIVE_KEYS = frozenset({
        '/JavaScript', '/JS', '/EmbeddedFile', '/EmbeddedFiles', '/EF',
        '/RichMediaContent', '/RichMediaSettings', '/XFA',
        })
# Action types (/S) refused wherever the action is.
ACTIVE_ACTIONS = frozenset({
        '/JavaScript', '/Launch', '/SubmitForm', '/ImportData', '/GoToR',
        '/GoToE', '/RichMediaExecute', '/Rendition', '/Movie', '/Sound',
        })
# Action types refused where they run without a click.
AUTOMATIC_ACTIONS = frozenset({'/URI'})
# /Type or /Subtype values of files, media and 3D content.
ACTIVE_TYPES = frozenset({
        '/EmbeddedFile', '/FileAttachment', '/RichMedia', '/Screen',
        '/Movie', '/Sound', '/3D',
        })


# The value runs by itself: an action (or a destination) under /OpenAction,
# an /AA entry, or the /Next of such an action.
_AUTOMATIC = 'automatic'
# The value is an /AA dictionary: each of its values is run by an event.
_ADDITIONAL = 'additional'


class _Active(Exception):
    "Active content, with what was found for the log"


class _TooComplex(Exception):
    pass


def check_pdf(data):
    "Raise UploadError unless data is a plain, readable PDF"
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadError(gettext('laisui_base.msg_upload_pdf_encrypted'))
        pages = len(reader.pages)
        if not pages:
            raise UploadError(gettext('laisui_base.msg_upload_pdf_unreadable'))
        if pages > MAX_PAGES:
            raise UploadError(gettext(
                    'laisui_base.msg_upload_pdf_pages', pages=MAX_PAGES))
        _inspect(reader, time.monotonic() + MAX_SECONDS)
    except UploadError:
        raise
    except _Active as exception:
        logger.info("PDF refused: %s", exception)
        raise UploadError(gettext('laisui_base.msg_upload_pdf_active'))
    except _TooComplex as exception:
        logger.info("PDF refused: %s", exception)
        raise UploadError(gettext('laisui_base.msg_upload_pdf_complex'))
    except Exception as exception:
        # pypdf could not make sense of it (RecursionError included).
        logger.info("PDF refused, unreadable: %r", exception)
        raise UploadError(gettext('laisui_base.msg_upload_pdf_unreadable'))


def _listed_objects(reader):
    "References of every object of the cross-reference tables and streams"
    for generation, numbers in (getattr(reader, 'xref', None) or {}).items():
        for number in numbers:
            yield IndirectObject(number, generation, reader)
    for number in (getattr(reader, 'xref_objStm', None) or {}):
        yield IndirectObject(number, 0, reader)


def _inspect(reader, deadline):
    # (object, context): context says what runs the object by itself.
    stack = [(reader.trailer, None)]
    stack.extend((r, None) for r in _listed_objects(reader))
    seen = set()
    visited = 0
    while stack:
        obj, context = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation, context)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        visited += 1
        if visited > MAX_OBJECTS:
            raise _TooComplex(f"more than {MAX_OBJECTS} objects")
        if not visited % 1000 and time.monotonic() > deadline:
            raise _TooComplex(f"not inspected in {MAX_SECONDS} s")
        # A stream is a dictionary too; its content is not decoded here.
        if isinstance(obj, DictionaryObject):
            _check_dictionary(obj, automatic=context == _AUTOMATIC)
            for name, value in obj.items():
                stack.append((value, _child_context(context, name)))
        elif isinstance(obj, ArrayObject):
            stack.extend((value, context) for value in obj)


def _child_context(context, name):
    "The context of the value of name in a dictionary of context"
    if name == '/OpenAction':
        return _AUTOMATIC
    if name == '/AA':
        return _ADDITIONAL
    if context == _ADDITIONAL or (context == _AUTOMATIC and name == '/Next'):
        return _AUTOMATIC
    # A page that an /OpenAction destination points to is not run by it.
    return None


def _check_dictionary(dictionary, automatic):
    names = set(dictionary.keys())
    if active := names & ACTIVE_KEYS:
        raise _Active(f"key {sorted(active)}")
    for key in ('/Type', '/Subtype'):
        value = _name(dictionary, key)
        if value in ACTIVE_TYPES:
            raise _Active(f"{key} {value}")
    action = _name(dictionary, '/S')
    if action in ACTIVE_ACTIONS or (
            automatic and action in AUTOMATIC_ACTIONS):
        raise _Active(f"action {action}"
            + (" run automatically" if automatic else ""))


def _name(dictionary, key):
    value = dictionary.get(key)
    if isinstance(value, IndirectObject):
        value = value.get_object()
    return value if isinstance(value, str) else None
