# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Staff accounts through the real server, as an attacker or a careless
administrator would use JSON-RPC: no takeover, real 三员, every security
event in the audit log with the client's address."""
import json

import pytest
import requests

from conftest import STAFF_PASSWORD, RPCError

SETUP = f'''
User = pool.get('res.user')
Data = pool.get('ir.model.data')
def group(name):
    return Data.get_id('laisui_base', name)
ids = {{}}
for login, groups, email in [
        ('nogroup01', [], None),
        ('sysadmin01', ['group_system_admin'], 'sys@laisui.example'),
        ('secadmin01', ['group_security_admin'], 'sec@laisui.example'),
        ('auditor01', ['group_auditor'], 'audit@laisui.example'),
        ('clerk01', ['group_window_clerk'], 'clerk@laisui.example'),
        ]:
    users = User.search([('login', '=', login)])
    if not users:
        users = User.create([{{'name': login, 'login': login, 'email': email,
            'password': '{STAFF_PASSWORD}',
            'groups': [('add', [group(g) for g in groups])]}}])
    ids[login] = users[0].id
ids['admin'], = [u.id for u in User.search([('login', '=', 'admin')])]
print(json.dumps(ids))
'''

STATE = '''
User = pool.get('res.user')
AuditLog = pool.get('laisui.audit.log')
user = User({user})
print(json.dumps({{
    'groups': sorted(g.id for g in user.groups),
    'email': user.email,
    'reset': bool(user.password_reset),
    'audit': [[e.action, e.resource, e.user.login if e.user else None,
            e.ip_address, e.success, e.detail, e.to_value]
        for e in AuditLog.search([('id', '>', {since})],
            order=[('id', 'ASC')])],
    }}))
'''

LAST_AUDIT = '''
AuditLog = pool.get('laisui.audit.log')
entries = AuditLog.search([], order=[('id', 'DESC')], limit=1)
print(entries[0].id if entries else 0)
'''


@pytest.fixture(scope='module')
def people(laisui_server):
    return json.loads(laisui_server.python(SETUP))


def state(server, user, since):
    return json.loads(server.python(STATE.format(user=user, since=since)))


def last_audit(server):
    return int(server.python(LAST_AUDIT))


def anonymous(server, method, *params):
    return requests.post(f'{server.url}/{server.db}/rpc/', json={
            'id': 1, 'method': method, 'params': list(params)}, timeout=60)


def test_takeover_chain_closed(laisui_server, people):
    "A reset asked anonymously leaves nothing a staff login can read"
    since = last_audit(laisui_server)
    response = anonymous(laisui_server, 'common.db.reset_password',
        'sysadmin01', 'zh_CN')
    assert response.status_code == 200, response.text
    assert state(laisui_server, people['sysadmin01'], since)['reset']

    rpc = laisui_server.rpc('nogroup01', STAFF_PASSWORD)
    for call in [
            lambda: rpc('res.user', 'read', [people['sysadmin01']],
                ['password_reset']),
            lambda: rpc('res.user', 'search_read',
                [('id', '=', people['sysadmin01'])], 0, None, None,
                ['password_reset', 'password_reset_expire']),
            lambda: rpc('res.user', 'search_count',
                [('password_reset', 'like', 'a%')]),
            lambda: rpc('res.user', 'export_data',
                [people['sysadmin01']], ['password_hash']),
            ]:
        with pytest.raises(RPCError) as error:
            call()
        assert '没有访问' in str(error.value), error.value
    after = state(laisui_server, people['sysadmin01'], since)
    resets = [e for e in after['audit'] if e[0] == 'password_reset']
    assert [e[1] for e in resets] == [f"res.user,{people['sysadmin01']}"]
    assert resets[0][3] == '127.0.0.1'


def test_login_events_audited(laisui_server, people):
    "Failed, unknown, successful logins and the logout, with the address"
    since = last_audit(laisui_server)
    for login, password in [('clerk01', 'wrong-Password-1'),
            ('ghost01', 'wrong-Password-1')]:
        response = anonymous(laisui_server, 'common.db.login', login,
            {'password': password}, 'zh_CN')
        assert response.status_code == 401
    rpc = laisui_server.rpc('clerk01', STAFF_PASSWORD)
    rpc._call('common.db.logout', [])
    audit = state(laisui_server, people['clerk01'], since)['audit']
    events = [(e[0], e[2], e[3], e[4], e[5]) for e in audit
        if e[0] in {'login', 'login_failed', 'logout'}]
    assert events == [
        ('login_failed', None, '127.0.0.1', False, 'login=clerk01'),
        ('login_failed', None, '127.0.0.1', False, 'login=ghost01'),
        ('login', 'clerk01', '127.0.0.1', True, 'login=clerk01'),
        ('logout', 'clerk01', '127.0.0.1', True, 'login=clerk01'),
        ]


def test_three_admins(laisui_server, people):
    "三员 over RPC: each refusal is a clear message and changes nothing"
    clerk = people['clerk01']
    since = last_audit(laisui_server)
    before = state(laisui_server, clerk, since)
    sysadmin = laisui_server.rpc('sysadmin01', STAFF_PASSWORD)
    secadmin = laisui_server.rpc('secadmin01', STAFF_PASSWORD)
    reviewer = json.loads(laisui_server.python(
            "print(pool.get('ir.model.data').get_id("
            "'laisui_base', 'group_district_reviewer'))"))
    admin_group = json.loads(laisui_server.python(
            "print(pool.get('ir.model.data').get_id('res', 'group_admin'))"))
    grant = {'groups': [['add', [reviewer]]], 'laisui_grant_reason': '调岗'}
    for session, user, values, text in [
            # Field access on the groups answers first.
            (sysadmin, clerk, grant, '没有访问'),
            (sysadmin, people['secadmin01'],
                {'email': 'mine@laisui.example'}, '只有安装管理员'),
            (sysadmin, people['secadmin01'],
                {'password': 'Taken-Over-2026'}, '不能为他人设置密码'),
            (secadmin, people['secadmin01'], grant, '不能修改自己的角色'),
            (secadmin, clerk, {'groups': [['add', [admin_group]]],
                    'laisui_grant_reason': '调岗'}, '系统管理'),
            (secadmin, clerk, {'groups': [['add', [reviewer]]]}, '原因'),
            ]:
        with pytest.raises(RPCError) as error:
            session('res.user', 'write', [user], values)
        assert text in str(error.value), (values, error.value)
    after = state(laisui_server, clerk, since)
    assert after['groups'] == before['groups']
    assert not [e for e in after['audit'] if e[0] in {'grant', 'revoke'}]
    assert state(laisui_server, people['secadmin01'], since)['email'] == (
        'sec@laisui.example')
    # The security admin's password is still its own.
    laisui_server.rpc('secadmin01', STAFF_PASSWORD)

    secadmin('res.user', 'write', [clerk], grant)
    after = state(laisui_server, clerk, since)
    assert after['groups'] == sorted(before['groups'] + [reviewer])
    grants = [e for e in after['audit'] if e[0] == 'grant']
    assert [(g[1], g[2], g[5]) for g in grants] == [
        (f'res.user,{clerk}', 'secadmin01', '调岗')]

    # The auditor reads the trail; nobody else does, nobody changes it.
    auditor = laisui_server.rpc('auditor01', STAFF_PASSWORD)
    assert auditor('laisui.audit.log', 'search_count', [])
    for session in [sysadmin, secadmin]:
        with pytest.raises(RPCError):
            session('laisui.audit.log', 'search_count', [])
    entry, = auditor('laisui.audit.log', 'search', [], 0, 1)
    with pytest.raises(RPCError):
        auditor('laisui.audit.log', 'write', [entry], {'detail': 'x'})


PEOPLE = '''
Applicant = pool.get('laisui.applicant')
Member = pool.get('laisui.family.member')
applicants = Applicant.search([('id_number', '=', '440104198303036019')])
if not applicants:
    applicants = Applicant.create([{'name': '蒋十三',
        'id_number': '440104198303036019', 'phone': '13711112222',
        'family': [('create', [{'name': '蒋小明', 'relation': 'child',
            'id_number': '440104201505056012'}])]}])
print(json.dumps(applicants[0].id))
'''


def test_no_full_number_over_rpc(laisui_server, people):
    "Each role, each field of the people's models: no whole number back"
    laisui_server.python(PEOPLE)
    numbers = ['440104198303036019', '13711112222', '440104201505056012']
    logins = ['clerk01', 'reviewer01', 'dadmin01', 'auditor01',
        'sysadmin01', 'secadmin01', 'nogroup01']
    read = 0
    for login in logins:
        rpc = laisui_server.rpc(login, STAFF_PASSWORD)
        for model in ['laisui.applicant', 'laisui.family.member']:
            for name in rpc(model, 'fields_get', []):
                try:
                    rows = rpc(model, 'search_read', [], 0, 50, None,
                        [name])
                except RPCError:
                    continue
                read += 1
                text = json.dumps(rows, ensure_ascii=False)
                assert not any(n in text for n in numbers), (
                    login, model, name)
            for path in ['id_number', 'phone']:
                if path == 'phone' and model == 'laisui.family.member':
                    continue
                with pytest.raises(RPCError):
                    ids = rpc(model, 'search', [], 0, 50)
                    rpc(model, 'export_data', ids, [path])
    # The district staff did read the other fields.
    assert read > 40, read
