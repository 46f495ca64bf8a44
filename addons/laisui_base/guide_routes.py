# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Public portal pages of the guides and of the personal information
notice: the same for everybody, no sign-in, cacheable a little while."""
from http import HTTPStatus

from trytond.i18n import gettext
from trytond.protocols.wrappers import Response

from .http_headers import PUBLIC_PAGE_HEADERS
from .portal import portal_route


def _public(portal, template, **values):
    response = Response(portal.render_text(template, **values),
        content_type='text/html; charset=utf-8')
    return portal.finish(response, headers=PUBLIC_PAGE_HEADERS)


def _not_found(portal, message):
    return portal.render('laisui_base/error.html',
        status=HTTPStatus.NOT_FOUND, message=gettext(message))


@portal_route('/guide', login=False, public=True)
def guides(portal):
    Guide = portal.pool.get('laisui.guide')
    return _public(portal, 'laisui_base/guides.html', guides=Guide.search([]))


@portal_route('/guide/<code>', login=False, public=True)
def guide(portal, code):
    Guide = portal.pool.get('laisui.guide')
    found = Guide.get(code)
    if not found:
        return _not_found(portal, 'laisui_base.msg_guide_not_found')
    Portal = portal.pool.get('laisui.portal')
    return _public(portal, 'laisui_base/guide.html', guide=found,
        links=[(label, path) for label, path, guide_code
            in Portal.public_links(portal) if guide_code == found.code])


@portal_route('/privacy', login=False, public=True)
def privacy(portal):
    Notice = portal.pool.get('laisui.privacy_notice')
    notice = Notice.current_notice()
    if not notice:
        return _not_found(portal, 'laisui_base.msg_privacy_notice_not_found')
    return _privacy_page(portal, notice)


@portal_route('/privacy/<version>', login=False, public=True)
def privacy_version(portal, version):
    Notice = portal.pool.get('laisui.privacy_notice')
    notices = Notice.search([
            ('version', '=', version),
            ('state', '=', 'published'),
            ], limit=1)
    if not notices:
        return _not_found(portal, 'laisui_base.msg_privacy_notice_not_found')
    return _privacy_page(portal, notices[0])


def _privacy_page(portal, notice):
    Notice = portal.pool.get('laisui.privacy_notice')
    return _public(portal, 'laisui_base/privacy.html', notice=notice,
        current=Notice.current_notice(),
        versions=Notice.search([('state', '=', 'published')]))
