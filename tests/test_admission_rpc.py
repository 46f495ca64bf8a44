# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Two district admins launch the same allocation run at the same moment
through the real server: one runs it, the other is told, and the results
are written once."""
import json

from conftest import STAFF_PASSWORD, at_once

SETUP = f'''
from decimal import Decimal
from trytond.modules.laisui_admission.tests.tools import (
    CUTOFF, child_of, draft_application, make_schools)
from trytond.modules.laisui_review.tests.tools import make_applicant
User = pool.get('res.user')
Data = pool.get('ir.model.data')
Round = pool.get('laisui.admission.round')
Run = pool.get('laisui.admission.run')
Application = pool.get('laisui.admission.application')
for login in ['adm_a', 'adm_b']:
    User.create([{{'name': login, 'login': login,
        'password': '{STAFF_PASSWORD}',
        'groups': [('add', [Data.get_id('laisui_base',
            'group_district_admin')])]}}])
now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
round_, = Round.create([{{'name': '并发批次', 'year': 2021,
    'points_cutoff': CUTOFF, 'age_date': dt.date(2021, 8, 31),
    'application_start': now - dt.timedelta(days=1),
    'application_end': now + dt.timedelta(days=1)}}])
Round.open([round_])
Round.commit_seed([round_])
schools = make_schools(round_, [2])
for n in range(3):
    applicant = make_applicant(700 + n)
    application = draft_application(round_, applicant,
        child_of(applicant, 700 + n), schools)
    Application.write([application], {{'state': 'eligible',
        'score': Decimal(90 - n), 'tie_points': '1',
        'child_id_number': application.child.id_number}})
run, = Run.create([{{'round': round_.id}}])
print(json.dumps(run.id))
'''

COUNT = '''
AuditLog = pool.get('laisui.audit.log')
Run = pool.get('laisui.admission.run')
Result = pool.get('laisui.admission.run.result')
run = Run({run})
print(json.dumps([run.state, Result.search_count([('run', '=', run.id)]),
    AuditLog.search_count([('resource', '=', str(run)),
        ('to_value', '=', 'done')])]))
'''


def test_two_admins_launch_same_run(laisui_server):
    run = json.loads(laisui_server.python(SETUP))
    sessions = [laisui_server.rpc(login, STAFF_PASSWORD)
        for login in ['adm_a', 'adm_b']]
    outcomes = at_once(sessions, lambda rpc: rpc(
            'laisui.admission.run', 'execute', [run]))
    assert outcomes.count('ok') == 1, outcomes
    loser, = [o for o in outcomes if o != 'ok']
    assert '已被他人处理' in loser, loser
    state, results, audited = json.loads(
        laisui_server.python(COUNT.format(run=run)))
    assert (state, results, audited) == ('done', 3, 1)
