# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Identity corrections: the applicant asks, a window clerk or a district
reviewer decides; approval changes the applicant and their party, audited
with masked values; one open request per applicant."""
import datetime as dt

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.modules.laisui_base.tests.tools import (
    ActivatedTestCase, acting, staff)
from trytond.modules.laisui_points.exceptions import IdentityCorrectionError
from trytond.modules.laisui_points.tests.tools import make_applicant
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

OLD_NUMBER = '440524199001011221'
NEW_NUMBER = '440524199101011229'
REASON = "身份证号码出生年份登记错误"


class IdentityCorrectionTestCase(ActivatedTestCase):
    "Identity correction requests"
    modules = ['laisui_points']

    def applicant(self):
        pool = Pool()
        Party = pool.get('party.party')
        Applicant = pool.get('laisui.applicant')
        applicant = make_applicant(id_number=OLD_NUMBER)
        party, = Party.create([{'name': applicant.name}])
        Applicant.write([applicant], {'party': party.id})
        return Applicant(applicant.id)

    def request(self, applicant, name="陈晓燕", id_number=NEW_NUMBER,
            reason=REASON):
        Correction = Pool().get('laisui.applicant.identity_correction')
        return Correction.request(applicant, name, id_number, reason)

    @with_transaction()
    def test_request_values(self):
        "Every error at once; the present name or number is no change"
        Correction = Pool().get('laisui.applicant.identity_correction')
        applicant = self.applicant()
        _, errors = Correction.request_values(
            applicant, "陈", '440524199101011228', "错")
        self.assertEqual(errors, {
                'name': "请输入真实姓名（2至30个字）。",
                'id_number': "身份证号码校验位错误，请核对后重新输入。",
                'reason': "请说明更正理由（至少 4 个字）。",
                })
        _, errors = Correction.request_values(
            applicant, " 陈小燕 ", OLD_NUMBER, REASON)
        self.assertEqual(errors, {
                'name': "请填写正确的姓名或身份证号码（须与现有信息不同）。"})
        values, errors = Correction.request_values(
            applicant, "陈小燕", '44052419910101100x', "登记错误")
        self.assertEqual(errors, {})
        self.assertEqual(values['requested_name'], None)
        self.assertEqual(values['requested_id_number'], '44052419910101100X')
        self.assertEqual(values['id_number_before'], '440524********1221')
        self.assertNotIn(OLD_NUMBER, str(values))

    @with_transaction()
    def test_one_open_request(self):
        pool = Pool()
        Correction = pool.get('laisui.applicant.identity_correction')
        applicant = self.applicant()
        first = self.request(applicant)
        with self.assertRaises(IdentityCorrectionError) as cm:
            self.request(applicant, name="陈燕")
        self.assertEqual(cm.exception.message,
            "您有一项更正申请正在等待处理，处理完毕后才能再次申请。")
        self.assertEqual(Correction.search_count(
                [('applicant', '=', applicant.id)]), 1)
        Correction.write([first], {'reply': "请到窗口核实"})
        Correction.reject([first])
        second = self.request(applicant, name="陈燕")
        self.assertEqual(second.state, 'requested')

    @with_transaction()
    def test_approve(self):
        "The applicant and their party change; the audit keeps masks"
        pool = Pool()
        Correction = pool.get('laisui.applicant.identity_correction')
        Applicant = pool.get('laisui.applicant')
        AuditLog = pool.get('laisui.audit.log')
        applicant = self.applicant()
        correction = self.request(applicant)
        clerk = staff('clerk', 'group_window_clerk')
        with acting(clerk):
            Correction.approve([Correction(correction.id)])
        applicant = Applicant(applicant.id)
        self.assertEqual(applicant.name, "陈晓燕")
        self.assertEqual(applicant.id_number, NEW_NUMBER)
        self.assertEqual(applicant.birth_date, dt.date(1991, 1, 1))
        self.assertEqual(applicant.party.name, "陈晓燕")
        correction = Correction(correction.id)
        self.assertEqual(correction.state, 'approved')
        self.assertEqual(correction.decided_by, clerk)
        entries = AuditLog.search([('resource', '=', str(applicant)),
                ('action', '=', 'write'), ('detail', '=', 'id_number')])
        self.assertEqual([(e.from_value, e.to_value) for e in entries],
            [('440524********1221', '440524********1229')])
        decided, = AuditLog.search([('resource', '=', str(correction)),
                ('action', '=', 'state')])
        self.assertEqual((decided.from_value, decided.to_value),
            ('requested', 'approved'))
        for entry in AuditLog.search([]):
            for value in [entry.from_value, entry.to_value, entry.detail]:
                self.assertNotIn(NEW_NUMBER, value or '')
                self.assertNotIn(OLD_NUMBER, value or '')
        # Decided: the reply is kept as it was.
        with acting(clerk), self.assertRaises(AccessError):
            Correction.write([correction], {'reply': "已更正"})

    @with_transaction()
    def test_reject_needs_reply(self):
        pool = Pool()
        Correction = pool.get('laisui.applicant.identity_correction')
        Applicant = pool.get('laisui.applicant')
        applicant = self.applicant()
        correction = self.request(applicant)
        reviewer = staff('reviewer', 'group_district_reviewer')
        with acting(reviewer):
            with self.assertRaises(IdentityCorrectionError) as cm:
                Correction.reject([correction])
            self.assertIn('请填写给申请人的答复', cm.exception.message)
            self.assertEqual(Correction(correction.id).state, 'requested')
            Correction.write([correction], {'reply': "请携带户口簿到窗口"})
            Correction.reject([correction])
        self.assertEqual(Correction(correction.id).state, 'rejected')
        applicant = Applicant(applicant.id)
        self.assertEqual(
            (applicant.name, applicant.id_number), ("陈小燕", OLD_NUMBER))

    @with_transaction()
    def test_number_of_somebody_else(self):
        "A number another applicant has: refused, nothing changes"
        pool = Pool()
        Correction = pool.get('laisui.applicant.identity_correction')
        Applicant = pool.get('laisui.applicant')
        applicant = self.applicant()
        make_applicant(name="王五", id_number=NEW_NUMBER, phone='13800138009')
        correction = self.request(applicant)
        with self.assertRaises(IdentityCorrectionError) as cm:
            Correction.approve([correction])
        self.assertIn('440524********1229', cm.exception.message)
        self.assertIn('已属于申请人', cm.exception.message)
        self.assertEqual(Correction(correction.id).state, 'requested')
        self.assertEqual(Applicant(applicant.id).id_number, OLD_NUMBER)

    @with_transaction()
    def test_access(self):
        """Window clerks and district reviewers decide and write the reply,
        nothing else of the request; nobody else reads it"""
        pool = Pool()
        Correction = pool.get('laisui.applicant.identity_correction')
        applicant = self.applicant()
        correction = self.request(applicant)
        clerk = staff('clerk2', 'group_window_clerk')
        for user in [staff('nobody'),
                staff('admin2', 'group_district_admin')]:
            with self.subTest(user=user.login), acting(user):
                with self.assertRaises(AccessError):
                    Correction.read([correction.id], ['reason'])
                with self.assertRaises((AccessError, UserError)):
                    Correction.approve([correction])
        with acting(clerk):
            with self.assertRaises(AccessError):
                Correction.write([correction], {'reason': "改个理由"})
            with self.assertRaises(AccessError):
                Correction.delete([correction])
            with self.assertRaises(AccessError):
                Correction.read([correction.id], ['requested_id_number'])
            Correction.write([correction], {'reply': "已收到"})
        self.assertEqual(Correction(correction.id).reply, "已收到")
        self.assertEqual(Correction(correction.id).reason, REASON)
