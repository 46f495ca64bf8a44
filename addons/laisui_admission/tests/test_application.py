# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Applications: eligibility as data, the one-parent rule, preferences,
the window and the score frozen at the points cut-off. Every refusal says
why in zh_CN and changes nothing."""
import datetime as dt

from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError
from trytond.modules.laisui_admission.tests.tools import (
    NOW, child_of, draft_application, make_round, make_schools,
    verify_points)
from trytond.modules.laisui_integrity.tests.tools import report
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase, staff
from trytond.modules.laisui_review.tests.tools import (
    acting, as_root, make_applicant)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction


class ApplicationTestCase(ActivatedTestCase):
    "Admission applications"
    modules = ['laisui_admission']

    def setUp(self):
        super().setUp()
        self.now = NOW

    def at(self, now=None):
        return Transaction().set_context(_laisui_now=now or NOW)

    def eligible_family(self, n=1, **child_values):
        applicant = make_applicant(n)
        verify_points(applicant)
        return applicant, child_of(applicant, n, **child_values)

    def assert_refused(self, application, error, *texts):
        "The submission fails with texts in its message; nothing changed"
        Application = Pool().get('laisui.admission.application')
        Case = Pool().get('laisui.review.case')
        cases = Case.search_count([])
        with self.assertRaises(error) as cm:
            Application.submit([application])
        for text in texts:
            self.assertIn(text, cm.exception.message)
        application = Application(application.id)
        self.assertEqual(application.state, 'draft')
        self.assertIsNone(application.score)
        self.assertIsNone(application.review_case)
        self.assertEqual(Case.search_count([]), cases)
        return cm.exception.message

    @with_transaction()
    def test_submit_freezes_score_at_cutoff(self):
        "A submission freezes the admission score as of the points cut-off"
        pool = Pool()
        Application = pool.get('laisui.admission.application')
        Fact = pool.get('laisui.fact')
        AuditLog = pool.get('laisui.audit.log')
        with self.at():
            round_ = make_round()
            schools = make_schools(round_, [2, 2])
            applicant, child = self.eligible_family()
            # A degree earned after the cut-off does not count.
            Fact.create([{'applicant': applicant.id, 'kind': 'education',
                        'level': 'master', 'date_from': dt.date(2021, 4, 15)}])
            application = draft_application(
                round_, applicant, child, schools)
            Application.submit([application])

        application = Application(application.id)
        self.assertEqual(application.state, 'review')
        self.assertEqual(application.child_id_number, child.id_number)
        self.assertEqual(application.review_case.state, 'open')
        self.assertGreater(application.score, 0)
        codes = {l.indicator.code for l in application.score_lines}
        # Deductions do not apply to admission.
        self.assertFalse(any(l.indicator.category == 'deduction'
                for l in application.score_lines))
        self.assertEqual(application.score,
            sum(l.points for l in application.score_lines))
        education, = [l for l in application.score_lines
            if 'education' in l.indicator.code]
        self.assertIn('大专', education.facts_used)
        self.assertNotIn('硕士', education.facts_used)
        self.assertEqual(len(application.tie_points.split(',')), len(codes))
        self.assertEqual(AuditLog.search_count([
                    ('resource', '=', str(application)),
                    ('action', '=', 'state'),
                    ('to_value', '=', 'review'),
                    ]), 1)

    @with_transaction()
    def test_child_too_young_or_too_old(self):
        "Grade 1 wants a child of 6 or 7 on 31 August without a school record"
        with self.at():
            round_ = make_round()
            schools = make_schools(round_, [2])
            applicant, young = self.eligible_family(
                birth=dt.date(2015, 9, 1))
            old = child_of(applicant, 2, birth=dt.date(2013, 8, 1))
            pupil = child_of(applicant, 3, school_record='primary')
            message = self.assert_refused(
                draft_application(round_, applicant, young, schools),
                UserError, '2021-08-31')
            self.assertIn('至少', message)
            self.assertIn('出生证明', message)
            message = self.assert_refused(
                draft_application(round_, applicant, old, schools),
                UserError, '2021-08-31')
            self.assertIn('至多7', message)
            self.assert_refused(
                draft_application(round_, applicant, pupil, schools),
                UserError, '已有小学学籍')

    @with_transaction()
    def test_second_parent_for_same_child(self):
        "Parents may not both apply for one child in a round"
        pool = Pool()
        Application = pool.get('laisui.admission.application')
        with self.at():
            round_ = make_round()
            schools = make_schools(round_, [2])
            father, child = self.eligible_family(1)
            mother = make_applicant(2)
            verify_points(mother)
            same_child = child_of(mother, 1)
            self.assertEqual(same_child.id_number, child.id_number)
            first = draft_application(round_, father, child, schools)
            Application.submit([first])
            second = draft_application(round_, mother, same_child, schools)
            self.assert_refused(second, UserError, '父母双方不能同时申请')

            # Once the first is withdrawn, the other parent may apply.
            Application.withdraw([first])
            self.assertEqual(Application(first.id).review_case.state,
                'withdrawn')
            Application.submit([second])
            self.assertEqual(Application(second.id).state, 'review')

    @with_transaction()
    def test_bad_preferences(self):
        "Duplicate, wrong-stage, unoffered or too many schools are refused"
        pool = Pool()
        School = pool.get('laisui.admission.school')
        with self.at():
            round_ = make_round(max_preferences=2)
            schools = make_schools(round_, [2, 2, 2])
            junior, = make_schools(round_, [3], stage='grade7')
            closed, = make_schools(round_, [0])
            other, = School.create([{'code': 'X', 'name': '外区小学',
                        'stage': 'grade1'}])
            applicant, child = self.eligible_family()
            cases = [
                ([schools[0], schools[0]], '重复'),
                ([schools[0], junior], '不招收小学一年级'),
                ([closed], '没有积分入学学位'),
                ([other], '没有积分入学学位'),
                (schools, '最多可填报2个'),
                ([], '至少选择一所学校'),
                ]
            for chosen, text in cases:
                with self.subTest(text=text):
                    self.assert_refused(
                        draft_application(round_, applicant, child, chosen),
                        ValidationError, text)

    @with_transaction()
    def test_outside_window(self):
        "Before and after the window the server refuses the submission"
        with self.at():
            round_ = make_round()
            schools = make_schools(round_, [2])
            applicant, child = self.eligible_family()
            application = draft_application(
                round_, applicant, child, schools)
        for now in [dt.datetime(2021, 5, 1, 0, 59),
                dt.datetime(2021, 5, 20, 9, 1)]:
            with self.subTest(now=now), self.at(now):
                self.assert_refused(application, UserError,
                    '2021-05-01 09:00', '2021-05-20 17:00')
        with self.at(dt.datetime(2021, 5, 20, 9, 0)):
            Pool().get('laisui.admission.application').submit([application])

    @with_transaction()
    def test_points_not_verified_or_under_objection(self):
        "City points must be verified and not under objection"
        pool = Pool()
        Request = pool.get('laisui.review.points_request')
        with self.at():
            round_ = make_round()
            schools = make_schools(round_, [2])
            applicant = make_applicant()
            child = child_of(applicant)
            application = draft_application(
                round_, applicant, child, schools)
            self.assert_refused(application, UserError, '积分尚未核定')
            verify_points(applicant)
            Request.create([{'applicant': applicant.id, 'state': 'review'}])
            self.assert_refused(application, UserError, '异议或调整')

    @with_transaction()
    def test_blacklisted_applicant(self):
        "A blacklisted applicant cannot apply"
        pool = Pool()
        Record = pool.get('laisui.integrity.record')
        with self.at():
            round_ = make_round()
            schools = make_schools(round_, [2])
            applicant, child = self.eligible_family()
            Record.confirm([report(applicant)])
            self.assert_refused(
                draft_application(round_, applicant, child, schools),
                UserError, '2026-05-09')

    @with_transaction()
    def test_type_b_conditions_with_reasons(self):
        "Each unmet condition gives its reason and the evidence to fix it"
        with self.at():
            round_ = make_round()
            schools = make_schools(round_, [2])
            applicant, child = self.eligible_family()
            # A Yuexiu renter without a job or insurance in Yuexiu.
            message = self.assert_refused(draft_application(
                    round_, applicant, child, schools, type_code='B'),
                UserError, '未在越秀区办理就业登记或商事登记',
                '越秀区就业登记或营业执照', '未在越秀区缴纳社会保险满1年')
            self.assertNotIn('居住证未在广州市', message)

    @with_transaction()
    def test_grade7_needs_primary_graduate(self):
        "Grade 7 wants this year's primary graduates"
        pool = Pool()
        Application = pool.get('laisui.admission.application')
        with self.at():
            round_ = make_round()
            schools = make_schools(round_, [2], stage='grade7')
            applicant, child = self.eligible_family(
                birth=dt.date(2009, 3, 1))
            application = draft_application(
                round_, applicant, child, schools, stage='grade7')
            self.assert_refused(application, UserError, '应届小学毕业')
            child.school_record = 'primary_graduate'
            child.save()
            Application.submit([application])
            self.assertEqual(application.state, 'review')

    @with_transaction()
    def test_seat_plan_negative_places(self):
        "A seat plan with negative places is refused"
        pool = Pool()
        SeatPlan = pool.get('laisui.admission.seat_plan')
        with self.at():
            round_ = make_round()
            school, = make_schools(round_, [2])
            plan, = SeatPlan.search([('school', '=', school.id)])
            # Tryton validates after writing and the dispatcher rolls the
            # request back: a savepoint plays the dispatcher's part.
            cursor = Transaction().connection.cursor()
            cursor.execute('SAVEPOINT negative_places')
            with self.assertRaises(ValidationError) as cm:
                SeatPlan.write([plan], {'places': -3})
            cursor.execute('ROLLBACK TO SAVEPOINT negative_places')
            self.assertIn('学位数不能为负数', cm.exception.message)
            table = SeatPlan.__table__()
            cursor.execute(*table.select(table.places,
                    where=table.id == plan.id))
            self.assertEqual(cursor.fetchone()[0], 2)

    @with_transaction()
    def test_preferences_locked_after_submission(self):
        "Submitted preferences change only within the preference window"
        pool = Pool()
        Application = pool.get('laisui.admission.application')
        Preference = pool.get('laisui.admission.preference')
        local = dt.timedelta(hours=8)
        with self.at():
            round_ = make_round(
                preference_start=dt.datetime(2021, 6, 8, 9) - local,
                preference_end=dt.datetime(2021, 6, 15, 17) - local)
            schools = make_schools(round_, [2, 2])
            applicant, child = self.eligible_family()
            application = draft_application(
                round_, applicant, child, schools)
            Application.submit([application])
            first = application.preferences[0]
            clerk = staff('pref_clerk', 'group_window_clerk')
            with self.assertRaises(ValidationError) as cm, acting(clerk):
                Preference.write([first], {'sequence': 9})
            self.assertIn('志愿填报期', cm.exception.message)
        with self.at(dt.datetime(2021, 6, 9, 2)), acting(clerk):
            Preference.write([first], {'sequence': 9})

    @with_transaction()
    def test_review_adjustment_changes_score(self):
        "Points adjusted in the review replace the frozen ones"
        pool = Pool()
        Application = pool.get('laisui.admission.application')
        Case = pool.get('laisui.review.case')
        Line = pool.get('laisui.review.line')
        with self.at():
            round_ = make_round()
            schools = make_schools(round_, [2])
            applicant, child = self.eligible_family()
            application = draft_application(
                round_, applicant, child, schools)
            Application.submit([application])
            application = Application(application.id)
            before = application.score
            case = application.review_case
            line = case.lines[0]
            with as_root():
                Line.decide([(line, 'adjust', line.declared_points - 1,
                            '材料不足一年')])
                while Case(case.id).state == 'open':
                    case = Case(case.id)
                    if case.stage.kind == 'department':
                        Line.decide([(l, 'confirm', None, None)
                                for l in case.lines if l.state == 'pending'])
                    else:
                        Case.decide([case], 'pass')
        application = Application(application.id)
        self.assertEqual(application.state, 'eligible')
        self.assertEqual(application.score, before - 1)
        self.assertTrue(any(l.adjusted for l in application.score_lines))

    @with_transaction()
    def test_district_review_needs_a_second_person(self):
        """Whoever accepted an application at the window may not also pass
        its 区来穗审核 (双人复核); another district reviewer may"""
        pool = Pool()
        Application = pool.get('laisui.admission.application')
        Case = pool.get('laisui.review.case')
        Line = pool.get('laisui.review.line')
        both = staff('clerk_reviewer', 'group_window_clerk',
            'group_district_reviewer')
        other = staff('reviewer02', 'group_district_reviewer')
        with self.at():
            round_ = make_round()
            applicant, child = self.eligible_family()
            application = draft_application(
                round_, applicant, child, make_schools(round_, [2]))
            Application.submit([application])
            case = Application(application.id).review_case
            with acting(both):
                Case.pass_([case])
            with as_root():
                while Case(case.id).stage.code != 'district_review':
                    case = Case(case.id)
                    if case.stage.kind == 'department':
                        Line.decide([(l, 'confirm', None, None)
                                for l in case.lines if l.state == 'pending'])
                    else:
                        Case.decide([case], 'pass')
            case = Case(case.id)
            with acting(both), self.assertRaises(UserError) as cm:
                Case.pass_([case])
            self.assertIn('双人复核', cm.exception.message)
            self.assertIn('窗口受理', cm.exception.message)
            self.assertEqual(Case(case.id).stage.code, 'district_review')
            with acting(other):
                Case.pass_([case])
        self.assertEqual(Application(application.id).state, 'eligible')
