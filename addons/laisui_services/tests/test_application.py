# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Service applications: pinned to their version, one at a time, sessions
with a capacity and a waiting list, reviewed through the service's
workflow with the conditions checked again when a reviewer passes."""
import datetime as dt

from trytond.exceptions import UserError
from trytond.modules.laisui_base.tests.clamd import upload_config
from trytond.modules.laisui_base.tests.tools import (
    ActivatedTestCase, png_bytes, staff)
from trytond.modules.laisui_integrity.tests.tools import report
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .tools import (
    NOW, evidence_type, make_applicant, make_service, rolled_back)


class ApplicationTestCase(ActivatedTestCase):
    "Service applications"
    modules = ['laisui_services']

    def setUp(self):
        super().setUp()
        self.n = 0

    def applicant(self, **values):
        self.n += 1
        return make_applicant(self.n, **values)

    def now(self):
        return Transaction().set_context(_laisui_now=NOW)

    def session(self, service, capacity):
        Session = Pool().get('laisui.service.session')
        session, = Session.create([{
                    'service': service.id, 'name': '第一期',
                    'start': dt.datetime(2026, 10, 10, 1, 0),
                    'end': dt.datetime(2026, 10, 10, 4, 0),
                    'place': '越秀区来穗人员服务中心', 'capacity': capacity,
                    }])
        return session

    def submitted(self, service, applicant=None, session=None):
        Application = Pool().get('laisui.service.application')
        applicant = applicant or self.applicant()
        draft = Application.draft_for(applicant, service)
        if session:
            Application.write([draft], {'session': session.id})
        Application.submit([draft])
        return Application(draft.id)

    def sms(self, template):
        Message = Pool().get('laisui.sms.message')
        return Message.search([('template.code', '=', template)])

    @with_transaction()
    def test_pinned_to_its_version(self):
        """A draft keeps the version it started on; once that version is
        retired the draft cannot be submitted"""
        pool = Pool()
        Application = pool.get('laisui.service.application')
        Version = pool.get('laisui.service.version')
        with self.now():
            service = make_service()
            draft = Application.draft_for(self.applicant(), service)
            old = draft.version
            new, = Version.browse(Version.new_version([old])['res_id'])
            Version.publish([new])
            self.assertEqual(Application(draft.id).version, old)
            with self.assertRaises(UserError) as cm, rolled_back():
                Application.submit([draft])
            self.assertIn('版本已停用', cm.exception.message)
            self.assertEqual(Application(draft.id).state, 'draft')

    @with_transaction()
    def test_one_application_at_a_time(self):
        "Applying again while one is under review is refused in zh_CN"
        Application = Pool().get('laisui.service.application')
        with self.now():
            service = make_service()
            first = self.submitted(service)
            self.assertEqual(first.state, 'review')
            with self.assertRaises(UserError) as cm, rolled_back():
                Application.draft_for(first.applicant, service)
            self.assertIn(f'您已申请“{service.name}”', cm.exception.message)
            self.assertIn(first.number, cm.exception.message)
            self.assertEqual(Application.search_count(
                    [('applicant', '=', first.applicant.id)]), 1)

    @with_transaction()
    def test_missing_material_refused(self):
        "A required material not uploaded: refused, named, still a draft"
        pool = Pool()
        Application = pool.get('laisui.service.application')
        Evidence = pool.get('laisui.evidence')
        with self.now():
            service = make_service(materials=['photo'])
            applicant = self.applicant()
            draft = Application.draft_for(applicant, service)
            with self.assertRaises(UserError) as cm, rolled_back():
                Application.submit([draft])
            self.assertEqual(cm.exception.message,
                '请先上传以下材料：photo。')
            self.assertEqual(Application(draft.id).state, 'draft')
            with upload_config(scan='off'):
                Evidence.create([{'applicant': applicant.id,
                            'type': evidence_type('photo').id,
                            'data': png_bytes()}])
            Application.submit([Application(draft.id)])
            self.assertEqual(Application(draft.id).state, 'review')

    @with_transaction()
    def test_not_eligible_refused(self):
        "Every condition not met is named at submission"
        Application = Pool().get('laisui.service.application')
        with self.now():
            service = make_service(conditions=[
                    {'kind': 'age', 'value': 18, 'max_value': 35},
                    {'kind': 'home_residence', 'value': 6}])
            draft = Application.draft_for(
                self.applicant(birth_date=dt.date(1980, 1, 1)), service)
            with self.assertRaises(UserError) as cm, rolled_back():
                Application.submit([draft])
            self.assertEqual(cm.exception.message,
                '您暂不符合本服务的申请条件：未满足条件：年龄 18 至 35 周岁。；'
                '未满足条件：在越秀区有合法稳定住所，连续居住满 6 年。')
            self.assertEqual(Application(draft.id).state, 'draft')

    @with_transaction()
    def test_waiting_list(self):
        """A full session puts the next application on its waiting list;
        the place given back goes to the first waiting, told by SMS"""
        Application = Pool().get('laisui.service.application')
        with self.now():
            service = make_service(sessions_required=True)
            session = self.session(service, capacity=1)
            first = self.submitted(service, session=session)
            second = self.submitted(service, session=session)
            third = self.submitted(service, session=session)
            self.assertEqual([a.place for a in [first, second, third]],
                ['confirmed', 'waiting', 'waiting'])
            self.assertEqual((session.taken, session.waiting, session.left),
                (1, 2, 0))
            Application.withdraw([first])
            self.assertEqual([Application(a.id).place
                    for a in [first, second, third]],
                [None, 'confirmed', 'waiting'])
            message, = self.sms('service_place')
            self.assertEqual(message.phone, second.applicant.phone)
            self.assertIn(second.number, message.content)

    @with_transaction()
    def test_session_required(self):
        "A service with sessions wants one chosen"
        Application = Pool().get('laisui.service.application')
        with self.now():
            service = make_service(sessions_required=True)
            self.session(service, capacity=5)
            draft = Application.draft_for(self.applicant(), service)
            with self.assertRaises(UserError) as cm, rolled_back():
                Application.submit([draft])
            self.assertEqual(cm.exception.message, '请选择场次。')

    @with_transaction()
    def test_service_workflow(self):
        "A workflow scoped to the service's code reviews it, not the general"
        pool = Pool()
        Workflow = pool.get('laisui.review.workflow')
        Data = pool.get('ir.model.data')
        with self.now():
            general = Workflow(Data.get_id('laisui_services',
                    'workflow_service'))
            service = make_service('training')
            other = make_service('other')
            own, = Workflow.copy([general], default={'scope': 'training',
                        'name': '融合培训审核流程'})
            Workflow.activate([own])
            self.assertEqual(Workflow(general.id).state, 'active')
            self.assertEqual(
                self.submitted(service).review_case.workflow, own)
            self.assertEqual(
                self.submitted(other).review_case.workflow, general)

    @with_transaction()
    def test_pass_checks_conditions_again(self):
        "Barred after submitting: the reviewer cannot pass, nothing moves"
        pool = Pool()
        Case = pool.get('laisui.review.case')
        Entry = pool.get('laisui.integrity.blacklist')
        with self.now():
            service = make_service(conditions=[{'kind': 'not_barred'}])
            application = self.submitted(service)
            case = application.review_case
            stage = case.stage
            applicant = application.applicant
            Entry.create([{'record': report(applicant).id,
                        'applicant': applicant.id, 'kind': 'false_material',
                        'state': 'active', 'start_date': dt.date(2026, 9, 1),
                        'end_date': dt.date(2027, 8, 31), 'all_services': True,
                        }])
            clerk = staff('clerk', 'group_window_clerk')
            with self.assertRaises(UserError) as cm, rolled_back(), \
                    Transaction().set_user(clerk.id):
                Case.decide([case], 'pass')
            self.assertIn('目前不符合申请条件，不能审核通过', cm.exception.message)
            self.assertEqual(Case(case.id).stage, stage)
