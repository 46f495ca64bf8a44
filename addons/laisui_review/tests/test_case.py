# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A points verification request through the seeded workflow: people,
automatic comparison, department fan-out, return for correction, the
timeline and the audit."""
import datetime as dt
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.modules.laisui_base.exceptions import StateConflictError
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase, staff
from trytond.modules.laisui_points.tests.tools import as_deployment
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from trytond.modules.laisui_review.exceptions import DecisionError
from .tools import (
    NOW, acting, as_root, department_reviewer, line, make_applicant, stage_codes,
    submit, use_reference_date)


class CaseTestCase(ActivatedTestCase):
    "Review cases"
    modules = ['laisui_review']

    def setUp(self):
        super().setUp()
        self.now = NOW

    def at(self, now=None):
        return Transaction().set_context(_laisui_now=now or self.now)

    def people(self):
        return {
            'clerk': staff('clerk01', 'group_window_clerk'),
            'reviewer': staff('reviewer01', 'group_district_reviewer'),
            # Four eyes: district review is not the first reviewer's.
            'second reviewer': staff('reviewer02', 'group_district_reviewer'),
            'admin': staff('dadmin01', 'group_district_admin'),
            'hr': department_reviewer('hr01', 'RS'),
            'education': department_reviewer('edu01', 'JY'),
            'police': department_reviewer('police01', 'GA'),
            }

    def walk_to_department_review(self, people, insurance_from):
        Case = Pool().get('laisui.review.case')
        use_reference_date()
        case = submit(make_applicant(insurance_from=insurance_from))
        for who in ['clerk', 'clerk', 'reviewer']:
            with acting(people[who]):
                Case.pass_([Case(case.id)])
        return Case(case.id)

    @with_transaction()
    def test_return_for_correction(self):
        "One complete list to the applicant; the case resumes after"
        pool = Pool()
        Case = pool.get('laisui.review.case')
        Correction = pool.get('laisui.review.correction')
        Line = pool.get('laisui.review.line')
        Message = pool.get('laisui.sms.message')
        Request = pool.get('laisui.review.points_request')
        EvidenceType = pool.get('laisui.evidence.type')
        people = self.people()
        with self.at():
            case = self.walk_to_department_review(
                people, insurance_from=dt.date(2018, 1, 1))
            with acting(people['hr']):
                insurance = line(case, 'insurance')
                insurance.reason = '请提供2014至2017年社保缴费凭证'
                insurance.save()
                Line.request_correction([insurance])
            with acting(people['education']):
                education = line(case, 'education')
                education.reason = '学历证书扫描件不清晰'
                education.save()
                Line.request_correction([education])
            # The department stage returns to first review with both.
            case = Case(case.id)
            self.assertEqual(case.state, 'returned')
            self.assertEqual(case.stage.code, 'first_review')
            self.assertEqual(sorted(c.description for c in case.corrections),
                ['学历证书扫描件不清晰', '请提供2014至2017年社保缴费凭证'])
            request, = Request.search([])
            self.assertEqual(request.state, 'returned')
            self.assertIn('社保缴费凭证', request.corrections)
            sms, = Message.search([('phone', '=', case.applicant.phone),
                    ('template.code', '=', 'review_returned')])
            self.assertIn('补正2项', sms.content)
            # Sent items are history.
            with self.assertRaises(DecisionError):
                Correction.delete(case.corrections[:1])

            with acting(people['clerk']):
                Case.resubmit([case])
            case = Case(case.id)
            self.assertEqual((case.state, case.stage.code),
                ('open', 'first_review'))
            self.assertEqual(line(case, 'insurance').state, 'pending')
            self.assertEqual(Request(request.id).state, 'review')

            # A desk returns only with what to correct and why.
            with acting(people['reviewer']):
                with self.assertRaises(DecisionError) as cm:
                    Case.return_([case])
                self.assertIn('须列明补正事项', cm.exception.message)
                diploma, = EvidenceType.search([('code', '=', 'diploma')])
                Correction.create([{'case': case.id,
                            'description': '请补交毕业证书原件',
                            'evidence_type': diploma.id}])
                with self.assertRaises(DecisionError) as cm:
                    Case.return_([case])
                self.assertIn('理由', cm.exception.message)
                case.comment = '材料不全'
                case.save()
                Case.return_([case])
            case = Case(case.id)
            self.assertEqual((case.state, case.returns), ('returned', 2))
            sms = Message.search([('phone', '=', case.applicant.phone)],
                order=[('id', 'DESC')])
            self.assertIn('补正1项', sms[0].content)
            self.assertEqual(case.steps[-1].comment, '材料不全')

    @with_transaction()
    def test_stage_notices(self):
        """The applicant hears when the request is received, accepted and
        decided; stages without a notice, or with a deactivated one, say
        nothing"""
        pool = Pool()
        Case = pool.get('laisui.review.case')
        Message = pool.get('laisui.sms.message')
        Template = pool.get('laisui.sms.template')
        people = self.people()

        def sent(case):
            return [m.template.code for m in Message.search(
                    [('phone', '=', case.applicant.phone)],
                    order=[('id', 'ASC')])]

        with self.at():
            use_reference_date()
            case = submit(make_applicant())
            request = case.document
            self.assertEqual(sent(case), ['review_received'])
            message, = Message.search([('phone', '=', case.applicant.phone)])
            self.assertEqual(message.content,
                f'已收到您的积分核定申请{request.number}，我们将按时办理，'
                '办理进度可登录越秀来穗积分服务查看。【越秀来穗】')
            self.assertTrue(message.notice)
            with acting(people['clerk']):
                Case.pass_([Case(case.id)])
            # 现场受理 has no notice.
            self.assertEqual(sent(case), ['review_received'])
            with acting(people['clerk']):
                Case.pass_([Case(case.id)])
            self.assertEqual(Case(case.id).stage.code, 'first_review')
            self.assertEqual(sent(case),
                ['review_received', 'review_accepted'])
            with acting(people['reviewer']):
                case = Case(case.id)
                case.comment = '居住证已失效'
                case.save()
                Case.reject([case])
            self.assertEqual(Case(case.id).stage.code, 'rejected')
            self.assertEqual(sent(case),
                ['review_received', 'review_accepted', 'review_rejected'])

            received, = Template.search([('code', '=', 'review_received')])
            Template.write([received], {'active': False})
            second = submit(make_applicant(2))
            self.assertEqual(sent(second), [])

    @with_transaction()
    def test_two_reviewers_same_line(self):
        "The second decision on a line gets a conflict; one audit entry"
        pool = Pool()
        Line = pool.get('laisui.review.line')
        AuditLog = pool.get('laisui.audit.log')
        people = self.people()
        with self.at():
            case = self.walk_to_department_review(
                people, insurance_from=dt.date(2018, 1, 1))
            education = line(case, 'education')
            seen = education.version
            with acting(people['education']):
                Line.decide([(education, 'confirm', None, None)],
                    versions={education.id: seen})
                with self.assertRaises(StateConflictError) as cm:
                    Line.decide([(education, 'correction', None, '不清晰')],
                        versions={education.id: seen})
            self.assertIn('已被他人处理', cm.exception.message)
            self.assertEqual(Line(education.id).state, 'confirmed')
            self.assertEqual(AuditLog.search_count(
                    [('resource', '=', str(education))]), 1)

    @with_transaction()
    def test_decision_on_case_that_moved_on(self):
        "A stale form or stage gives a conflict, not a decision elsewhere"
        pool = Pool()
        Case = pool.get('laisui.review.case')
        people = self.people()
        with self.at():
            use_reference_date()
            case = submit(make_applicant())
            seen = case.stage.id
            # The form was read a minute before the last change (within
            # this one test transaction the database clock stands still).
            stamp, = Case.read([case.id], ['_timestamp'])
            stamp = str(float(stamp['_timestamp']) - 60)
            with acting(people['clerk']):
                Case.decide([case], 'pass', stages={case.id: seen})
                self.assertEqual(Case(case.id).stage.code, 'acceptance')
                # The second clerk saw the pre-review stage.
                with self.assertRaises(StateConflictError) as cm:
                    Case.decide([case], 'pass', stages={case.id: seen})
                self.assertIn('现场受理', cm.exception.message)
                # sao sends the form's timestamp with a button click.
                Transaction().timestamp = {str(case): stamp}
                with self.assertRaises(StateConflictError):
                    Case.pass_([Case(case.id)])
            self.assertEqual(Case(case.id).stage.code, 'acceptance')

    @with_transaction()
    def test_responsible_only(self):
        "A stage is decided by its role; departments see their own lines"
        pool = Pool()
        Case = pool.get('laisui.review.case')
        Line = pool.get('laisui.review.line')
        people = self.people()
        with self.at():
            case = self.walk_to_department_review(
                people, insurance_from=dt.date(2018, 1, 1))
            insurance = line(case, 'insurance')
            with acting(people['education']):
                # Another department's line, by id: refused, not shown.
                with self.assertRaises(AccessError):
                    Line.read([insurance.id], ['points'])
                with self.assertRaises(AccessError):
                    Line.confirm([Line(insurance.id)])
                self.assertEqual(
                    {l.department.code for l in Line.search([])}, {'JY'})
                self.assertEqual(len(Case.search([])), 1)
            with acting(people['police']):
                self.assertEqual(Case.search([]), [])
            self.assertEqual(Line(insurance.id).state, 'pending')

            # The confirmation stage belongs to the district admins.
            with acting(people['education']):
                Line.confirm([line(case, 'education')])
            with acting(people['hr']):
                Line.confirm([line(case, 'insurance')])
            with acting(people['second reviewer']):
                Case.pass_([Case(case.id)])
                with self.assertRaises(DecisionError) as cm:
                    Case.pass_([Case(case.id)])
                self.assertIn('认定', cm.exception.message)
            self.assertEqual(Case(case.id).stage.code, 'confirmation')

    @with_transaction()
    def test_lines_change_only_by_decision(self):
        "Writing points directly is refused; proposals are allowed"
        pool = Pool()
        Line = pool.get('laisui.review.line')
        people = self.people()
        with self.at():
            case = self.walk_to_department_review(
                people, insurance_from=dt.date(2018, 1, 1))
            insurance = line(case, 'insurance')
            with acting(people['hr']):
                with self.assertRaises(DecisionError):
                    Line.write([insurance], {'points': Decimal(99)})
                with self.assertRaises(DecisionError) as cm:
                    Line.decide([(insurance, 'adjust', Decimal(3), '少')])
                self.assertIn('不少于4个字', cm.exception.message)
                Line.write([insurance], {'proposed_points': Decimal(3)})
            self.assertEqual(Line(insurance.id).state, 'pending')
            self.assertIsNone(Line(insurance.id).points)

    @with_transaction()
    def test_adjustment_bounded_by_cap(self):
        "An adjusted line stays within 0 and its indicator's cap"
        pool = Pool()
        Line = pool.get('laisui.review.line')
        people = self.people()
        reason = '核对学历证书原件后调整'
        with self.at():
            case = self.walk_to_department_review(
                people, insurance_from=dt.date(2018, 1, 1))
            education = line(case, 'education')
            with acting(people['education']):
                # 文化程度: highest degree only, 本科及以上 50 (domain.md §2.2).
                for points in [Decimal(999), Decimal('50.01'), Decimal(-1)]:
                    with self.subTest(points=points), \
                            self.assertRaises(UserError) as cm:
                        Line.decide([(education, 'adjust', points, reason)])
                    self.assertIn('文化程度', cm.exception.message)
                    self.assertEqual(Line(education.id).state, 'pending')
                    self.assertIsNone(Line(education.id).points)
                Line.decide([(education, 'adjust', Decimal(50), reason)])
            self.assertEqual(Line(education.id).points, Decimal(50))

    @with_transaction()
    def test_score_from_case_form(self):
        "The case form saves the competent reviewer's proposal, audited"
        pool = Pool()
        Case = pool.get('laisui.review.case')
        Line = pool.get('laisui.review.line')
        AuditLog = pool.get('laisui.audit.log')
        people = self.people()
        reason = '社保系统记录自2018年起缴费'

        def save_form(case, insurance, values):
            # What sao sends when the case form is saved.
            Case.write([Case(case.id)], {
                    'lines': [('write', [insurance.id], values)]})

        def audit(insurance):
            return [(a.detail, a.from_value, a.to_value)
                for a in AuditLog.search([
                        ('resource', '=', str(insurance)),
                        ('action', '=', 'write'),
                        ], order=[('id', 'ASC')])]

        with self.at():
            case = self.walk_to_department_review(
                people, insurance_from=dt.date(2018, 1, 1))
            self.assertFalse(Case.fields_get(['lines'])['lines']['readonly'])
            insurance = line(case, 'insurance')
            with acting(people['hr']):
                save_form(case, insurance,
                    {'proposed_points': Decimal(3), 'reason': reason})
                save_form(case, insurance,
                    {'proposed_points': Decimal('4.5')})
                # Unchanged values are no change.
                save_form(case, insurance, {'reason': reason})
            insurance = Line(insurance.id)
            self.assertEqual((insurance.proposed_points, insurance.reason),
                (Decimal('4.5'), reason))
            self.assertEqual(audit(insurance), [
                    ('proposed_points', None, '3.00'),
                    ('reason', None, reason),
                    ('proposed_points', '3.00', '4.50'),
                    ])

            # Not the reviewer's line while its department decides it.
            with acting(people['reviewer']):
                with self.assertRaises(DecisionError) as cm:
                    save_form(case, insurance, {'proposed_points': Decimal(9)})
                self.assertIn('人力资源和社会保障局', cm.exception.message)
                # Lines are decided, never added or taken from a case.
                for action in [('remove', [insurance.id]),
                        ('create', [{'indicator': insurance.indicator.id}])]:
                    with self.assertRaises((DecisionError, AccessError)):
                        Case.write([Case(case.id)], {'lines': [action]})
            # The department writes its lines, not the case's comment.
            with acting(people['hr']):
                with self.assertRaises(AccessError):
                    Case.write([Case(case.id)], {'comment': '部门意见'})
            self.assertEqual(Line(insurance.id).proposed_points,
                Decimal('4.5'))
            self.assertEqual(Line(insurance.id).case, case)
            self.assertEqual(len(audit(insurance)), 3)
            self.assertIsNone(Case(case.id).comment)

    @with_transaction()
    def test_all_matched_skips_departments(self):
        "Nothing for people: the comparison passes to district review"
        pool = Pool()
        Case = pool.get('laisui.review.case')
        Rule = pool.get('laisui.review.comparison.rule')
        Indicator = pool.get('laisui.points.indicator')
        education, = Indicator.search([('code', '=', 'education')],
            limit=1)
        # The education rule is seeded (diploma register).
        self.assertEqual(len(Rule.search([('indicator', '=', education.id)])),
            1)
        people = self.people()
        with self.at():
            case = self.walk_to_department_review(
                people, insurance_from=dt.date(2014, 1, 1))
            # The diploma is declared only: no data for it.
            self.assertEqual(line(case, 'education').comparison, 'no_data')
            self.assertEqual(case.stage.code, 'department_review')
            self.assertEqual([t.department.code for t in case.tasks],
                ['JY'])

            # The seeded table is approved: changed as a module update
            # would.
            with as_deployment():
                Rule.delete(Rule.search([('indicator', '=', education.id)]))
            applicant = make_applicant(2, insurance_from=dt.date(2014, 1, 1))
            Fact = pool.get('laisui.fact')
            Fact.delete([f for f in applicant.facts
                    if f.kind == 'education'])
            second = submit(applicant)
            for who in ['clerk', 'clerk', 'reviewer']:
                with acting(people[who]):
                    Case.pass_([Case(second.id)])
            second = Case(second.id)
            self.assertEqual(second.stage.code, 'district_review')
            self.assertEqual(second.tasks, ())
            self.assertEqual(stage_codes(second)[-2:],
                ['comparison', 'district_review'])

    @with_transaction()
    def test_people_change_nothing_behind_the_engine(self):
        "State, stage and history are the engine's; lines wait their turn"
        pool = Pool()
        Case = pool.get('laisui.review.case')
        Line = pool.get('laisui.review.line')
        Request = pool.get('laisui.review.points_request')
        Correction = pool.get('laisui.review.correction')
        people = self.people()
        with self.at():
            use_reference_date()
            case = submit(make_applicant(insurance_from=dt.date(2018, 1, 1)))
            request, = Request.search([])
            with acting(people['reviewer']):
                for values in [{'state': 'approved'}, {'returns': 0},
                        {'stage': case.workflow.stages[-1].id}]:
                    with self.assertRaises(DecisionError):
                        Case.write([Case(case.id)], values)
                with self.assertRaises(DecisionError):
                    Request.write([request], {'state': 'approved'})
                with self.assertRaises(DecisionError):
                    Correction.create([{'case': case.id, 'sent': True,
                                'description': '伪造已发送'}])
                Case.write([Case(case.id)], {'comment': '核对原件'})
            self.assertEqual(Case(case.id).comment, '核对原件')
            # At pre-review no department decides its line yet.
            with acting(people['hr']):
                with self.assertRaises(DecisionError) as cm:
                    Line.confirm([line(case, 'insurance')])
                self.assertIn('网上预审', cm.exception.message)
            # Nor may a window clerk stop the departments' fan-out.
            with as_root():
                for _ in range(3):
                    Case.decide([Case(case.id)], 'pass')
            Correction.create([{'case': case.id, 'description': '补交'}])
            with acting(people['clerk']):
                with self.assertRaises(DecisionError):
                    Case.decide([Case(case.id)], 'return', '材料不全')
        case = Case(case.id)
        self.assertEqual((case.state, case.stage.code),
            ('open', 'department_review'))
        self.assertEqual(Request(request.id).state, 'review')

    @with_transaction()
    def test_statistics(self):
        "Cases waiting per stage; comparison results per department"
        pool = Pool()
        StageStatistic = pool.get('laisui.review.statistic.stage')
        DepartmentStatistic = pool.get('laisui.review.statistic.department')
        people = self.people()
        with self.at():
            self.walk_to_department_review(
                people, insurance_from=dt.date(2018, 1, 1))
        stages = {s.stage.code: s for s in StageStatistic.search([])}
        self.assertEqual(stages['department_review'].waiting, 1)
        self.assertEqual(stages['prereview'].handled, 1)
        self.assertEqual(stages['prereview'].waiting, 0)
        self.assertIsNotNone(stages['prereview'].hours)
        departments = {s.department.code: s
            for s in DepartmentStatistic.search([])}
        hr = departments['RS']
        self.assertEqual((hr.lines, hr.mismatched, hr.pending), (1, 1, 1))
        self.assertEqual(hr.mismatch_rate, 100.0)
        self.assertEqual(departments['GA'].mismatch_rate, 0.0)
        # A department reviewer reads their own department's figures only.
        with acting(department_reviewer('hr02', 'RS')):
            self.assertEqual([s.department.code
                    for s in DepartmentStatistic.search([])], ['RS'])

    @with_transaction()
    def test_blacklisted_applicant(self):
        "A barred applicant's request is refused at submission"
        pool = Pool()
        Request = pool.get('laisui.review.points_request')
        Record = pool.get('laisui.integrity.record')
        Case = pool.get('laisui.review.case')
        use_reference_date()
        with self.at(dt.datetime(2026, 3, 1)):
            applicant = make_applicant()
            record, = Record.create([{'applicant': applicant.id,
                        'kind': 'false_material',
                        'description': '社保缴费凭证系伪造'}])
            Record.confirm([record])
            request, = Request.create([{'applicant': applicant.id}])
            with self.assertRaises(Exception) as cm:
                Request.submit([request])
            self.assertIn('积分申报', cm.exception.message)
        self.assertEqual(Request(request.id).state, 'draft')
        self.assertEqual(Case.search([]), [])
