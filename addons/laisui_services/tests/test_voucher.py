# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Vouchers: issued when the review approves (or when staff record the
attendance a training certificate needs), signed credentials anyone can
verify, revoked when the application is withdrawn."""
import datetime as dt
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .tools import NOW, make_applicant, make_service, rolled_back


class VoucherTestCase(ActivatedTestCase):
    "Service vouchers"
    modules = ['laisui_services']

    def setUp(self):
        super().setUp()
        self.n = 0

    def now(self, now=NOW):
        return Transaction().set_context(_laisui_now=now)

    def approved(self, service, session=None, applicant=None):
        "An application of a new applicant passed through every stage"
        pool = Pool()
        Application = pool.get('laisui.service.application')
        Case = pool.get('laisui.review.case')
        self.n += 1
        draft = Application.draft_for(
            applicant or make_applicant(self.n), service)
        if session:
            Application.write([draft], {'session': session.id})
        Application.submit([draft])
        case = Application(draft.id).review_case
        # Root decides every stage (the engine checks the role of users).
        with Transaction().set_user(0):
            while Case(case.id).state == 'open':
                Case.decide([case], 'pass')
        return Application(draft.id)

    def verify(self, application):
        Credential = Pool().get('laisui.credential')
        result, credential = Credential.verify(application.voucher.token)
        return result

    @with_transaction()
    def test_issued_on_approval_and_verified(self):
        "Approval issues one voucher; its token verifies; claims masked"
        with self.now():
            service = make_service('pass_card', voucher='approval',
                voucher_days=30)
            application = self.approved(service)
            self.assertEqual(application.state, 'approved')
            voucher = application.voucher
            self.assertEqual(voucher.title, '结业证明')
            self.assertTrue(voucher.number.startswith('FW'))
            # 陈小燕<n>: the first and the last character only.
            self.assertEqual(voucher.holder_masked,
                '陈**' + application.applicant.name[-1])
            self.assertNotIn(application.applicant.name, voucher.claims)
            self.assertEqual(dict(voucher.claims_list)['申请编号'],
                application.number)
            self.assertEqual(voucher.expires_at,
                NOW + dt.timedelta(days=30))
            self.assertEqual(self.verify(application), 'valid')
        with self.now(NOW + dt.timedelta(days=30)):
            self.assertEqual(self.verify(application), 'expired')

    @with_transaction()
    def test_withdrawn_application_revokes(self):
        "Withdrawing an approved application revokes its voucher"
        Application = Pool().get('laisui.service.application')
        with self.now():
            application = self.approved(make_service('pass_card'))
            Application.withdraw([application])
            application = Application(application.id)
            self.assertEqual(application.state, 'withdrawn')
            self.assertEqual(application.voucher.state, 'revoked')
            self.assertEqual(application.voucher.revocation_reason,
                '申请已撤回。')
            self.assertEqual(self.verify(application), 'revoked')

    @with_transaction()
    def test_attendance_certificate(self):
        """A training certificate follows the recorded attendance: none at
        approval, issued when attended, revoked when corrected to absent"""
        pool = Pool()
        Application = pool.get('laisui.service.application')
        Session = pool.get('laisui.service.session')
        with self.now():
            service = make_service('course', voucher='attendance',
                sessions_required=True)
            session, = Session.create([{'service': service.id,
                        'name': '第一期',
                        'start': dt.datetime(2026, 10, 10, 1, 0),
                        'end': dt.datetime(2026, 10, 10, 4, 0),
                        'place': '来穗人员服务中心', 'capacity': 1}])
            application = self.approved(service, session)
            self.assertIsNone(application.voucher)
            Application.record_attended([application])
            application = Application(application.id)
            self.assertEqual(application.attendance, 'attended')
            self.assertEqual(dict(application.voucher.claims_list)['出勤'],
                '已参加')
            Application.record_absent([application])
            self.assertEqual(Application(application.id).voucher.state,
                'revoked')
            # A waiting-list place is not attended.
            waiting = Application.draft_for(make_applicant(99), service)
            Application.write([waiting], {'session': session.id})
            Application.submit([waiting])
            with self.assertRaises(UserError) as cm, rolled_back():
                Application.record_attended([waiting])
            self.assertIn('只能为已审核通过且已获得场次名额的申请登记出勤',
                cm.exception.message)

    @with_transaction()
    def test_volunteer_hours_from_the_volunteer_system(self):
        """The volunteer voucher states the hours the volunteer system's
        file brought in (12.5 + 3), not the hours the applicant declared"""
        pool = Pool()
        Fact = pool.get('laisui.fact')
        with self.now():
            service = make_service('volunteers', category='volunteer')
            applicant = make_applicant(7)
            Fact.create([
                    {'applicant': applicant.id, 'kind': 'volunteer',
                        'date_from': dt.date(2026, 5, 1),
                        'date_to': dt.date(2026, 5, 1),
                        'quantity': Decimal('12.5'), 'source': 'external',
                        'external_reference': 'volunteer_hours:1'},
                    {'applicant': applicant.id, 'kind': 'volunteer',
                        'date_from': dt.date(2026, 6, 1),
                        'date_to': dt.date(2026, 6, 1),
                        'quantity': Decimal(3), 'source': 'external',
                        'external_reference': 'volunteer_hours:2'},
                    {'applicant': applicant.id, 'kind': 'volunteer',
                        'date_from': dt.date(2026, 7, 1),
                        'date_to': dt.date(2026, 7, 1),
                        'quantity': Decimal(100)},
                    ])
            application = self.approved(service, applicant=applicant)
            self.assertEqual(dict(application.voucher.claims_list)[
                    '志愿服务时长（志愿服务信息系统记录）'], '15.5 小时')

    @with_transaction()
    def test_valid_voucher_bars_another_application(self):
        """Approved with a voucher still valid: applying again is refused
        in zh_CN; once the voucher is revoked, a new draft may start"""
        pool = Pool()
        Application = pool.get('laisui.service.application')
        Credential = pool.get('laisui.credential')
        with self.now():
            service = make_service('pass_card')
            application = self.approved(service)
            with self.assertRaises(UserError) as cm, rolled_back():
                Application.draft_for(application.applicant, service)
            self.assertIn('审核通过', cm.exception.message)
            Credential.revoke([application.voucher], '补发')
            draft = Application.draft_for(application.applicant, service)
            self.assertEqual(draft.state, 'draft')
