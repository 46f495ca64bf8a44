# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Security headers of every HTTP response: the one place for their values.

``install`` wraps trytond's WSGI application once, outside the static file
middleware of ``[web] root``, so that the sao files, JSON-RPC, REST, the
bus and the portal all get them. A response that sets a header itself
keeps its own value: the portal and the designer page send the stricter
``PAGE_HEADERS``.
"""
import base64
import hashlib
import logging
import os
import re

from werkzeug.exceptions import HTTPException

import trytond.config as config

logger = logging.getLogger(__name__)

# What sao 8.0 needs (checked in Chromium, tests/test_csp_browser.py):
# - the inline script at the end of index.html and its javascript: link,
#   allowed by their hashes;
# - style attributes (index.html and the widgets set them), so inline
#   styles but no inline script;
# - data: images of its CSS, blob: images, documents and PDF previews
#   built from binary fields;
# - no eval: its PYSON has its own interpreter and no locale of gettext.js
#   carries a plural formula (the one thing that would call new Function).
_BACK_OFFICE_CSP = (
    "default-src 'self'; script-src 'self'{scripts}; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; media-src 'self'; "
    "frame-src 'self' blob:; object-src blob:; worker-src 'none'; "
    "form-action 'self'; base-uri 'self'; frame-ancestors 'none'")
# Server-rendered pages (portal, workflow designer): nothing inline.
PAGE_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; object-src 'none'; form-action 'self'; "
    "base-uri 'self'; frame-ancestors 'none'")

COMMON_HEADERS = {
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'same-origin',
    }
# Pages showing personal data are never stored by browsers or proxies.
PAGE_HEADERS = dict(COMMON_HEADERS, **{
        'Content-Security-Policy': PAGE_CSP,
        'Cache-Control': 'no-store',
        'Pragma': 'no-cache',
        })
# Public pages that are the same for everybody and never change once
# shown (the publication of a round's result): caches may keep them a
# little while, as a later version may supersede it.
PUBLIC_PAGE_HEADERS = dict(COMMON_HEADERS, **{
        'Content-Security-Policy': PAGE_CSP,
        'Cache-Control': 'public, max-age=300',
        })

_INLINE_SCRIPT = re.compile(
    r'<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>', re.S | re.I)
_JAVASCRIPT_URL = re.compile(r'href="(javascript:[^"]*)"', re.I)


def _sha256(source):
    return "'sha256-%s'" % base64.b64encode(
        hashlib.sha256(source.encode('utf-8')).digest()).decode()


def _inline_hashes(path):
    "CSP sources for the inline scripts and javascript: links of path"
    try:
        with open(path, encoding='utf-8') as f:
            html = f.read()
    except OSError:
        # sao would stay blank: its page is shown by the inline script.
        logger.warning("no %s: sao's inline script is not allowed", path)
        return []
    sources = [_sha256(s) for s in _INLINE_SCRIPT.findall(html)]
    urls = _JAVASCRIPT_URL.findall(html)
    if urls:
        # The menu toggle is <a href="javascript:void(0)">: with
        # 'unsafe-hashes' only that exact no-op may run, nothing else.
        sources.append("'unsafe-hashes'")
        sources += [_sha256(u) for u in sorted(set(urls))]
    return sources


def back_office_csp(root=None):
    "The policy for sao served from root ([web] root by default)"
    root = root or config.get('web', 'root')
    sources = _inline_hashes(os.path.join(root, 'index.html')) if root else []
    return _BACK_OFFICE_CSP.format(scripts=''.join(' ' + s for s in sources))


def response_headers(csp):
    "The headers added to a response that does not set them itself"
    return dict(COMMON_HEADERS, **{
            'Content-Security-Policy': csp,
            # Static files set their own caching; the rest (RPC results,
            # REST, error pages) may hold personal data.
            'Cache-Control': 'no-store',
            })


class SecurityHeaders:
    "WSGI middleware adding the headers a response lacks"

    def __init__(self, app, headers):
        self.app = app
        self.headers = list(headers.items())

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            present = {k.lower() for k, _ in headers}
            headers = list(headers) + [(k, v) for k, v in self.headers
                if k.lower() not in present]
            return start_response(status, headers, exc_info)
        try:
            return self.app(environ, start)
        except HTTPException as e:
            # trytond refuses a foreign Origin before any handler, with an
            # exception that the server would turn into a 500.
            return e(environ, start)


def install(app):
    "Wrap app's WSGI application, once"
    if not isinstance(app.wsgi_app, SecurityHeaders):
        app.wsgi_app = SecurityHeaders(
            app.wsgi_app, response_headers(back_office_csp()))
