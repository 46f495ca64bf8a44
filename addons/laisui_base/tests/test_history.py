# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""History review: each record's changes with their old and new values,
the audit log read with names, searched by person, record and period."""
import datetime as dt

from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.pyson import PYSONEncoder
from trytond.modules.laisui_base.tests.tools import (
    ActivatedTestCase, acting, has_history, history_entries, staff)
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

REASON = "新入职窗口人员"


def group(name):
    return Pool().get('ir.model.data').get_id('laisui_base', name)


def history(resource, action='write'):
    AuditLog = Pool().get('laisui.audit.log')
    return AuditLog.search([
            ('resource', '=', str(resource)), ('action', '=', action)],
        order=[('id', 'ASC')])


def utc(*args):
    "Naive UTC of a Guangzhou wall-clock time"
    local = dt.datetime(*args, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return local.astimezone(dt.timezone.utc).replace(tzinfo=None)


class HistoryTestCase(ActivatedTestCase):
    "History review"
    modules = ['laisui_base']

    @with_transaction()
    def test_group_change_old_and_new(self):
        "A grant is in the user's history with the groups before and after"
        pool = Pool()
        User = pool.get('res.user')
        Group = pool.get('res.group')
        secadmin = staff('secadmin', 'group_security_admin')
        clerk = staff('clerk', 'group_district_reviewer')
        window = group('group_window_clerk')
        reviewer_name = Group(group('group_district_reviewer')).rec_name
        window_name = Group(window).rec_name
        before = set(history(clerk))

        with acting(secadmin):
            User.write([User(clerk.id)], {
                    'groups': [('add', [window])],
                    'laisui_grant_reason': REASON})

        entry, = [e for e in history(clerk) if e not in before]
        self.assertEqual(entry.user, secadmin)
        self.assertEqual(entry.detail, 'clerk: groups')
        self.assertEqual(entry.from_value, reviewer_name)
        self.assertEqual(entry.to_value,
            '、'.join(sorted([reviewer_name, window_name])))
        self.assertEqual(entry.field_label, '用户组')
        self.assertEqual(entry.resource_name, 'clerk')

    @with_transaction()
    def test_group_members_old_and_new(self):
        "Members added from the group's side are in the group's history"
        pool = Pool()
        Group = pool.get('res.group')
        admin = pool.get('res.user')(1)
        first = staff('first')
        second = staff('second')
        team, = Group.create([{'name': "专班",
                    'users': [('add', [first.id])]}])
        with acting(admin), Transaction().set_context(
                laisui_grant_reason=REASON):
            Group.write([Group(team.id)], {'users': [('add', [second.id])]})
        entry, = history(team, 'security_config')[-1:]
        self.assertEqual(entry.detail, '专班: users')
        self.assertEqual(
            (entry.from_value, entry.to_value), ('first', 'first、second'))

    @with_transaction()
    def test_personal_value_masked(self):
        "A new mobile number is in the history masked, never whole"
        pool = Pool()
        User = pool.get('res.user')
        AuditLog = pool.get('laisui.audit.log')
        sysadmin = staff('sysadmin', 'group_system_admin')
        clerk = staff('clerk')
        with acting(sysadmin):
            User.write([User(clerk.id)], {'mobile_masked': '13800138000'})
            User.write([User(clerk.id)], {'mobile_masked': '13900139001'})

        entries = [e for e in history(clerk) if e.detail == 'clerk: mobile']
        self.assertEqual(
            [(e.from_value, e.to_value) for e in entries],
            [(None, '138****8000'), ('138****8000', '139****9001')])
        for number in ['13800138000', '13900139001']:
            self.assertEqual(AuditLog.search(['OR',
                        ('from_value', 'like', f'%{number}%'),
                        ('to_value', 'like', f'%{number}%'),
                        ('detail', 'like', f'%{number}%')]), [])

    @with_transaction()
    def test_department_change_and_name(self):
        "A department's edit has its values; the entry shows its name"
        pool = Pool()
        Department = pool.get('laisui.department')
        AuditLog = pool.get('laisui.audit.log')
        auditor = staff('auditor', 'group_auditor')
        department, = Department.create([{'name': "人社局", 'code': 'T1'}])
        with acting(staff('distadmin', 'group_district_admin')):
            Department.write([Department(department.id)],
                {'name': "人力资源和社会保障局"})

        with acting(auditor):
            entry, = [e for e in AuditLog.browse(history(department))
                if e.detail.endswith(': name')]
            self.assertEqual(entry.detail, '人力资源和社会保障局: name')
            self.assertEqual(
                (entry.from_value, entry.to_value),
                ("人社局", "人力资源和社会保障局"))
            self.assertEqual(entry.resource_model, 'laisui.department')
            self.assertEqual(entry.resource_id, department.id)
            self.assertEqual(entry.resource_name, "人力资源和社会保障局")
            self.assertEqual(entry.field_label, '名称')
            kinds = dict(AuditLog.get_resource_models())
            self.assertEqual(kinds['laisui.department'], '职能部门')

    @with_transaction()
    def test_unreadable_record_shows_kind_and_number(self):
        "A record the reader may not read shows its kind and number only"
        pool = Pool()
        AuditLog = pool.get('laisui.audit.log')
        Department = pool.get('laisui.department')
        RuleGroup = pool.get('ir.rule.group')
        auditor = staff('auditor', 'group_auditor')
        seen, hidden = Department.create([
                {'name': "看得见局", 'code': 'A'},
                {'name': "看不见局", 'code': 'B'}])
        # The auditor's record rule lets it read department A only.
        RuleGroup.create([{
                    'name': "A only", 'model': 'laisui.department',
                    'global_p': False, 'perm_read': True,
                    'groups': [('add', [group('group_auditor')])],
                    'rules': [('create', [{'domain': PYSONEncoder().encode(
                                        [('code', '=', 'A')])}])],
                    }])
        resources = [str(seen), str(hidden), 'laisui.department,999999',
            'laisui.secret,1']
        for resource in resources:
            AuditLog.log('write', resource=resource, detail='probe')

        with acting(auditor):
            entries = AuditLog.search([('detail', '=', 'probe')],
                order=[('id', 'ASC')])
            # As sao reads them, and as server code browses them.
            read = AuditLog.read([e.id for e in entries], ['resource_name'])
            self.assertEqual(
                [r['resource_name'] for r in read],
                [e.resource_name for e in entries])
            self.assertEqual([e.resource_name for e in entries], [
                    "看得见局",
                    f'职能部门 #{hidden.id}',
                    '职能部门 #999999',
                    '系统密钥 #1',
                    ])
            self.assertEqual(
                [e.resource_model for e in entries][:2],
                ['laisui.department', 'laisui.department'])

    @with_transaction()
    def test_search_by_user_record_and_period(self):
        "Entries are found by their person, their record and their day"
        pool = Pool()
        AuditLog = pool.get('laisui.audit.log')
        Department = pool.get('laisui.department')
        one = staff('one')
        two = staff('two')
        first, second = Department.create([
                {'name': "甲", 'code': 'A'}, {'name': "乙", 'code': 'B'}])
        times = {
            'day before': utc(2026, 3, 9, 23, 59, 59),
            'midnight': utc(2026, 3, 10, 0, 0, 0),
            'evening': utc(2026, 3, 10, 23, 59, 59),
            'day after': utc(2026, 3, 11, 0, 0, 0),
            }
        logged = []
        for label, when in times.items():
            with Transaction().set_context(_laisui_now=when), \
                    Transaction().set_user(one.id):
                logged += AuditLog.log('write', resource=first, detail=label)
        with Transaction().set_user(two.id):
            logged += AuditLog.log('write', resource=second, detail='other')
            logged += AuditLog.log('write', resource=f'res.user,{first.id}',
                detail='same number')
            # "_" of a model name is no wildcard
            logged += AuditLog.log('write',
                resource='laisui.privacy_notice,5', detail='notice')
            logged += AuditLog.log('write',
                resource='laisui.privacyXnotice,5', detail='lookalike')

        def details(domain):
            return sorted(e.detail for e in AuditLog.search(
                    [('id', 'in', [e.id for e in logged])] + domain))

        day = dt.date(2026, 3, 10)
        by_one = [('user', '=', one.id)]
        self.assertEqual(details(by_one + [('date', '=', day)]),
            ['evening', 'midnight'])
        self.assertEqual(details(
                by_one + [('date', '>=', day), ('date', '<=', day)]),
            ['evening', 'midnight'])
        self.assertEqual(details(by_one + [('date', '<', day)]),
            ['day before'])
        self.assertEqual(details(by_one + [('date', '>', day)]),
            ['day after'])
        self.assertEqual(
            details(by_one + [('date', '=', day - dt.timedelta(1))]),
            ['day before'])
        self.assertEqual(
            details(by_one + [('date', '=', day + dt.timedelta(1))]),
            ['day after'])
        self.assertEqual(
            AuditLog.search([('detail', '=', 'midnight')])[0].date, day)

        self.assertEqual(details([('user', '=', two.id)]),
            ['lookalike', 'notice', 'other', 'same number'])
        self.assertEqual(details(
                [('resource_model', '=', 'laisui.privacy_notice')]),
            ['notice'])
        self.assertEqual(details([
                    ('resource_model', '=', 'laisui.department'),
                    ('resource_id', '=', first.id)]),
            ['day after', 'day before', 'evening', 'midnight'])
        self.assertEqual(details([
                    ('resource_model', '=', 'res.user'),
                    ('resource_id', '=', first.id)]), ['same number'])

    @with_transaction()
    def test_history_opens_only_the_record(self):
        "历史记录 opens the entries of the selected record, no other one"
        pool = Pool()
        AuditLog = pool.get('laisui.audit.log')
        Department = pool.get('laisui.department')
        auditor = staff('auditor', 'group_auditor')
        first, second = Department.create([
                {'name': "甲", 'code': 'A'}, {'name': "乙", 'code': 'B'}])
        for resource in [first, second, f'res.user,{first.id}']:
            AuditLog.log('write', resource=resource, detail=str(resource))

        with acting(auditor):
            entries = history_entries('laisui.department', [first.id])
        self.assertEqual({e.resource for e in entries}, {str(first)})
        self.assertEqual(entries, AuditLog.search(
                [('resource', '=', str(first))]))

    @with_transaction()
    def test_history_only_for_auditors(self):
        "Who does not read the audit log has no 历史记录 and no entry"
        pool = Pool()
        AuditLog = pool.get('laisui.audit.log')
        Department = pool.get('laisui.department')
        auditor = staff('auditor', 'group_auditor')
        reviewer = staff('reviewer', 'group_district_reviewer')
        department, = Department.create([{'name': "甲", 'code': 'A'}])

        for user, shown in [(auditor, True), (reviewer, False)]:
            with self.subTest(user=user.login), acting(user):
                self.assertEqual(has_history('laisui.department'), shown)
                self.assertEqual(has_history('res.user'), shown)
                self.assertEqual(has_history('res.group'), shown)
        with acting(reviewer), self.assertRaises(AccessError):
            AuditLog.search([('resource', '=', str(department))])
