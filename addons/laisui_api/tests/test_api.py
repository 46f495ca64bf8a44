# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""/api/v1 over trytond's WSGI application: tokens, scopes, masking,
rate limits, idempotency and audit, each bad input answered in zh_CN."""
import base64
import json
import time

from joserfc import jwt
from joserfc.jwk import OctKey

from trytond.modules.laisui_api import token as token_module
from trytond.model.exceptions import AccessError
from trytond.modules.laisui_base.tests.tools import acting, committed, staff
from trytond.modules.laisui_integrity.tests.tools import NOW
from trytond.modules.laisui_points.tests.tools import DATE, make_applicant
from trytond.modules.laisui_review.tests.tools import NOW as REVIEW_NOW
from trytond.modules.laisui_review.tests.tools import (
    make_applicant as make_review_applicant)
from trytond.modules.laisui_review.tests.tools import submit
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, RouteTestCase
from trytond.transaction import Transaction

from .tools import basic, make_client

ID_NUMBER = '440524199001011221'
OTHER_ID_NUMBER = '110101199003074514'


class ApiTestCase(RouteTestCase):
    "The standard data API"
    module = 'laisui_api'
    language = 'zh_CN'

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Committed with the locks it asks for (sequences, the secret).
        committed(DB_NAME, cls.make_records)

    @classmethod
    def make_records(cls):
        pool = Pool()
        Record = pool.get('laisui.integrity.record')
        Statement = pool.get('laisui.points.statement')
        applicant = make_applicant()
        other = make_applicant(name="王大明", id_number=OTHER_ID_NUMBER,
            phone='13800138001')
        Statement.compute([applicant, other], DATE)
        with Transaction().set_context(_laisui_now=REVIEW_NOW):
            submit(make_review_applicant(7))
        party, = pool.get('party.party').create([{'name': '陈小燕'}])
        Credential = pool.get('laisui.credential')
        for title in ['积分证明', '已撤销的积分证明']:
            credential = Credential.issue('certificate', party, party,
                title, [('积分', '120')])
        Credential.revoke([credential], '申请已撤回')
        with Transaction().set_context(_laisui_now=NOW):
            record, = Record.create([{'applicant': applicant.id,
                        'kind': 'false_material',
                        'description': "内部核查：房东否认出租，合同系伪造"}])
            Record.confirm([record])

    def url(self, path):
        return f'/{self.db_name}/api/v1{path}'

    def client_for(self, *scopes, **values):
        return committed(self.db_name,
            lambda: make_client(scopes=scopes, **values))

    def token(self, client_id, secret, scope=None):
        data = {'grant_type': 'client_credentials'}
        if scope:
            data['scope'] = scope
        response = self.client().post(self.url('/token'), data=data,
            headers=basic(client_id, secret))
        self.assertEqual(response.status_code, 200, response.text)
        return response.json['access_token']

    def bearer(self, *scopes, **values):
        client_id, secret = self.client_for(*scopes, **values)
        return {'Authorization':
            f'Bearer {self.token(client_id, secret)}'}

    def get(self, path, headers=None):
        return self.client().get(self.url(path), headers=headers or {})

    def assertProblem(self, response, status, detail):
        self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(response.headers['Content-Type'],
            'application/problem+json; charset=utf-8')
        self.assertEqual(response.json['status'], status)
        self.assertIn(detail, response.json['detail'])

    def audit(self, action):
        with Transaction().start(self.db_name, 0):
            AuditLog = Pool().get('laisui.audit.log')
            return [(e.to_value, e.detail, e.user.login if e.user else None)
                for e in AuditLog.search([('action', '=', action)],
                    order=[('id', 'ASC')])]

    def test_token(self):
        "Client credentials by Basic or in the body give an at+jwt"
        client_id, secret = self.client_for('points:read', 'review:read')
        response = self.client().post(self.url('/token'),
            data={'grant_type': 'client_credentials'},
            headers=basic(client_id, secret))
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.headers['Cache-Control'], 'no-store')
        body = response.json
        self.assertEqual((body['token_type'], body['expires_in'],
                body['scope']), ('Bearer', 600, 'points:read review:read'))
        header = json.loads(jwt_part(body['access_token'], 0))
        self.assertEqual((header['typ'], header['alg']), ('at+jwt', 'HS256'))
        claims = json.loads(jwt_part(body['access_token'], 1))
        self.assertEqual((claims['iss'], claims['aud'], claims['sub'],
                claims['client_id']),
            ('laisui', 'laisui-api-v1', client_id, client_id))

        response = self.client().post(self.url('/token'), data={
                'grant_type': 'client_credentials', 'scope': 'review:read',
                'client_id': client_id, 'client_secret': secret})
        self.assertEqual(response.json['scope'], 'review:read')
        self.assertIn(f'API token {client_id} review:read',
            [d for _, d, _ in self.audit('login')])

    def test_token_refused(self):
        "Wrong secret, unknown client, other grant, scope not given"
        client_id, secret = self.client_for('points:read')
        for data, headers, status, error in [
                ({'grant_type': 'client_credentials'},
                    basic(client_id, secret + 'x'), 401, 'invalid_client'),
                ({'grant_type': 'client_credentials'},
                    basic('lsc_nobody', secret), 401, 'invalid_client'),
                ({'grant_type': 'client_credentials'}, {}, 401,
                    'invalid_client'),
                ({'grant_type': 'password', 'username': 'admin',
                        'password': 'x'},
                    basic(client_id, secret), 400, 'unsupported_grant_type'),
                ({'grant_type': 'client_credentials',
                        'scope': 'points:read personal:read'},
                    basic(client_id, secret), 400, 'invalid_scope'),
                ]:
            with self.subTest(data=data, error=error):
                response = self.client().post(self.url('/token'),
                    data=data, headers=headers)
                self.assertEqual(response.status_code, status)
                self.assertEqual(response.json['error'], error)
                self.assertNotIn('access_token', response.json)

    def test_statements_masked(self):
        "A page of statements, names and ID numbers masked"
        headers = self.bearer('points:read')
        response = self.get('/statements?limit=1', headers)
        self.assertEqual(response.status_code, 200, response.text)
        page = response.json
        statement, = page['items']
        self.assertEqual(statement['applicant']['name'], '陈*燕')
        self.assertEqual(statement['applicant']['id_number'],
            '440524********1221')
        self.assertNotIn(ID_NUMBER, response.text)
        self.assertNotIn('陈小燕', response.text)
        self.assertTrue(statement['lines'])
        self.assertEqual(statement['total'],
            sum(line['points'] for line in statement['lines']))
        self.assertTrue(page['next'].endswith(
                f'/statements?after={statement["id"]}&limit=1'))
        second = self.get(page['next'].split('/api/v1')[1], headers).json
        self.assertEqual(second['items'][0]['applicant']['name'], '王*明')
        self.assertEqual(self.get(
                f'/statements?after={second["items"][0]["id"]}',
                headers).json, {'items': [], 'next': None})
        one = self.get(f'/statements/{statement["id"]}', headers).json
        self.assertEqual(one, statement)
        self.assertEqual(response.headers['RateLimit-Limit'], '600')
        calls = [(v, d.split()[1:3]) for v, d, u in self.audit('api_call')
            if u and u.startswith('api.')]
        self.assertIn(('1', ['points:read', 'GET']), calls)

    def test_cases(self):
        "Where a points verification stands, the applicant masked"
        headers = self.bearer('review:read')
        page = self.get('/cases', headers).json
        case, = page['items']
        self.assertEqual((case['document'], case['state'],
                case['applicant']['name']),
            ('laisui.review.points_request', 'open', '陈**7'))
        self.assertTrue(case['stage'])
        self.assertEqual(self.get('/cases?state=approved', headers).json,
            {'items': [], 'next': None})
        self.assertProblem(self.get('/cases?state=done', headers), 400,
            '参数 state 的值无效')
        self.assertEqual(self.get(f'/cases/{case["id"]}', headers).json,
            case)

    def test_credentials(self):
        "A credential and whether it holds now, by its number"
        headers = self.bearer('voucher:read')
        with Transaction().start(self.db_name, 0):
            Credential = Pool().get('laisui.credential')
            numbers = {c.title: c.number for c in Credential.search([])}
        valid = self.get(f'/credentials/{numbers["积分证明"]}', headers).json
        self.assertEqual((valid['kind'], valid['state'], valid['revoked_at']),
            ('certificate', 'valid', None))
        revoked = self.get(f'/credentials/{numbers["已撤销的积分证明"]}',
            headers).json
        self.assertEqual(revoked['state'], 'revoked')
        self.assertTrue(revoked['revoked_at'].endswith('Z'))
        self.assertNotIn('陈小燕', json.dumps(revoked, ensure_ascii=False))
        self.assertProblem(self.get('/credentials/JF-0000', headers), 404,
            '记录不存在')

    def test_lines_need_their_own_access(self):
        "Statements whose lines the scope's groups may not read: 403"
        headers = self.bearer('points:read')

        def line_access(allowed):
            pool = Pool()
            Access = pool.get('ir.model.access')
            Data = pool.get('ir.model.data')
            Access.write([Access(Data.get_id('laisui_api',
                                'access_points_statement_line_group_api_points'))],
                {'perm_read': allowed})
        committed(self.db_name, lambda: line_access(False))
        try:
            self.assertProblem(self.get('/statements', headers), 403,
                '积分明细行')
        finally:
            committed(self.db_name, lambda: line_access(True))
        self.assertEqual(self.get('/statements', headers).status_code, 200)

    def test_personal_scope_unmasks_and_audits(self):
        headers = self.bearer('points:read', 'personal:read')
        before = len(self.audit('unmask'))
        response = self.get('/statements?limit=2', headers)
        names = {i['applicant']['name']: i['applicant']['id_number']
            for i in response.json['items']}
        self.assertEqual(names, {
                '陈小燕': ID_NUMBER, '王大明': OTHER_ID_NUMBER})
        unmasks = self.audit('unmask')[before:]
        self.assertEqual([v for v, _, _ in unmasks], ['2'])

    def test_bad_parameters(self):
        headers = self.bearer('points:read', 'admission:read')
        for path, detail in [
                ('/statements?limit=0', '参数 limit 须为 1 至 500 之间的整数'),
                ('/statements?limit=501', '参数 limit 须为 1 至 500 之间的整数'),
                ('/statements?limit=abc', '参数 limit'),
                ('/statements?after=-1', '参数 after'),
                ('/statements?after=2147483648',
                    '参数 after 须为 0 至 2147483647 之间的整数'),
                ('/admission-results?run=0', '参数 run'),
                ('/statements/abc', '路径中的 id 须为正整数'),
                ('/statements/0', '路径中的 id 须为正整数'),
                ]:
            with self.subTest(path=path):
                self.assertProblem(self.get(path, headers), 400, detail)
        self.assertProblem(self.get('/statements/999999', headers), 404,
            '记录不存在')

    def test_unauthenticated_and_wrong_scope(self):
        client_id, secret = self.client_for('review:read')
        good = self.token(client_id, secret)
        key = token_module.signing_key
        now = int(time.time())

        def forged(claims=None, header=None, key_=None):
            with Transaction().start(self.db_name, 0):
                signing = key_ or key()
                values = dict({'iss': 'laisui', 'aud': 'laisui-api-v1',
                        'sub': client_id, 'client_id': client_id,
                        'iat': now, 'exp': now + 600, 'jti': 'x',
                        'scope': 'review:read'}, **(claims or {}))
                return jwt.encode(dict({'alg': 'HS256', 'typ': 'at+jwt'},
                        **(header or {})), values, signing)
        for name, authorization in [
                ('none', None),
                ('basic', 'Basic YWRtaW46YWRtaW4='),
                ('garbage', 'Bearer abc.def.ghi'),
                ('expired', f'Bearer {forged({"exp": now - 1})}'),
                ('audience', f'Bearer {forged({"aud": "other"})}'),
                ('issuer', f'Bearer {forged({"iss": "other"})}'),
                ('typ', f'Bearer {forged(header={"typ": "JWT"})}'),
                ('key', f'Bearer {forged(key_=OctKey.generate_key(256))}'),
                ('unsigned', 'Bearer ' + unsigned(good)),
                ]:
            with self.subTest(name=name):
                headers = {'Authorization': authorization} if (
                    authorization) else {}
                response = self.get('/cases', headers)
                self.assertProblem(response, 401, '未提供有效的访问令牌')
                self.assertEqual(response.headers['WWW-Authenticate'],
                    'Bearer realm="laisui"')
        self.assertEqual(self.get('/cases', {
                    'Authorization': f'Bearer {forged()}'}).status_code, 200)
        response = self.get('/statements', {
                'Authorization': f'Bearer {good}'})
        self.assertProblem(response, 403, '访问令牌没有此资源所需的 scope“points:read”')

    def test_client_changes_apply_at_once(self):
        "A withdrawn scope or a deactivated client stops valid tokens"
        client_id, secret = self.client_for('points:read', 'review:read')
        headers = {'Authorization': f'Bearer {self.token(client_id, secret)}'}
        self.assertEqual(self.get('/statements', headers).status_code, 200)

        def withdraw():
            pool = Pool()
            Client = pool.get('laisui.api.client')
            Scope = pool.get('laisui.api.scope')
            client, = Client.search([('client_id', '=', client_id)])
            points, = Scope.search([('code', '=', 'points:read')])
            Client.write([client], {'scopes': [('remove', [points.id])]})
        committed(self.db_name, withdraw)
        self.assertEqual(self.get('/statements', headers).status_code, 403)
        self.assertEqual(self.get('/cases', headers).status_code, 200)

        def deactivate():
            Client = Pool().get('laisui.api.client')
            Client.write(Client.search([('client_id', '=', client_id)]),
                {'active': False})
        committed(self.db_name, deactivate)
        self.assertEqual(self.get('/cases', headers).status_code, 401)
        response = self.client().post(self.url('/token'),
            data={'grant_type': 'client_credentials'},
            headers=basic(client_id, secret))
        self.assertEqual(response.status_code, 401)

    def test_rate_limit(self):
        headers = self.bearer('points:read', rate_limit=3)
        remaining = []
        for _ in range(3):
            response = self.get('/statements?limit=1', headers)
            self.assertEqual(response.status_code, 200)
            remaining.append(response.headers['RateLimit-Remaining'])
        self.assertEqual(remaining, ['2', '1', '0'])
        response = self.get('/statements?limit=1', headers)
        self.assertProblem(response, 429, '每分钟最多 3 次')
        retry = int(response.headers['Retry-After'])
        self.assertTrue(1 <= retry <= 60, retry)
        self.assertEqual(response.headers['RateLimit-Remaining'], '0')

    def post_checks(self, headers, body, key='k1'):
        if key:
            headers = dict(headers, **{'Idempotency-Key': key})
        return self.client().post(self.url('/integrity-checks'),
            data=json.dumps(body), content_type='application/json',
            headers=headers)

    def test_integrity_checks(self):
        "Barred from 2026-03-02 to 2031-03-01 (5 years, false material)"
        headers = self.bearer('integrity:check')
        questions = [
            {'id_number': ID_NUMBER, 'service': 'admission'},
            {'id_number': OTHER_ID_NUMBER, 'service': 'admission'},
            {'id_number': '11010119900307803X', 'service': 'points'},
            ]
        for date, barred in [('2026-03-01', False), ('2026-03-02', True),
                ('2031-03-01', True), ('2031-03-02', False)]:
            with self.subTest(date=date):
                response = self.post_checks(headers,
                    {'date': date, 'checks': questions}, key=date)
                self.assertEqual(response.status_code, 200, response.text)
                results = response.json['results']
                self.assertEqual(results[0], {
                        'id_number': '440524********1221',
                        'service': 'admission', 'known': True,
                        'allowed': not barred,
                        'kind': 'false_material' if barred else None,
                        'barred_until': '2031-03-01' if barred else None,
                        })
                self.assertEqual([(r['known'], r['allowed'])
                        for r in results[1:]], [(True, True), (False, True)])
        self.assertNotIn('房东', response.text)

    def test_integrity_checks_bad_input(self):
        headers = self.bearer('integrity:check')
        good = {'id_number': ID_NUMBER, 'service': 'admission'}
        calls = len(self.audit('api_call'))
        for body, detail in [
                ({}, '请求体须为 {"checks": [...]}'),
                ({'checks': []}, '含 1 至 500 个问题'),
                ({'checks': [good] * 501}, '含 1 至 500 个问题'),
                ({'checks': [good], 'other': 1}, '请求体须为'),
                ({'checks': [good, {'id_number': ID_NUMBER}]},
                    '第 1 个问题须为'),
                ({'checks': [{'id_number': '440524199001011222',
                                'service': 'admission'}]},
                    '第 0 个问题的身份证号码无效'),
                ({'checks': [{'id_number': ID_NUMBER, 'service': 'nope'}]},
                    '第 0 个问题的服务“nope”不存在'),
                ({'checks': [good], 'date': '2026-02-30'}, '参数 date'),
                ]:
            with self.subTest(body=str(body)[:60]):
                self.assertProblem(self.post_checks(headers, body,
                        key=json.dumps(body)[:200]), 400, detail)
        response = self.client().post(self.url('/integrity-checks'),
            data='not json', content_type='application/json',
            headers=dict(headers, **{'Idempotency-Key': 'x'}))
        self.assertProblem(response, 400, '请求体须为 JSON 对象')
        self.assertEqual(len(self.audit('api_call')), calls)

    def test_idempotency(self):
        headers = self.bearer('integrity:check')
        body = {'checks': [{'id_number': ID_NUMBER, 'service': 'points'}]}
        self.assertProblem(self.post_checks(headers, body, key=None), 400,
            'POST 请求须带 Idempotency-Key')
        first = self.post_checks(headers, body, key='once')
        self.assertEqual(first.status_code, 200)
        self.assertNotIn('Idempotent-Replayed', first.headers)
        calls = len(self.audit('api_call'))
        again = self.post_checks(headers, body, key='once')
        self.assertEqual((again.status_code, again.data),
            (200, first.data))
        self.assertEqual(again.headers['Idempotent-Replayed'], 'true')
        self.assertEqual(len(self.audit('api_call')), calls)
        other = dict(body, date='2030-01-01')
        self.assertProblem(self.post_checks(headers, other, key='once'),
            422, '该 Idempotency-Key 已用于另一个请求')
        # Another client's keys are its own.
        self.assertEqual(self.post_checks(self.bearer('integrity:check'),
                other, key='once').status_code, 200)

    def test_who_manages_clients(self):
        "The security administrator makes clients; others may not"
        with Transaction().start(self.db_name, 0) as transaction:
            pool = Pool()
            Client = pool.get('laisui.api.client')
            security = staff('security01', 'group_security_admin')
            district = staff('district01', 'group_district_admin')
            auditor = staff('auditor01', 'group_auditor')
            with acting(security):
                client, = Client.create([{'name': "市人社局"}])
                self.assertTrue(client.user)
            with acting(auditor):
                self.assertEqual(Client.search_count(
                        [('id', '=', client.id)]), 1)
            for user in [district, auditor]:
                with self.subTest(user=user.login), acting(user):
                    with self.assertRaises(AccessError):
                        Client.create([{'name': "另一系统"}])
                    with self.assertRaises(AccessError):
                        Client.write([Client(client.id)],
                            {'rate_limit': 10 ** 6})
            with acting(security), self.assertRaises(AccessError):
                Client.read([client.id], ['secret_digest'])
            transaction.rollback()

    def test_scope_cannot_give_administration(self):
        def give():
            pool = Pool()
            Scope = pool.get('laisui.api.scope')
            Data = pool.get('ir.model.data')
            scope, = Scope.search([('code', '=', 'points:read')])
            Scope.write([scope], {'groups': [('add', [
                                Data.get_id('res', 'group_admin')])]})
        with self.assertRaises(Exception) as context:
            committed(self.db_name, give)
        self.assertIn('管理员与三员角色不能通过接口授予',
            str(context.exception))

    def test_openapi_document(self):
        response = self.get('/openapi.json')
        self.assertEqual(response.status_code, 200)
        document = response.json
        self.assertEqual(document['openapi'], '3.0.3')
        self.assertEqual(document['servers'],
            [{'url': f'/{self.db_name}/api/v1'}])
        self.assertEqual(set(document['paths']), {
                '/token', '/statements', '/statements/{id}', '/cases',
                '/cases/{id}', '/admission-results', '/credentials/{number}',
                '/integrity-checks'})
        flow = document['components']['securitySchemes']['oauth2'][
            'flows']['clientCredentials']
        self.assertEqual(flow['tokenUrl'], f'/{self.db_name}/api/v1/token')
        self.assertIn('points:read', flow['scopes'])
        self.assertEqual(
            document['paths']['/statements']['get']['security'],
            [{'oauth2': ['points:read']}])


def jwt_part(token, index):
    part = token.split('.')[index]
    return base64.urlsafe_b64decode(part + '=' * (-len(part) % 4))


def unsigned(token):
    "The token's claims under alg none, no signature"
    header = base64.urlsafe_b64encode(
        b'{"alg":"none","typ":"at+jwt"}').rstrip(b'=').decode()
    return f'{header}.{token.split(".")[1]}.'


del RouteTestCase
