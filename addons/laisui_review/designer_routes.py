# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""HTTP routes of the workflow designer page (see designer.py).

    GET  /<db>/laisui/designer                 the page (no data in it)
    GET  /<db>/laisui/designer/static/<name>   its script and style
    GET  /<db>/laisui/designer/<workflow>      the diagram, as JSON
    PUT  /<db>/laisui/designer/<workflow>      save it; 409 when stale

The JSON routes want ``Authorization: Bearer <token>`` from the form's
design button and run as that person with access checks.
"""
import json
import logging
import os
from http import HTTPStatus

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model.exceptions import AccessError
from trytond.modules.laisui_base.exceptions import StateConflictError
from trytond.modules.laisui_base.http_headers import PAGE_HEADERS
from trytond.protocols.wrappers import (
    Response, abort, set_max_request_size, with_pool, with_transaction)
from trytond.transaction import Transaction
from trytond.wsgi import app

logger = logging.getLogger(__name__)

_STATIC = os.path.join(os.path.dirname(__file__), 'static')
_FILES = {
    'designer.html': 'text/html; charset=utf-8',
    'designer.js': 'text/javascript; charset=utf-8',
    'designer_layout.js': 'text/javascript; charset=utf-8',
    'designer.css': 'text/css; charset=utf-8',
    }
_ROOT = '/<database_name>/laisui/designer'


def _finish(response):
    for name, value in PAGE_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _file(name):
    with open(os.path.join(_STATIC, name), 'rb') as f:
        return _finish(Response(f.read(), content_type=_FILES[name]))


def _json(data, status=HTTPStatus.OK):
    return _finish(Response(json.dumps(data, ensure_ascii=False),
            status=status, content_type='application/json; charset=utf-8'))


def _installed(pool):
    try:
        pool.get('laisui.review.designer.grant')
    except KeyError:
        # Routes are global to the process: not this database.
        abort(HTTPStatus.NOT_FOUND)


@app.route(_ROOT, methods={'GET'})
@with_pool
@with_transaction()
def designer_page(request, pool):
    _installed(pool)
    return _file('designer.html')


@app.route(_ROOT + '/static/<name>', methods={'GET'})
@with_pool
@with_transaction()
def designer_static(request, pool, name):
    _installed(pool)
    if name not in _FILES:
        abort(HTTPStatus.NOT_FOUND)
    return _file(name)


@app.route(_ROOT + '/<int:workflow_id>', methods={'GET', 'PUT'})
@set_max_request_size(1024 * 1024)
@with_pool
@with_transaction(readonly=False)
def designer_diagram(request, pool, workflow_id):
    _installed(pool)
    Grant = pool.get('laisui.review.designer.grant')
    Workflow = pool.get('laisui.review.workflow')
    transaction = Transaction()
    scheme, _, token = request.headers.get('Authorization', '').partition(
        ' ')
    user = Grant.user_for(workflow_id, token.strip()) if (
        scheme.lower() == 'bearer') else None
    if not user:
        return _json({'error': gettext('laisui_review.msg_designer_expired')},
            HTTPStatus.UNAUTHORIZED)
    with transaction.set_user(user.id), transaction.set_context(
            _check_access=True, language=user.language.code
            if user.language else 'zh_CN'):
        # Record rules and model access apply from here on.
        workflows = Workflow.search([('id', '=', workflow_id)])
        if not workflows:
            abort(HTTPStatus.NOT_FOUND)
        workflow, = workflows
        if request.method == 'GET':
            return _json(workflow.diagram())
        try:
            body = json.loads(request.get_data() or b'null')
            if not isinstance(body, dict):
                body = {}
            workflow.save_diagram(body.get('diagram'), body.get('stamp'))
        except AccessError as e:
            transaction.rollback()
            return _json({'error': e.message}, HTTPStatus.FORBIDDEN)
        except StateConflictError as e:
            transaction.rollback()
            return _json({'error': e.message}, HTTPStatus.CONFLICT)
        except UserError as e:
            transaction.rollback()
            return _json({'error': e.message}, HTTPStatus.BAD_REQUEST)
        except json.JSONDecodeError:
            transaction.rollback()
            return _json({'error': gettext('laisui_review.msg_designer_data')},
                HTTPStatus.BAD_REQUEST)
        return _json(Workflow(workflow.id).diagram())
