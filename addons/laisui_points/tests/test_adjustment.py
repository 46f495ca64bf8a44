# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Points adjustments need a second person and stay within the
indicator's range (issue 17).

The renter of tools.make_applicant on 2019-04-30 (domain.md §2.2): permit
6 years × 3 = 18, residence 10 (cap), insurance 10, 大专 35, age 29 → 30,
volunteer 2, one credit case −5: total 100. Verified as 本科 the 文化程度
line is 50 (the table's highest), so the total becomes 115.
"""
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.laisui_base.tests.tools import (
    ActivatedTestCase, acting, staff)
from trytond.modules.laisui_points.tests.tools import (
    DATE, as_deployment, make_applicant)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

REASON = "学信网核验为本科"


class AdjustmentTestCase(ActivatedTestCase):
    "Points adjustments"
    modules = ['laisui_points']

    def applicant(self):
        pool = Pool()
        Configuration = pool.get('laisui.points.configuration')
        Configuration.write([Configuration(1)], {'reference_date': DATE})
        return make_applicant()

    def indicator(self, code):
        Indicator = Pool().get('laisui.points.indicator')
        indicator, = Indicator.search([('code', '=', code)])
        return indicator

    def line(self, applicant, code):
        "(points, total) of the applicant's statement, freshly read"
        Applicant = Pool().get('laisui.applicant')
        statement = Applicant(applicant.id).statement
        line, = [l for l in statement.lines if l.indicator.code == code]
        return line.points, statement.total

    def request(self, user, applicant, code='education', points=50):
        Adjustment = Pool().get('laisui.points.adjustment')
        with acting(user):
            adjustment, = Adjustment.create([{
                        'applicant': applicant.id,
                        'indicator': self.indicator(code).id,
                        'points': Decimal(points),
                        'reason': REASON,
                        }])
        return adjustment

    def audit(self, adjustment, action):
        AuditLog = Pool().get('laisui.audit.log')
        return [(e.from_value, e.to_value) for e in AuditLog.search([
                    ('resource', '=', str(adjustment)),
                    ('action', '=', action),
                    ], order=[('id', 'ASC')])]

    def users(self):
        return (staff('reviewer_a', 'group_district_reviewer'),
            staff('admin_b', 'group_district_admin'))

    @with_transaction()
    def test_request_counts_only_when_approved(self):
        "A request changes nothing; the second person's approval counts"
        Adjustment = Pool().get('laisui.points.adjustment')
        requester, approver = self.users()
        applicant = self.applicant()
        self.assertEqual(self.line(applicant, 'education'),
            (Decimal(35), Decimal(100)))

        adjustment = self.request(requester, applicant)
        self.assertEqual(adjustment.state, 'draft')
        self.assertEqual(adjustment.requested_by, requester)
        self.assertEqual(self.line(applicant, 'education'),
            (Decimal(35), Decimal(100)))

        with acting(approver):
            Adjustment.approve([adjustment])
        adjustment = Adjustment(adjustment.id)
        self.assertEqual(adjustment.state, 'approved')
        self.assertEqual(adjustment.decided_by, approver)
        self.assertEqual(self.line(applicant, 'education'),
            (Decimal(50), Decimal(115)))
        # The reference path agrees.
        Statement = Pool().get('laisui.points.statement')
        Applicant = Pool().get('laisui.applicant')
        self.assertEqual(
            Statement.compute_one(Applicant(applicant.id), DATE).total,
            Decimal(115))
        self.assertEqual(self.audit(adjustment, 'create'),
            [('education=35', 'education=50 (draft)')])
        self.assertEqual(self.audit(adjustment, 'adjust'),
            [('education=35', 'education=50')])
        self.assertIn(('draft', 'approved'), self.audit(adjustment, 'write'))

    @with_transaction()
    def test_same_person_refused(self):
        "The requester cannot approve or refuse: zh_CN, nothing changed"
        pool = Pool()
        Adjustment = pool.get('laisui.points.adjustment')
        # A district admin may request too; then another one approves.
        admin, other = (staff('admin_a', 'group_district_admin'),
            staff('admin_b', 'group_district_admin'))
        applicant = self.applicant()
        adjustment = self.request(admin, applicant)
        for button in [Adjustment.approve, Adjustment.refuse]:
            with self.subTest(button=button.__name__):
                with acting(admin), self.assertRaises(AccessError) as cm:
                    button([adjustment])
                self.assertIn('您本人申请', cm.exception.message)
                self.assertEqual(Adjustment(adjustment.id).state, 'draft')
                self.assertEqual(self.line(applicant, 'education'),
                    (Decimal(35), Decimal(100)))
        self.assertEqual(self.audit(adjustment, 'adjust'), [])
        with acting(other):
            Adjustment.approve([adjustment])
        self.assertEqual(self.line(applicant, 'education'),
            (Decimal(50), Decimal(115)))

    @with_transaction()
    def test_refused_never_counts(self):
        "A refused request is kept, audited and never counts"
        Adjustment = Pool().get('laisui.points.adjustment')
        requester, approver = self.users()
        applicant = self.applicant()
        adjustment = self.request(requester, applicant)
        with acting(approver):
            Adjustment.refuse([adjustment])
        self.assertEqual(Adjustment(adjustment.id).state, 'refused')
        self.assertEqual(self.line(applicant, 'education'),
            (Decimal(35), Decimal(100)))
        self.assertEqual(self.audit(adjustment, 'state'),
            [('draft', 'refused')])

    @with_transaction()
    def test_cap_bounds(self):
        "文化程度 may be 0 to 50: 50 and 0 accepted, 50.01, 999, −0.01 not"
        Adjustment = Pool().get('laisui.points.adjustment')
        requester, _ = self.users()
        applicant = self.applicant()
        for points, text in [
                ('50.01', '超过该指标的上限50分'),
                ('51', '超过该指标的上限50分'),
                ('999', '超过该指标的上限50分'),
                ('-0.01', '低于该指标的下限0分'),
                ]:
            with self.subTest(points=points):
                with self.assertRaises(ValidationError) as cm:
                    self.request(requester, applicant, points=points)
                self.assertIn('“文化程度”', cm.exception.message)
                self.assertIn(text, cm.exception.message)
                self.assertEqual(Adjustment.search_count([]), 0)
                self.assertEqual(self.line(applicant, 'education'),
                    (Decimal(35), Decimal(100)))
        for points in ['50', '49.99', '0']:
            with self.subTest(points=points):
                self.request(requester, applicant, points=points)

    @with_transaction()
    def test_deduction_bounds(self):
        "A deduction stays at 0 or below: 0 and −20 accepted, 0.01 not"
        requester, _ = self.users()
        applicant = self.applicant()
        with self.assertRaises(ValidationError) as cm:
            self.request(requester, applicant, 'credit', '0.01')
        self.assertIn('“信用情况”', cm.exception.message)
        self.assertIn('上限0分', cm.exception.message)
        for points in ['0', '-20']:
            with self.subTest(points=points):
                self.request(requester, applicant, 'credit', points)

    @with_transaction()
    def test_cap_checked_again_at_approval(self):
        "The cap lowered after the request: the approval is refused"
        Adjustment = Pool().get('laisui.points.adjustment')
        Indicator = Pool().get('laisui.points.indicator')
        requester, approver = self.users()
        applicant = self.applicant()
        adjustment = self.request(requester, applicant, points=50)
        # As a module update would: an approved version is never changed.
        with as_deployment():
            Indicator.write(
                [self.indicator('education')], {'cap': Decimal(40)})
        with acting(approver), self.assertRaises(ValidationError) as cm:
            Adjustment.approve([adjustment])
        self.assertIn('上限40分', cm.exception.message)
        self.assertEqual(Adjustment(adjustment.id).state, 'draft')

    @with_transaction()
    def test_client_cannot_decide(self):
        "A client sending an approved state or the approver is refused"
        Adjustment = Pool().get('laisui.points.adjustment')
        requester, approver = self.users()
        applicant = self.applicant()
        with acting(requester), self.assertRaises(AccessError) as cm:
            Adjustment.create([{
                        'applicant': applicant.id,
                        'indicator': self.indicator('education').id,
                        'points': Decimal(50), 'reason': REASON,
                        'state': 'approved',
                        }])
        self.assertIn('另一人', cm.exception.message)
        self.assertEqual(Adjustment.search_count([]), 0)
        adjustment = self.request(requester, applicant)
        with acting(requester), self.assertRaises(AccessError):
            Adjustment.write([adjustment], {'state': 'approved'})
        with acting(requester), self.assertRaises(AccessError):
            Adjustment.write([adjustment], {'decided_by': approver.id})
        self.assertEqual(Adjustment(adjustment.id).state, 'draft')
        self.assertEqual(self.line(applicant, 'education'),
            (Decimal(35), Decimal(100)))

    @with_transaction()
    def test_draft_edits_audited_decided_ones_fixed(self):
        """The requester edits and deletes a draft, audited old → new;
        nobody changes or deletes an approved adjustment"""
        Adjustment = Pool().get('laisui.points.adjustment')
        requester, approver = self.users()
        applicant = self.applicant()
        adjustment = self.request(requester, applicant)
        with acting(approver), self.assertRaises(AccessError) as cm:
            Adjustment.write([adjustment], {'points': Decimal(45)})
        self.assertIn('只有申请人本人', cm.exception.message)
        with acting(requester):
            Adjustment.write([adjustment], {'points': Decimal(45)})
        self.assertEqual(self.audit(adjustment, 'write'),
            [('50', '45')])

        with acting(approver):
            Adjustment.approve([adjustment])
        for user in [requester, approver]:
            with self.subTest(user=user.login):
                with acting(user), self.assertRaises(UserError) as cm:
                    Adjustment.write([adjustment], {'points': Decimal(40)})
                self.assertIn('不能再修改', cm.exception.message)
                with acting(user), self.assertRaises(UserError) as cm:
                    Adjustment.delete([adjustment])
        self.assertIn('不能删除', cm.exception.message)
        self.assertEqual(self.line(applicant, 'education'),
            (Decimal(45), Decimal(110)))

        draft = self.request(requester, applicant, 'age', 20)
        resource = str(draft)
        with acting(requester):
            Adjustment.delete([draft])
        AuditLog = Pool().get('laisui.audit.log')
        entry, = AuditLog.search([('resource', '=', resource),
                ('to_value', '=', 'deleted')])
        self.assertEqual(entry.from_value, 'age=20 (draft)')

    @with_transaction()
    def test_access(self):
        "Department reviewers and clerks do not request; reviewers approve not"
        Adjustment = Pool().get('laisui.points.adjustment')
        requester, _ = self.users()
        applicant = self.applicant()
        for login, group in [
                ('dept', 'group_department_reviewer'),
                ('clerk', 'group_window_clerk')]:
            with self.subTest(group=group):
                with self.assertRaises(AccessError):
                    self.request(staff(login, group), applicant)
        adjustment = self.request(requester, applicant)
        other = staff('reviewer_c', 'group_district_reviewer')
        with acting(other), self.assertRaises(UserError):
            Adjustment.approve([adjustment])
        self.assertEqual(Adjustment(adjustment.id).state, 'draft')

    @with_transaction()
    def test_review_case_adjustments(self):
        "A review case's adjustments count at once, within the cap too"
        Adjustment = Pool().get('laisui.points.adjustment')
        applicant = self.applicant()
        values = {'applicant': applicant.id,
            'indicator': self.indicator('education').id,
            'reason': "审核调整：学信网核验为本科",
            'decided_in': "积分核定 陈小燕"}
        with self.assertRaises(ValidationError) as cm:
            Adjustment.create_decided([dict(values, points=Decimal(999))])
        self.assertIn('上限50分', cm.exception.message)
        adjustment, = Adjustment.create_decided(
            [dict(values, points=Decimal(50))])
        self.assertEqual(adjustment.state, 'approved')
        self.assertEqual(self.line(applicant, 'education'),
            (Decimal(50), Decimal(115)))
        self.assertEqual(self.audit(adjustment, 'adjust'),
            [('education=35', 'education=50 (approved)')])

