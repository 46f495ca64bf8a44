# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The live preview of a form version, opened from its 预览 button.

    GET  /<db>/laisui/form/preview/<form>?token=…   the portal rendering
    POST /<db>/laisui/form/preview/<form>           validate, store nothing

The token (grant.py) names one staff member and one form for a few
minutes; the page runs as that person with access checks, so a form they
may not read is not shown. The page leaks no referrer and is not cached
(PAGE_HEADERS).
"""
from http import HTTPStatus

from trytond.i18n import gettext
from trytond.model.exceptions import AccessError
from trytond.protocols.wrappers import (
    abort, set_max_request_size, with_pool, with_transaction)
from trytond.transaction import Transaction
from trytond.wsgi import app

from .exceptions import FormAnswersError
from .portal import PortalRequest
from .upload import MAX_SIZE

PREVIEW_PATH = '/<database_name>/laisui/form/preview/<int:form_id>'


@app.route(PREVIEW_PATH, methods={'GET', 'POST'})
@set_max_request_size(MAX_SIZE + 1024 * 1024)
@with_pool
@with_transaction(readonly=True)
def form_preview(request, pool, form_id):
    try:
        Grant = pool.get('laisui.access.grant')
    except KeyError:
        # Routes are global to the process: not this database.
        abort(HTTPStatus.NOT_FOUND)
    Form = pool.get('laisui.form')
    transaction = Transaction()
    token = (request.form.get('token') if request.method == 'POST'
        else request.args.get('token'))
    with transaction.set_context(language='zh_CN'):
        portal = PortalRequest(
            request, pool, pool.database_name, anonymous=True)
        user = Grant.user_for(f'laisui.form,{form_id}', token)
        if not user:
            return portal.render('laisui_base/error.html',
                status=HTTPStatus.FORBIDDEN,
                message=gettext('laisui_base.msg_form_preview_expired'))
        with transaction.set_user(user.id), \
                transaction.set_context(_check_access=True):
            try:
                forms = Form.search([('id', '=', form_id)])
            except AccessError:
                forms = []
            if not forms:
                return portal.render('laisui_base/error.html',
                    status=HTTPStatus.NOT_FOUND, message='')
            form, = forms
            definition = form.definition()
            answers, errors, info = {}, {}, None
            if request.method == 'POST':
                answers = form.parse_post(request.form, request.files)
                try:
                    form.validate_answers(answers)
                    info = gettext('laisui_base.msg_form_preview_valid')
                except FormAnswersError as e:
                    errors = e.errors
            return portal.render('laisui_base/form_preview.html',
                status=HTTPStatus.OK, form=form, definition=definition,
                answers=answers, errors=errors, info=info, token=token,
                streets=Form.yuexiu_streets())
