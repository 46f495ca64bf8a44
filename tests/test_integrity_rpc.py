# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Two district admins confirm the same integrity record at the same
moment, through the real server: one wins, the other is told."""
import json

from conftest import STAFF_PASSWORD, at_once

SETUP = f'''
User = pool.get('res.user')
Data = pool.get('ir.model.data')
Applicant = pool.get('laisui.applicant')
Record = pool.get('laisui.integrity.record')
group = Data.get_id('laisui_base', 'group_district_admin')
for login in ['admin_a', 'admin_b']:
    if not User.search([('login', '=', login)]):
        User.create([{{'name': login, 'login': login,
            'password': '{STAFF_PASSWORD}', 'groups': [('add', [group])]}}])
applicant, = Applicant.create([{{'name': '赵六',
    'id_number': '440104198808084569', 'phone': '13700137000'}}])
record, = Record.create([{{'applicant': applicant.id,
    'kind': 'false_material', 'description': '社保缴费凭证系伪造'}}])
print(json.dumps({{'record': record.id}}))
'''

COUNT = '''
Entry = pool.get('laisui.integrity.blacklist')
AuditLog = pool.get('laisui.audit.log')
Record = pool.get('laisui.integrity.record')
record = Record({record})
print(json.dumps({{
    'state': record.state,
    'entries': Entry.search_count([('record', '=', record.id)]),
    'audit': AuditLog.search_count([('resource', '=', str(record)),
        ('action', '=', 'state')]),
    }}))
'''


def test_two_admins_confirm_at_once(laisui_server):
    record = json.loads(laisui_server.python(SETUP))['record']
    sessions = [laisui_server.rpc(login, STAFF_PASSWORD)
        for login in ['admin_a', 'admin_b']]
    outcomes = at_once(sessions, lambda rpc: rpc(
            'laisui.integrity.record', 'confirm', [record]))

    assert outcomes.count('ok') == 1, outcomes
    loser, = [o for o in outcomes if o != 'ok']
    assert '已被他人处理' in loser and '已认定' in loser, loser
    after = json.loads(laisui_server.python(COUNT.format(record=record)))
    assert after == {'state': 'confirmed', 'entries': 1, 'audit': 1}
