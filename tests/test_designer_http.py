# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The designer's routes through the real server: the form's button grants
the page one workflow; without the grant, with another workflow's, or
with a page loaded before someone else's change, nothing is read or
written."""
import json
import re

import requests

from conftest import STAFF_PASSWORD, RPCError

DRAFT = '''
Workflow = pool.get('laisui.review.workflow')
active, = Workflow.search([('state', '=', 'active'),
    ('document_model', '=', 'laisui.review.points_request')])
drafts = [Workflow.copy([active])[0] for _ in range(2)]
print(json.dumps([w.id for w in drafts]))
'''

STAGES = '''
Workflow = pool.get('laisui.review.workflow')
workflow = Workflow({workflow})
print(json.dumps(sorted([s.code, s.name, s.x, s.y] for s in workflow.stages)))
'''


def design(server, login, workflow):
    session = server.rpc(login, STAFF_PASSWORD)
    return session('laisui.review.workflow', 'design', [workflow])


def stages(server, workflow):
    return json.loads(server.python(STAGES.format(workflow=workflow)))


def test_designer_grant_and_save(laisui_server):
    server = laisui_server
    draft, other = json.loads(server.python(DRAFT))
    action = design(server, 'dadmin01', draft)
    assert action['type'] == 'ir.action.url'
    path, _, fragment = action['url'].partition('#')
    assert path == f'/{server.db}/laisui/designer'
    token = dict(p.split('=', 1) for p in fragment.split('&'))['token']

    # The page itself carries no data, and a strict policy.
    page = requests.get(server.url + path, timeout=30)
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers['Content-Security-Policy']
    assert 'token' not in page.text

    url = f'{server.url}/{server.db}/laisui/designer/{draft}'
    bearer = {'Authorization': f'Bearer {token}'}
    for headers, target in [
            ({}, url),
            ({'Authorization': 'Bearer forged'}, url),
            (bearer, url.replace(f'/{draft}', f'/{other}')),
            ]:
        response = requests.get(target, headers=headers, timeout=30)
        assert response.status_code == 401, response.text
        assert '重新打开' in response.json()['error']

    diagram = requests.get(url, headers=bearer, timeout=30).json()
    assert diagram['workflow']['editable']
    assert {k for k, _ in diagram['kinds']} == {
        'task', 'department', 'condition', 'timer', 'automatic', 'end'}
    before = stages(server, draft)

    # A page opened before someone else's change saves nothing.
    stale = dict(diagram, stamp='0' * 64)
    body = {'stamp': stale['stamp'], 'diagram': page_diagram(diagram)}
    response = requests.put(url, json=body, headers=bearer, timeout=30)
    assert response.status_code == 409, response.text
    assert '已被修改' in response.json()['error']
    assert stages(server, draft) == before

    # Malformed: refused with the reason, nothing changed.
    response = requests.put(url, data=b'{"stamp": ', headers=bearer,
        timeout=30)
    assert response.status_code == 400
    assert '无法读取' in response.json()['error']
    assert stages(server, draft) == before

    # Moving the first review stage saves its place.
    moved = page_diagram(diagram)
    first_review, = [s for s in moved['stages']
        if s['code'] == 'first_review']
    first_review.update(x=420, y=400, name='初审（窗口）')
    response = requests.put(url, json={'stamp': diagram['stamp'],
            'diagram': moved}, headers=bearer, timeout=30)
    assert response.status_code == 200, response.text
    assert ['first_review', '初审（窗口）', 420, 400] in stages(server, draft)
    assert response.json()['stamp'] != diagram['stamp']


def test_designer_is_for_workflow_admins(laisui_server):
    server = laisui_server
    draft, _ = json.loads(server.python(DRAFT))
    try:
        design(server, 'reviewer01', draft)
    except RPCError as e:
        assert '不允许' in str(e), e
    else:
        raise AssertionError("a reviewer opened the designer")


def page_diagram(diagram):
    "The diagram as the page sends it: stages keyed, transitions by key"
    return {
        'stages': [dict(s, key=f"s{s['id']}") for s in diagram['stages']],
        'transitions': [dict(t, source=f"s{t['source']}",
                target=f"s{t['target']}") for t in diagram['transitions']],
        }


def test_designer_layout_scripts(laisui_server):
    """The page loads elkjs from the web root (installed from npm beside
    bpmn-js) and its own layout script from the designer's route, each
    under the designer's policy: only these scripts, all from the server."""
    server = laisui_server
    root = f'{server.url}/{server.db}/laisui/designer'
    page = requests.get(root, timeout=30)
    scripts = re.findall(r'<script src="([^"]+)"></script>', page.text)
    assert scripts == [
        '/laisui/bpmn-js/dist/bpmn-modeler.production.min.js',
        '/laisui/elkjs/lib/elk.bundled.js',
        'designer/static/designer_layout.js',
        'designer/static/designer.js',
        ], scripts
    assert 'script-src \'self\';' in page.headers['Content-Security-Policy']

    elk = requests.get(server.url + scripts[1], timeout=30)
    assert elk.status_code == 200
    assert 'javascript' in elk.headers['Content-Type']
    assert 'g.ELK = f()' in elk.text

    layout = requests.get(f'{root}/static/designer_layout.js', timeout=30)
    assert layout.status_code == 200
    assert layout.headers['Content-Type'] == 'text/javascript; charset=utf-8'
    assert layout.headers['Content-Security-Policy'] == page.headers[
        'Content-Security-Policy']
    assert 'window.LaisuiLayout' in layout.text
    # Only the designer's own files: nothing else of the module's folder.
    for name in ['designer_routes.py', 'elk.bundled.js']:
        response = requests.get(f'{root}/static/{name}', timeout=30)
        assert response.status_code == 404, name
    response = requests.get(f'{root}/static/..%2Fdesigner.py', timeout=30)
    assert response.status_code >= 400 and 'import' not in response.text
