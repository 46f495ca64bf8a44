# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Validation of uploaded evidence files.

Only JPEG, PNG and PDF are taken, recognised by their content and never by
their name (OWASP ASVS V5). Images must decode within a pixel budget; PDFs
must not carry scripts, launch actions or embedded files.
"""
import io
import re
import uuid

from PIL import Image

from trytond.i18n import gettext

from .exceptions import UploadError

MAX_SIZE = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000

KINDS = {
    'jpeg': ('image/jpeg', 'jpg'),
    'png': ('image/png', 'png'),
    'pdf': ('application/pdf', 'pdf'),
    }
_PDF_ACTIVE = re.compile(
    rb'/(JavaScript|JS|Launch|EmbeddedFile|RichMedia)\b')


def sniff(data):
    "The kind of the content, or None"
    if data.startswith(b'\xff\xd8\xff'):
        return 'jpeg'
    if data.startswith(b'\x89PNG\r\n\x1a\n'):
        return 'png'
    if data.startswith(b'%PDF-'):
        return 'pdf'


def validate_upload(data):
    """Return (mime type, server-made file name) or raise UploadError.

    The name the client sent is never used: it may be a path.
    """
    if not data:
        raise UploadError(gettext('laisui_base.msg_upload_empty'))
    if len(data) > MAX_SIZE:
        raise UploadError(gettext(
                'laisui_base.msg_upload_too_large',
                size=MAX_SIZE // (1024 * 1024)))
    kind = sniff(data)
    if kind is None:
        raise UploadError(gettext('laisui_base.msg_upload_type'))
    if kind == 'pdf':
        if _PDF_ACTIVE.search(data) or b'%%EOF' not in data[-2048:]:
            raise UploadError(gettext('laisui_base.msg_upload_pdf_active'))
    else:
        _check_image(data, kind)
    mime, extension = KINDS[kind]
    return mime, f'{uuid.uuid4().hex}.{extension}'


def _check_image(data, kind):
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format.lower() != kind:
                raise UploadError(gettext('laisui_base.msg_upload_type'))
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise UploadError(gettext('laisui_base.msg_upload_pixels'))
            image.verify()
    except UploadError:
        raise
    except Exception:
        # Truncated, corrupt or a polyglot that does not decode.
        raise UploadError(gettext('laisui_base.msg_upload_corrupt'))
