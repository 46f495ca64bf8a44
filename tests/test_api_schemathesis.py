# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""/api/v1 against its own OpenAPI document, by Schemathesis: generated
valid and invalid requests to every operation on a running server, every
answer checked against the document (no 5xx, status, content type, schema,
headers), and the calls without a token refused."""
import json
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import requests

SCOPES = ['points:read', 'review:read', 'admission:read', 'voucher:read',
    'integrity:check', 'personal:read']
# A valid body by the schema can still hold an ID number whose check digit
# is wrong or a service that does not exist: the API refuses them (400),
# which Schemathesis's positive_data_acceptance would count as a failure.
EXCLUDED_CHECKS = 'positive_data_acceptance'


def test_api_conforms_to_its_document(laisui_server, tmp_path):
    server = laisui_server
    # Records for every resource to answer with, besides the 404s.
    client_id, secret = json.loads(server.python(f'''
        from trytond.modules.laisui_api.tests.tools import make_client
        from trytond.modules.laisui_points.tests.tools import (
            DATE, make_applicant)
        Statement = pool.get('laisui.points.statement')
        Credential = pool.get('laisui.credential')
        applicant = make_applicant(name="施测试", id_number='440524199001010405',
            phone='13800139999')
        Statement.compute([applicant], DATE)
        party = applicant.party or pool.get('party.party').create(
            [{{'name': '施测试'}}])[0]
        Credential.issue('certificate', party, party, '积分证明',
            [('积分', '120')])
        print(json.dumps(make_client("Schemathesis", scopes={SCOPES!r},
                    rate_limit=1000000)))
        '''))
    base = f'{server.url}/{server.db}/api/v1'
    response = requests.post(f'{base}/token', auth=(client_id, secret),
        data={'grant_type': 'client_credentials'}, timeout=30)
    assert response.status_code == 200, response.text
    token = response.json()['access_token']
    result = subprocess.run([
            str(Path(sys.executable).parent / 'schemathesis'), 'run',
            f'{base}/openapi.json', '--url', base,
            '--header', f'Authorization: Bearer {token}',
            '--checks', 'all', '--exclude-checks', EXCLUDED_CHECKS,
            '--max-examples', '15', '--seed', '20261206',
            '--workers', '1', '--request-timeout', '30',
            '--report', 'junit', '--report-dir', str(tmp_path),
            ], capture_output=True, text=True, timeout=900,
        env={'PATH': '/usr/bin:/bin', 'HOME': str(tmp_path),
            'SCHEMATHESIS_TELEMETRY': 'false', 'NO_COLOR': '1'})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    # Every operation was exercised, and passed.
    report, = tmp_path.glob('junit-*.xml')
    cases = ElementTree.parse(report).getroot().iter('testcase')
    assert {c.get('name'): list(c) for c in cases} == {
        name: [] for name in [
            'GET /statements', 'GET /statements/{id}', 'GET /cases',
            'GET /cases/{id}', 'GET /admission-results',
            'GET /credentials/{number}', 'POST /integrity-checks',
            'POST /token', 'Stateful tests']}
