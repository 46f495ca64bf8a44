# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Validation of uploaded evidence files.

Only JPEG, PNG and PDF are taken, recognised by their content and never by
their name (OWASP ASVS V5), at most MAX_SIZE bytes each. Every upload is
scanned by clamd first (scan.py); an infected one is quarantined: refused,
never stored, and recorded in the audit log. PDFs are then parsed and
refused when they carry scripts, actions or embedded files (pdf.py).
Images must decode within a pixel budget and are re-encoded: what is
stored is the re-encoded image, without EXIF or other metadata, and without
whatever a polyglot hid beside the picture.

Configuration, section ``[laisui_upload]`` (besides the scan options of
scan.py): ``quota_count`` and ``quota_size`` (bytes), the evidence an
applicant may have stored in all.
"""
import collections
import hashlib
import io
import logging
import uuid

from PIL import Image, ImageOps

import trytond.config as config
from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.transaction import Transaction

from . import scan
from .exceptions import (
    UploadError, UploadInfectedError, UploadQuotaError, UploadScanError)
from .pdf import check_pdf

logger = logging.getLogger(__name__)

MIB = 1024 * 1024
# README: 20 MiB per file for signed-in users; the portal routes take
# MAX_SIZE plus room for the rest of the multipart form.
MAX_SIZE = 20 * MIB
MAX_PIXELS = 40_000_000
JPEG_QUALITY = 90
DEFAULT_QUOTA_COUNT = 100
DEFAULT_QUOTA_SIZE = 200 * MIB

KINDS = {
    'jpeg': ('image/jpeg', 'jpg'),
    'png': ('image/png', 'png'),
    'pdf': ('application/pdf', 'pdf'),
    }
# Pillow's names of each kind: phones write multi-picture JPEGs (MPO).
_FORMATS = {
    'jpeg': {'JPEG', 'MPO'},
    'png': {'PNG'},
    }
# The image modes Pillow writes in each kind without a conversion.
_MODES = {
    'jpeg': {'L', 'RGB', 'CMYK'},
    'png': {'1', 'L', 'LA', 'P', 'RGB', 'RGBA', 'I', 'I;16'},
    }

Upload = collections.namedtuple('Upload', ['data', 'mime_type', 'filename'])


def sniff(data):
    "The kind of the content, or None"
    if data.startswith(b'\xff\xd8\xff'):
        return 'jpeg'
    if data.startswith(b'\x89PNG\r\n\x1a\n'):
        return 'png'
    if data.startswith(b'%PDF-'):
        return 'pdf'


def validate_upload(data, resource=None, web_user=None):
    """Return the Upload to store or raise UploadError.

    The name the client sent is never used: it may be a path. resource and
    web_user say whose upload it is, for the quarantine record.
    """
    if not data:
        raise UploadError(gettext('laisui_base.msg_upload_empty'))
    if len(data) > MAX_SIZE:
        raise UploadError(gettext(
                'laisui_base.msg_upload_too_large', size=MAX_SIZE // MIB))
    _scan(data, resource, web_user)
    kind = sniff(data)
    if kind is None:
        raise UploadError(gettext('laisui_base.msg_upload_type'))
    if kind == 'pdf':
        check_pdf(data)
    else:
        data = reencode_image(data, kind)
    mime, extension = KINDS[kind]
    return Upload(data, mime, f'{uuid.uuid4().hex}.{extension}')


def _scan(data, resource, web_user):
    try:
        signature = scan.scan(data)
    except scan.ClamdUnavailable as exception:
        # Fail closed: an unscanned file is not taken.
        logger.error("upload refused, not scanned: %s", exception)
        raise UploadScanError(
            gettext('laisui_base.msg_upload_scan_unavailable'))
    if signature:
        quarantine(data, signature, resource=resource, web_user=web_user)
        raise UploadInfectedError(gettext('laisui_base.msg_upload_infected'))


def quarantine(data, signature, resource=None, web_user=None):
    """Record an infected upload in the audit log; the file is not kept.

    The caller rolls its transaction back on the error that follows, so
    the entry is written in a transaction of its own once this one ends.
    """
    transaction = Transaction()
    if transaction.database is None:
        logger.critical("upload quarantined outside a transaction: %s %s",
            resource, signature)
        return
    entry = {
        'action': 'quarantine',
        'resource': resource,
        'web_user': getattr(web_user, 'id', web_user),
        'detail': (f'sha256={hashlib.sha256(data).hexdigest()} '
            f'size={len(data)} signature={signature}'),
        'success': False,
        }
    logger.warning("upload quarantined: %s %s", resource, entry['detail'])
    context = {k: transaction.context[k]
        for k in ('_request', 'laisui_request_id')
        if k in transaction.context}
    transaction.atexit(_log_quarantine, transaction.database.name,
        transaction.user, context, entry)


def _log_quarantine(database_name, user, context, entry):
    try:
        with Transaction(new=True).start(
                database_name, user, context=context):
            Pool().get('laisui.audit.log').log(**entry)
    except Exception:
        logger.critical("quarantine not recorded: %s", entry, exc_info=True)


def reencode_image(data, kind):
    """The image decoded and saved again in its own format, without its
    metadata: EXIF (GPS position, camera), comments, text chunks, ICC
    profiles and any bytes outside the picture are dropped"""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in _FORMATS[kind]:
                raise UploadError(gettext('laisui_base.msg_upload_type'))
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise UploadError(gettext('laisui_base.msg_upload_pixels'))
            image.load()
            # The picture as it is meant to be seen once EXIF is gone.
            image = ImageOps.exif_transpose(image)
            if image.mode not in _MODES[kind]:
                image = image.convert('RGBA' if kind == 'png' else 'RGB')
            transparency = image.info.get('transparency')
            image.info.clear()
            buffer = io.BytesIO()
            if kind == 'jpeg':
                image.save(buffer, 'JPEG', quality=JPEG_QUALITY,
                    optimize=True)
            else:
                options = {}
                if transparency is not None:
                    options['transparency'] = transparency
                image.save(buffer, 'PNG', optimize=True, **options)
            return buffer.getvalue()
    except UploadError:
        raise
    except Image.DecompressionBombError:
        raise UploadError(gettext('laisui_base.msg_upload_pixels'))
    except Exception:
        # Truncated, corrupt or a polyglot that does not decode.
        raise UploadError(gettext('laisui_base.msg_upload_corrupt'))


def quota():
    "(count, bytes) of evidence an applicant may have stored"
    return (
        config.getint('laisui_upload', 'quota_count',
            default=DEFAULT_QUOTA_COUNT),
        config.getint('laisui_upload', 'quota_size',
            default=DEFAULT_QUOTA_SIZE))


def check_quota(stored_count, stored_size, count, size):
    """Raise UploadQuotaError unless count more files of size bytes fit
    beside the stored ones"""
    max_count, max_size = quota()
    if stored_count + count > max_count:
        raise UploadQuotaError(gettext(
                'laisui_base.msg_upload_quota_count', count=max_count))
    if stored_size + size > max_size:
        raise UploadQuotaError(gettext(
                'laisui_base.msg_upload_quota_size',
                size=f'{max_size / MIB:.3g}'))
