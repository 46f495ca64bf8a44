# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The place notice (学位通知书): a PDF with a QR code that opens a public
page confirming the notice against the published result.

The QR carries "<result id>-<keyed digest>": anybody holding the paper
can check it, nobody can forge one or walk through the others' results.
"""
import base64
import hmac
import io

import qrcode
import qrcode.image.svg
from weasyprint import HTML

from trytond.pool import Pool

_DIGITS = 20


def token(result):
    "The verification token of a run result"
    Secret = Pool().get('laisui.secret')
    digest = Secret.digest('admission-notice', result.id)[:_DIGITS]
    return f'{result.id}-{digest}'


def result_of(value):
    "The run result a token stands for, or None for a forged one"
    pool = Pool()
    Secret = pool.get('laisui.secret')
    Result = pool.get('laisui.admission.run.result')
    value = value or ''
    id_, _, digest = value.partition('-')
    # ASCII only: compare_digest() refuses other str, and int() would take
    # other digits.
    if (not value.isascii() or not id_.isdigit() or len(id_) > 10
            or len(digest) != _DIGITS):
        return None
    expected = Secret.digest('admission-notice', int(id_))[:_DIGITS]
    if not hmac.compare_digest(expected, digest):
        return None
    results = Result.search([('id', '=', int(id_))])
    return results[0] if results else None


def qr_svg(url):
    "The QR code of url as an SVG data URI"
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage,
        box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return 'data:image/svg+xml;base64,' + base64.b64encode(
        buffer.getvalue()).decode()


def pdf(html):
    "The notice's HTML as PDF bytes (fonts: Debian fonts-noto-cjk)"
    return HTML(string=html).write_pdf()
