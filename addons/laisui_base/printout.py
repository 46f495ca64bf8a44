# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Printed credentials: the PDF of a credential's page, with the QR code
of its verification URL.

The HTML is a template of the module that prints (the admission notice,
a service voucher); it gets ``qr`` (an SVG data URI) and ``url``.
WeasyPrint renders it with the CJK fonts of Debian's fonts-noto-cjk
("Noto Serif CJK SC", "Noto Sans CJK SC").
"""
import base64
import io

import qrcode
import qrcode.image.svg
from weasyprint import HTML

from .portal import environment


def qr_svg(url):
    "The QR code of url as an SVG data URI"
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage,
        box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return 'data:image/svg+xml;base64,' + base64.b64encode(
        buffer.getvalue()).decode()


def pdf(html):
    "The HTML as PDF bytes"
    return HTML(string=html).write_pdf()


def verification_url(portal, credential):
    "The absolute URL of the credential's public page"
    return (portal.request.host_url.rstrip('/')
        + portal.url(credential.verification_path))


def credential_pdf(portal, template, credential, **values):
    "The PDF of template for credential, its QR code and URL given"
    url = verification_url(portal, credential)
    html = portal.render_text(template, credential=credential,
        qr=qr_svg(url), url=url, **values)
    return pdf(html)


def template_pdf(template, **values):
    "The PDF of a module's template rendered outside a portal request"
    return pdf(environment().get_template(template).render(**values))
