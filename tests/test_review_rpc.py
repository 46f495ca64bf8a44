# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Two reviewers decide the same case, and two department reviewers the
same line, at the same moment through the real server: one wins, the
other is told, and the audit holds one entry."""
import json

from conftest import STAFF_PASSWORD, at_once

SETUP = f'''
from trytond.modules.laisui_review.tests.tools import (
    department, make_applicant, submit)
User = pool.get('res.user')
Data = pool.get('ir.model.data')
Case = pool.get('laisui.review.case')
def user(login, group, departments=()):
    if not User.search([('login', '=', login)]):
        User.create([{{'name': login, 'login': login,
            'password': '{STAFF_PASSWORD}',
            'groups': [('add', [Data.get_id('laisui_base', group)])],
            'laisui_departments': [('add', [department(d).id
                for d in departments])]}}])
user('rev_a', 'group_district_reviewer')
user('rev_b', 'group_district_reviewer')
user('hr_a', 'group_department_reviewer', ['RS'])
user('hr_b', 'group_department_reviewer', ['RS'])
serial = 100 + len(Case.search([]))
case = submit(make_applicant(serial, insurance_from=dt.date(2018, 1, 1)))
with Transaction().set_user(0):
    for _ in range({{passes}}):
        Case.decide([Case(case.id)], 'pass')
case = Case(case.id)
insurance, = [l for l in case.lines if l.indicator.code == 'insurance']
print(json.dumps({{'case': case.id, 'line': insurance.id,
    'stage': case.stage.code}}))
'''

COUNT = '''
AuditLog = pool.get('laisui.audit.log')
Case = pool.get('laisui.review.case')
Line = pool.get('laisui.review.line')
case, line = Case({case}), Line({line})
print(json.dumps({{
    'stage': case.stage.code,
    'line': line.state,
    'case_decisions': AuditLog.search_count([('resource', '=', str(case)),
        ('from_value', '=', '初审')]),
    'line_decisions': AuditLog.search_count([
        ('resource', '=', str(line))]),
    }}))
'''


def test_two_reviewers_pass_same_case(laisui_server):
    ids = json.loads(laisui_server.python(
            SETUP.replace('{passes}', '2')))
    assert ids['stage'] == 'first_review'
    sessions = [laisui_server.rpc(login, STAFF_PASSWORD)
        for login in ['rev_a', 'rev_b']]
    # Both opened the case form: sao sends its timestamp with the click.
    stamp, = sessions[0]('laisui.review.case', 'read', [ids['case']],
        ['_timestamp'])
    context = {'_timestamp': {
            f"laisui.review.case,{ids['case']}": stamp['_timestamp']}}
    outcomes = at_once(sessions, lambda rpc: rpc(
            'laisui.review.case', 'pass_', [ids['case']], context=context))
    assert outcomes.count('ok') == 1, outcomes
    loser, = [o for o in outcomes if o != 'ok']
    assert '已被他人处理' in loser, loser
    after = json.loads(laisui_server.python(COUNT.format(**ids)))
    assert after['stage'] == 'department_review', after
    assert after['case_decisions'] == 1, after


def test_two_department_reviewers_same_line(laisui_server):
    ids = json.loads(laisui_server.python(
            SETUP.replace('{passes}', '3')))
    assert ids['stage'] == 'department_review'
    sessions = [laisui_server.rpc(login, STAFF_PASSWORD)
        for login in ['hr_a', 'hr_b']]
    outcomes = at_once(sessions, lambda rpc: rpc(
            'laisui.review.line', 'confirm', [ids['line']]))
    assert outcomes.count('ok') == 1, outcomes
    loser, = [o for o in outcomes if o != 'ok']
    assert '已被他人处理' in loser, loser
    after = json.loads(laisui_server.python(COUNT.format(**ids)))
    assert (after['line'], after['line_decisions']) == ('confirmed', 1), after
