# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Personal data by need, over every model of every module.

Each staff role (and a login in no group, and Administration) reads every
record of every model it may read, every field it may read, as a client
does: no full ID or mobile number held anywhere may come back.
"""
import datetime as dt
import re

from trytond.model import ModelStorage
from trytond.model.exceptions import AccessError
from trytond.modules.laisui_admission.tests.tools import (
    child_of, draft_application, make_round, make_schools)
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase, staff
from trytond.modules.laisui_review.tests.tools import (
    acting, department, make_applicant, submit, use_reference_date)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

GROUPS = ['group_window_clerk', 'group_district_reviewer',
    'group_department_reviewer', 'group_district_admin',
    'group_system_admin', 'group_security_admin', 'group_auditor']


def held_numbers():
    "Every full ID and mobile number the database holds"
    cursor = Transaction().connection.cursor()
    numbers = set()
    for table, column in [
            ('laisui_applicant', 'id_number'), ('laisui_applicant', 'phone'),
            ('laisui_family_member', 'id_number'),
            ('laisui_connector_record', 'id_number'),
            ('laisui_admission_application', 'child_id_number'),
            ('web_user', 'phone'), ('res_user', 'mobile'),
            ]:
        cursor.execute(f'SELECT "{column}" FROM "{table}"')
        numbers.update(v for v, in cursor if v)
    return numbers


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from strings(v)


def readable_fields(Model):
    FieldAccess = Pool().get('ir.model.field.access')
    access = FieldAccess.get_access([Model.__name__])[Model.__name__]
    return [name for name, field in Model._fields.items()
        if access.get(name, {}).get('read', True)
        and field._type not in {'binary', 'dict'}]


def client_reads(Model):
    "What a client may read of the model: (field, value) pairs"
    ModelAccess = Pool().get('ir.model.access')
    if not ModelAccess.check(Model.__name__, 'read', raise_exception=False):
        return
    try:
        ids = [r.id for r in Model.search([], limit=300)]
    except AccessError:
        return
    if not ids:
        return
    for name in readable_fields(Model):
        try:
            rows = Model.read(ids, [name])
        except AccessError:
            continue
        except Exception:
            # A Function field that needs a context a client would give.
            continue
        for row in rows:
            yield name, row.get(name)


class PersonalDataTestCase(ActivatedTestCase):
    "Personal data"
    modules = ['laisui_admission']

    def people(self, users):
        """Two applicants, one with a child, an application and a case at
        the human resources department; a staff member with a mobile"""
        pool = Pool()
        Case = pool.get('laisui.review.case')
        User = pool.get('res.user')
        use_reference_date()
        applicant = make_applicant(1, insurance_from=dt.date(2018, 1, 1))
        child = child_of(applicant, 1)
        round_ = make_round()
        schools = make_schools(round_, [1])
        draft_application(round_, applicant, child, schools)
        case = submit(applicant)
        for who in ['group_window_clerk', 'group_window_clerk',
                'group_district_reviewer']:
            with acting(users[who]):
                Case.pass_([Case(case.id)])
        other = make_applicant(2)
        WebUser = pool.get('web.user')
        Party = pool.get('party.party')
        party, = Party.create([{'name': other.name}])
        web_user, = WebUser.create([{'phone': '13766667777',
                    'password': 'Portal-Mima-2026', 'party': party.id}])
        other.web_user = web_user
        other.save()
        User.write([users['group_window_clerk']],
            {'mobile': '13922223333'})
        # A failed portal and staff login leave attempts behind.
        WebUser.authenticate_phone(web_user.phone, 'wrong-Mima-1')
        User.get_login('nogroup', {'password': 'wrong-Mima-1'})
        # The outbox: a portal code for the applicant, a staff login code.
        Code = pool.get('laisui.verification.code')
        self.codes = [Code.issue(applicant.phone, 'login')]
        LoginCode = pool.get('res.user.login.sms_code')
        LoginCode.send(users['group_window_clerk'].id)
        Message = pool.get('laisui.sms.message')
        staff_sms, = Message.search([('phone', '=', '13922223333')])
        self.codes.append(re.search(r'\d{6}', staff_sms.content).group())

    def users(self):
        users = {g: staff(g.replace('group_', ''), g) for g in GROUPS}
        users['group_department_reviewer'].laisui_departments = [
            department('RS')]
        users['group_department_reviewer'].save()
        users['none'] = staff('nogroup')
        users['administration'] = Pool().get('res.user')(1)
        return users

    @with_transaction()
    def test_no_full_number_reaches_a_client(self):
        "No role reads a full ID or mobile number from any model"
        users = self.users()
        self.people(users)
        numbers = held_numbers() | set(self.codes)
        self.assertGreaterEqual(len(numbers), 6)
        pool = Pool()
        models = [M for _, M in pool.iterobject()
            if issubclass(M, ModelStorage) and not M.__name__.startswith(
                'ir.model.')]
        leaks = []
        for role, user in users.items():
            with acting(user):
                for Model in models:
                    for name, value in client_reads(Model):
                        for text in strings(value):
                            if any(n in text for n in numbers):
                                leaks.append((role, Model.__name__, name))
        self.assertEqual(sorted(set(leaks)), [])

    @with_transaction()
    def test_exports_refuse_full_numbers(self):
        "export_data of a path to a full number is refused, and audited"
        users = self.users()
        self.people(users)
        pool = Pool()
        Application = pool.get('laisui.admission.application')
        Applicant = pool.get('laisui.applicant')
        AuditLog = pool.get('laisui.audit.log')
        application, = Application.search([])
        other, = Applicant.search([('web_user', '!=', None)])
        with acting(users['group_window_clerk']), \
                self.assertRaises(AccessError):
            Applicant.export_data([Applicant(other.id)], ['web_user/phone'])
        for path in [['applicant', 'id_number'], ['applicant', 'phone'],
                ['child', 'id_number'], ['child_id_number']]:
            for role in ['group_window_clerk', 'group_district_admin',
                    'administration']:
                with self.subTest(path=path, role=role), \
                        acting(users[role]), self.assertRaises(AccessError):
                    Application.export_data(
                        [Application(application.id)], ['/'.join(path)])
        with acting(users['group_district_admin']):
            rows = Applicant.export_data(Applicant.search([]),
                ['name', 'id_number_masked'])
        self.assertEqual(len(rows), 2)
        entry, = AuditLog.search([('action', '=', 'export'),
                ('resource', '=', 'laisui.applicant')])
        self.assertEqual((entry.resource, entry.to_value),
            ('laisui.applicant', '2'))

    @with_transaction()
    def test_search_by_whole_number_only(self):
        "Clerks find a person by the whole number, never by a part of it"
        users = self.users()
        self.people(users)
        Applicant = Pool().get('laisui.applicant')
        applicant, = Applicant.search([('name', '=', '陈小燕1')])
        number = applicant.id_number
        masked = applicant.id_number_masked
        with acting(users['group_window_clerk']):
            found = Applicant.search([('rec_name', 'ilike', number)])
            self.assertEqual([a.id for a in found], [applicant.id])
            found = Applicant.search([('rec_name', 'ilike', masked)])
            self.assertEqual([a.id for a in found], [applicant.id])
            for part in [number[:10], number[6:14], f'%{number[6:14]}%',
                    number[:17], number[:14] + '****']:
                with self.subTest(part=part):
                    self.assertEqual(
                        Applicant.search([('rec_name', 'ilike', part)]), [])
            for domain in [[('id_number', 'like', number[:10] + '%')],
                    [('id_number', '=', number)],
                    [('phone', '=', applicant.phone)]]:
                with self.subTest(domain=domain), \
                        self.assertRaises(AccessError):
                    Applicant.search(domain)

    @with_transaction()
    def test_department_sees_its_people_only(self):
        "A department reviewer sees the people behind its own lines"
        users = self.users()
        self.people(users)
        pool = Pool()
        Applicant = pool.get('laisui.applicant')
        Member = pool.get('laisui.family.member')
        Line = pool.get('laisui.review.line')
        with_task = {l.case.applicant.id for l in Line.search(
                [('department', '=', department('RS').id)])}
        self.assertEqual(len(with_task), 1)
        with acting(users['group_department_reviewer']):
            seen = {a.id for a in Applicant.search([])}
            members = {m.applicant.id for m in Member.search([])}
        self.assertEqual(seen, with_task)
        self.assertLess(len(seen), Applicant.search_count([]))
        self.assertLessEqual(members, with_task)
        with acting(users['group_district_reviewer']):
            self.assertEqual(Applicant.search_count([]), 2)

    @with_transaction()
    def test_staff_mobile_masked_entry(self):
        "The system admin changes a staff mobile it cannot read"
        users = self.users()
        User = Pool().get('res.user')
        clerk = users['group_window_clerk']
        with acting(users['group_system_admin']):
            User.write([User(clerk.id)],
                {'mobile_masked': '139 1111 2222'})
            shown, = User.read([clerk.id], ['mobile_masked'])
            self.assertEqual(shown['mobile_masked'], '139****2222')
            User.write([User(clerk.id)],
                {'mobile_masked': '139****2222'})
            with self.assertRaises(AccessError):
                User.read([clerk.id], ['mobile'])
        self.assertEqual(User(clerk.id).mobile, '13911112222')
        for role in ['group_window_clerk', 'group_security_admin']:
            with self.subTest(role=role), acting(users[role]), \
                    self.assertRaises(AccessError):
                User.write([User(clerk.id)],
                    {'mobile_masked': '13933334444'})
        self.assertEqual(User(clerk.id).mobile, '13911112222')


    @with_transaction()
    def test_identity_edits_audited(self):
        "A clerk's change of who a person is: old and new values, masked"
        users = self.users()
        pool = Pool()
        Applicant = pool.get('laisui.applicant')
        AuditLog = pool.get('laisui.audit.log')
        applicant = make_applicant(1)
        with acting(users['group_window_clerk']):
            Applicant.write([Applicant(applicant.id)], {
                    'name': '陈晓燕', 'phone': '13700137001'})
        entries = AuditLog.search([('resource', '=', str(applicant)),
                ('action', '=', 'write')], order=[('detail', 'ASC')])
        self.assertEqual(
            [(e.detail, e.from_value, e.to_value, e.user.id)
                for e in entries],
            [('name', '陈**1', '陈*燕', users['group_window_clerk'].id),
                ('phone', '138****0001', '137****7001',
                    users['group_window_clerk'].id)])
