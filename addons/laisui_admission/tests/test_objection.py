# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Objections: within the window, on a published result, through the
review workflow; an upheld objection changes the score and the re-run
shows it."""
import datetime as dt

from trytond.exceptions import UserError
from trytond.modules.laisui_admission.tests.tools import (
    NOW, child_of, draft_application, make_round, make_schools,
    verify_points)
from trytond.modules.laisui_review.tests.tools import (
    as_root, make_applicant)
from trytond.pool import Pool
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

LOCAL = dt.timedelta(hours=8)
# Publication and objections in June 2021 (UTC).
DURING = dt.datetime(2021, 6, 10, 2)
AFTER = dt.datetime(2021, 6, 20, 10)


def walk(case, decide_lines=None):
    "Take a case through every stage as the system, deciding lines"
    pool = Pool()
    Case = pool.get('laisui.review.case')
    Line = pool.get('laisui.review.line')
    with as_root():
        while Case(case.id).state == 'open':
            case = Case(case.id)
            pending = [l for l in case.lines if l.state == 'pending']
            if case.stage.kind == 'department':
                Line.decide([(l, *(decide_lines or {}).get(
                                l.indicator.code, ('confirm', None, None)))
                        for l in pending])
            else:
                Case.decide([case], 'pass')


class ObjectionTestCase(ActivatedTestCase):
    "Objections to admission results"
    modules = ['laisui_admission']

    def at(self, now=NOW):
        return Transaction().set_context(_laisui_now=now)

    def published(self):
        "An eligible application placed nowhere (no places left) and the run"
        pool = Pool()
        Application = pool.get('laisui.admission.application')
        Round = pool.get('laisui.admission.round')
        Run = pool.get('laisui.admission.run')
        with self.at():
            round_ = make_round(
                publication_start=dt.datetime(2021, 6, 1, 9) - LOCAL,
                publication_end=dt.datetime(2021, 6, 15, 17) - LOCAL,
                objection_end=dt.datetime(2021, 6, 15, 17) - LOCAL)
            schools = make_schools(round_, [1])
            applicant = make_applicant(1)
            verify_points(applicant)
            child = child_of(applicant)
            application = draft_application(
                round_, applicant, child, schools)
            Application.submit([application])
            walk(Application(application.id).review_case)
            self.assertEqual(Application(application.id).state, 'eligible')
            Round.commit_seed([round_])
            run, = Run.create([{'round': round_.id}])
            Run.execute([run])
        return Application(application.id), Run(run.id)

    def objection(self, application, points=None):
        Objection = Pool().get('laisui.admission.objection')
        line = application.score_lines[0]
        objection, = Objection.create([{
                    'application': application.id,
                    'reason': '居住年限少算一年',
                    'lines': [('create', [{'score_line': line.id,
                                    'claimed_points': (points
                                        if points is not None
                                        else line.points + 2)}])]
                    if points is not False else [],
                    }])
        return objection

    def assert_refused(self, objection, text):
        Objection = Pool().get('laisui.admission.objection')
        with self.assertRaises(UserError) as cm:
            Objection.submit([objection])
        self.assertIn(text, cm.exception.message)
        objection = Objection(objection.id)
        self.assertEqual(objection.state, 'draft')
        self.assertIsNone(objection.review_case)

    @with_transaction()
    def test_objection_upheld_and_rerun(self):
        "An upheld objection raises the score; the next version shows it"
        pool = Pool()
        Objection = pool.get('laisui.admission.objection')
        Application = pool.get('laisui.admission.application')
        Run = pool.get('laisui.admission.run')
        application, run = self.published()
        with self.at(DURING):
            # Not published yet: nothing to object to.
            self.assert_refused(self.objection(application), '已公示')
            Run.publish([run])
            self.assert_refused(
                self.objection(application, points=False), '至少选择一项')
            objection = self.objection(application)
            before = application.score_lines[0].points
            claimed = objection.lines[0].claimed_points
            Objection.submit([objection])
            self.assertEqual(Objection(objection.id).state, 'review')
            case = Objection(objection.id).review_case
            self.assertEqual(case.lines[0].declared_points, claimed)
            self.assertIn('居住年限少算一年', case.lines[0].facts)
            # One open objection at a time.
            self.assert_refused(self.objection(application), '正在办理')
            walk(case)
        self.assertEqual(Objection(objection.id).state, 'upheld')
        application = Application(application.id)
        self.assertEqual(application.score_lines[0].points, claimed)
        self.assertEqual(application.score, sum(
                l.points for l in application.score_lines))
        self.assertEqual(claimed, before + 2)

        with self.at(DURING):
            rerun, = Run.create([{'round': application.round.id}])
            Run.execute([rerun])
            result, = Run(rerun.id).results
            self.assertEqual(result.score, application.score)
            self.assertEqual(Run(rerun.id).version, 2)

    @with_transaction()
    def test_objection_outside_window(self):
        "After the objection window the server refuses it"
        pool = Pool()
        Run = pool.get('laisui.admission.run')
        application, run = self.published()
        with self.at(DURING):
            Run.publish([run])
        with self.at(AFTER):
            self.assert_refused(self.objection(application), '2021-06-15 17:00')
