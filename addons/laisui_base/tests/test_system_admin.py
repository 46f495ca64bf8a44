# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""系统管理: users, roles and department members for the 三员 only, and
the departments left without an active member."""
from trytond.model.exceptions import AccessError
from trytond.model.modelsql import SQLConstraintError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .tools import ActivatedTestCase, acting, staff

ACTIONS = ['act_staff_user', 'act_staff_role', 'act_department_member']


def data_id(name, module='laisui_base'):
    return Pool().get('ir.model.data').get_id(module, name)


def department(code, name=None):
    Department = Pool().get('laisui.department')
    record, = Department.create([{'code': code, 'name': name or code}])
    return record


def visible_menus(user):
    "The xml ids of the menus under 系统管理 the user sees"
    Menu = Pool().get('ir.ui.menu')
    ids = {data_id(n): n for n in ['menu_system_admin', 'menu_staff_user',
            'menu_staff_role', 'menu_department_member']}
    with acting(user):
        return {ids[m.id] for m in Menu.search([('id', 'in', list(ids))])}


def openable_actions(user):
    "The actions of 系统管理 the user may open"
    Action = Pool().get('ir.action')
    names = {}
    for name in ACTIONS:
        names[Pool().get('ir.action.act_window')(data_id(name)).action.id] = (
            name)
    with acting(user):
        found = Action.search([('id', 'in', list(names))])
        return {names[a.id] for a in found}


class SystemAdminTestCase(ActivatedTestCase):
    "System administration menu and departments without people"
    modules = ['laisui_base']

    @with_transaction()
    def test_menus_in_chinese(self):
        "The menu and its actions read in zh_CN"
        Menu = Pool().get('ir.ui.menu')
        with Transaction().set_context(language='zh_CN'):
            names = [Menu(data_id(n)).name for n in ['menu_system_admin',
                    'menu_staff_user', 'menu_staff_role',
                    'menu_department_member']]
        self.assertEqual(names, ["系统管理", "用户", "角色", "部门成员"])
        self.assertEqual(Menu(data_id('menu_system_admin')).parent.id,
            data_id('menu_laisui'))

    @with_transaction()
    def test_who_sees_what(self):
        "Accounts for the system admin, roles and members for security"
        sysadmin = staff('sysadmin', 'group_system_admin')
        secadmin = staff('secadmin', 'group_security_admin')
        reviewer = staff('reviewer', 'group_department_reviewer')
        district = staff('district', 'group_district_admin')
        self.assertEqual(visible_menus(sysadmin),
            {'menu_system_admin', 'menu_staff_user'})
        self.assertEqual(visible_menus(secadmin), {'menu_system_admin',
                'menu_staff_user', 'menu_staff_role',
                'menu_department_member'})
        self.assertEqual(openable_actions(sysadmin), {'act_staff_user'})
        self.assertEqual(openable_actions(secadmin), set(ACTIONS))
        for user in [reviewer, district]:
            with self.subTest(user=user.login):
                self.assertEqual(visible_menus(user), set())
                self.assertEqual(openable_actions(user), set())

    @with_transaction()
    def test_reviewer_writes_nothing(self):
        "A reviewer can neither change accounts, roles nor members"
        pool = Pool()
        User = pool.get('res.user')
        Group = pool.get('res.group')
        Member = pool.get('laisui.department-res.user')
        reviewer = staff('reviewer', 'group_department_reviewer')
        clerk = staff('clerk', 'group_window_clerk')
        rs = department('TEST')
        with acting(reviewer):
            with self.assertRaises(AccessError):
                User.write([User(clerk.id)], {'active': False})
            with self.assertRaises(AccessError):
                User.create([{'name': "X", 'login': 'x'}])
            with self.assertRaises(AccessError):
                Group.write([Group(data_id('group_window_clerk'))],
                    {'name': "X"})
            with self.assertRaises(AccessError):
                Member.create([{'department': rs.id, 'user': clerk.id}])
        self.assertTrue(User(clerk.id).active)
        self.assertEqual(Member.search([]), [])

    @with_transaction()
    def test_system_admin_creates_and_disables(self):
        "The system admin creates an account and disables it"
        User = Pool().get('res.user')
        sysadmin = staff('sysadmin', 'group_system_admin')
        with acting(sysadmin):
            user, = User.create([{'name': "王芳", 'login': 'wangfang',
                        'email': 'wangfang@example.org'}])
            User.reset_password([user])
            User.write([user], {'active': False})
        self.assertEqual(User.search([('login', '=', 'wangfang')]), [])
        with Transaction().set_context(active_test=False):
            user, = User.search([('login', '=', 'wangfang')])
        self.assertFalse(user.active)
        AuditLog = Pool().get('laisui.audit.log')
        self.assertEqual(len(AuditLog.search([
                        ('action', '=', 'password_reset'),
                        ('resource', '=', str(user))])), 1)

    @with_transaction()
    def test_security_admin_adds_member(self):
        "The security admin adds a member once; twice is refused"
        pool = Pool()
        Member = pool.get('laisui.department-res.user')
        secadmin = staff('secadmin', 'group_security_admin')
        hr = staff('hr01', 'group_department_reviewer')
        rs = department('TEST')
        with acting(secadmin):
            Member.create([{'department': rs.id, 'user': hr.id}])
        self.assertEqual(list(rs.members), [hr])
        with self.assertRaises(SQLConstraintError) as cm:
            Member.create([{'department': rs.id, 'user': hr.id}])
        self.assertIn("已是本部门成员", cm.exception.message)

    @with_transaction()
    def test_active_members(self):
        "One active member, none, and only a disabled one"
        pool = Pool()
        Department = pool.get('laisui.department')
        User = pool.get('res.user')
        staffed, empty, disabled = [department(c) for c in ['A', 'B', 'C']]
        hr = staff('hr01', 'group_department_reviewer')
        gone = staff('gone01', 'group_department_reviewer')
        other = staff('other01', 'group_department_reviewer')
        Department.write([staffed], {'members': [('add', [hr.id])]},
            [disabled], {'members': [('add', [gone.id])]})
        User.write([gone], {'active': False})
        # A member of another department counts only there.
        Department.write([staffed], {'members': [('add', [other.id])]})
        counts = [(d.code, d.active_member_count, d.unstaffed)
            for d in Department.browse([staffed, empty, disabled])]
        self.assertEqual(counts,
            [('A', 2, False), ('B', 0, True), ('C', 0, True)])
        mine = ('id', 'in', [staffed.id, empty.id, disabled.id])
        self.assertEqual([d.code for d in Department.search(
                        [mine, ('unstaffed', '=', True)])], ['B', 'C'])
        self.assertEqual([d.code for d in Department.search(
                        [mine, ('unstaffed', '=', False)])], ['A'])
        # Enabled again, the department is staffed.
        User.write([gone], {'active': True})
        self.assertEqual(Department(disabled.id).active_member_count, 1)
