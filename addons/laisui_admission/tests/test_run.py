# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Allocation runs: dry run, publication, versions with their changes,
and the refusals that keep a published result immutable."""
import datetime as dt
from decimal import Decimal

from trytond.modules.laisui_admission.exceptions import RunError
from trytond.modules.laisui_admission.tests.tools import (
    NOW, child_of, draft_application, make_round, make_schools)
from trytond.modules.laisui_base.exceptions import StateConflictError
from trytond.modules.laisui_base.identity import mask_name
from trytond.modules.laisui_review.tests.tools import make_applicant
from trytond.pool import Pool
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction


class RunTestCase(ActivatedTestCase):
    "Allocation runs"
    modules = ['laisui_admission']

    def at(self):
        return Transaction().set_context(_laisui_now=NOW)

    def eligible(self, round_, scores, schools):
        """Eligible applications with these scores, all preferring schools
        in the given order"""
        Application = Pool().get('laisui.admission.application')
        applications = []
        for n, score in enumerate(scores, 1):
            applicant = make_applicant(n)
            child = child_of(applicant, n)
            application = draft_application(
                round_, applicant, child, schools)
            applications.append(application)
        # As if reviewed: the run reads eligible applications only.
        for application, score in zip(applications, scores):
            Application.write([application], {
                    'state': 'eligible', 'score': Decimal(score),
                    'tie_points': f'{score},0',
                    'child_id_number': application.child.id_number})
        return applications

    def export(self, user, applications, unmasked):
        "The export wizard's result for the applications, run by user"
        from trytond.modules.laisui_review.tests.tools import acting
        Export = Pool().get('laisui.admission.export', type='wizard')
        with acting(user), Transaction().set_context(
                active_model='laisui.admission.application',
                active_ids=[a.id for a in applications],
                active_id=applications[0].id):
            session_id, _, _ = Export.create()
            return Export.execute(session_id, {
                    'start': {'unmasked': unmasked}}, 'result')

    def results(self, run):
        return {r.application.id: (r.school.id if r.school else None)
            for r in run.results}

    @with_transaction()
    def test_dry_run_publish_and_new_version(self):
        "A dry run publishes nothing; a re-run is a version with its diff"
        pool = Pool()
        Run = pool.get('laisui.admission.run')
        Round = pool.get('laisui.admission.round')
        Application = pool.get('laisui.admission.application')
        SMS = pool.get('laisui.sms.message')
        with self.at():
            round_ = make_round()
            first, second = make_schools(round_, [1, 1])
            a, b, c = self.eligible(round_, [90, 80, 70], [first, second])
            run, = Run.create([{'round': round_.id}])
            with self.assertRaises(RunError) as cm:
                Run.execute([run])
            self.assertIn('摇号种子', cm.exception.message)
            Round.commit_seed([round_])
            Run.execute([run])
            run = Run(run.id)
            self.assertEqual((run.state, run.version), ('done', 1))
            self.assertEqual((run.applications, run.placed), (3, 2))
            self.assertEqual(self.results(run),
                {a.id: first.id, b.id: second.id, c.id: None})
            self.assertEqual([r.rank for r in run.results], [1, 2, 3])
            unplaced, = [r for r in run.results if not r.school]
            self.assertIn(f'第1志愿{first.name}：录取最低分90', unplaced.reason)
            self.assertIn(f'第2志愿{second.name}：录取最低分80', unplaced.reason)
            self.assertEqual(unplaced.name_public, '陈*')
            self.assertRegex(unplaced.child_public, r'^4\*{16}.$')
            self.assertEqual({c.school.id: c.cutoff for c in run.cutoffs},
                {first.id: 90, second.id: 80})
            self.assertEqual(run.seed_commitment, round_.seed_commitment)
            # Nothing published by a dry run.
            self.assertIsNone(Run.published_run(round_))
            self.assertEqual(SMS.search_count(
                    [('template.code', '=', 'admission_result')]), 0)

            # Not before the allocation date; a dry run was fine.
            Round.write([round_], {'allocation_date': dt.date(2021, 6, 1)})
            with self.assertRaises(RunError) as cm:
                Run.publish([run])
            self.assertIn('2021-06-01', cm.exception.message)
            self.assertEqual(Run(run.id).state, 'done')
            Round.write([round_], {'allocation_date': dt.date(2021, 5, 10)})
            Run.publish([run])
            self.assertEqual(Run.published_run(round_), run)
            self.assertEqual(SMS.search_count(
                    [('template.code', '=', 'admission_result')]), 3)
            # Publishing twice and running a published run are refused.
            with self.assertRaises(RunError) as cm:
                Run.publish([run])
            self.assertIn('已经发布', cm.exception.message)
            with self.assertRaises(RunError) as cm:
                Run.execute([run])
            self.assertIn('请新建一次分配', cm.exception.message)
            self.assertEqual(len(Run(run.id).results), 3)

            # After an objection a's application leaves: version 2.
            Application.write([a], {'state': 'withdrawn'})
            rerun, = Run.create([{'round': round_.id}])
            self.assertEqual(rerun.version, 2)
            Run.execute([rerun])
            rerun = Run(rerun.id)
            self.assertEqual(rerun.base, run)
            self.assertEqual(self.results(rerun),
                {b.id: first.id, c.id: second.id})
            self.assertEqual(rerun.changed, 2)
            changed = {r.application.id: r.previous_school
                for r in rerun.results if r.changed}
            self.assertEqual(changed, {b.id: second, c.id: None})
            Run.publish([rerun])
            self.assertEqual(Run(run.id).state, 'superseded')
            self.assertEqual(Run.published_run(round_), rerun)
            # Only the changed applicants hear of the new version.
            self.assertEqual(SMS.search_count(
                    [('template.code', '=', 'admission_result')]), 5)

    @with_transaction()
    def test_second_launch_and_outdated_publication(self):
        "Two launches of one run: one runs; an outdated run cannot publish"
        pool = Pool()
        Run = pool.get('laisui.admission.run')
        Round = pool.get('laisui.admission.round')
        Result = pool.get('laisui.admission.run.result')
        with self.at():
            round_ = make_round()
            school, = make_schools(round_, [1])
            self.eligible(round_, [90, 80], [school])
            Round.commit_seed([round_])
            run, other = Run.create([{'round': round_.id}] * 2)
            Run.execute([run])
            # The second click found the run already executed.
            with self.assertRaises(StateConflictError):
                Run.execute([Run(run.id)])
            self.assertEqual(Result.search_count([('run', '=', run.id)]), 2)

            Run.execute([other])
            Run.publish([run])
            # `other` was compared with no published run; now there is one.
            with self.assertRaises(RunError) as cm:
                Run.publish([other])
            self.assertIn('请新建并重新运行分配', cm.exception.message)
            self.assertEqual(Run(other.id).state, 'done')
            self.assertEqual(Run.published_run(round_), run)


    @with_transaction()
    def test_supplementary_round(self):
        "Declined and unfilled places go to the unplaced in a 补录 round"
        from trytond.modules.laisui_admission.exceptions import WindowError
        from trytond.modules.laisui_base.tests.tools import staff
        from trytond.modules.laisui_review.tests.tools import acting
        pool = Pool()
        Run = pool.get('laisui.admission.run')
        Round = pool.get('laisui.admission.round')
        Result = pool.get('laisui.admission.run.result')
        with self.at():
            round_ = make_round()
            first, second = make_schools(round_, [1, 1])
            # Everybody asks for `first` only: `second` stays empty.
            a, b, c = self.eligible(round_, [90, 80, 70], [first])
            with self.assertRaises(WindowError) as cm:
                Round.supplementary([round_])
            self.assertIn('没有已发布的分配结果', cm.exception.message)
            Round.commit_seed([round_])
            run, = Run.create([{'round': round_.id}])
            Run.execute([run])
            Run.publish([run])
            placed, = Result.search([('run', '=', run.id),
                    ('school', '!=', None)])
            self.assertEqual(placed.application, a)

            # The family declines; recorded by a district admin, and
            # nothing else of the result can change.
            admin = staff('sup_admin', 'group_district_admin')
            with acting(admin):
                Result.write([placed], {'enrolment': 'declined'})
                with self.assertRaises(RunError) as cm:
                    Result.write([placed], {'school': second.id})
                self.assertIn('只能登记', cm.exception.message)

            new, = Round.create_supplementary([round_])
            self.assertEqual((new.parent, new.state), (round_, 'draft'))
            self.assertEqual(
                sorted((p.school.id, p.places) for p in new.seat_plans),
                sorted([(first.id, 1), (second.id, 1)]))
            carried = {x.origin: x for x in new_applications(new)}
            self.assertEqual(set(carried), {b, c})
            for original, copy in carried.items():
                self.assertEqual((copy.state, copy.score, copy.tie_points),
                    ('eligible', original.score, original.tie_points))
            Round.open([new])
            Round.commit_seed([new])
            rerun, = Run.create([{'round': new.id}])
            Run.execute([rerun])
            self.assertEqual(self.results(Run(rerun.id)),
                {carried[b].id: first.id, carried[c].id: None})

    @with_transaction()
    def test_statistics_and_export(self):
        "Counts by type and state; the export masked unless an admin asks"
        import io

        import openpyxl

        from trytond.model.exceptions import AccessError
        from trytond.modules.laisui_base.tests.tools import staff
        pool = Pool()
        Run = pool.get('laisui.admission.run')
        Round = pool.get('laisui.admission.round')
        Statistic = pool.get('laisui.admission.statistic')
        AuditLog = pool.get('laisui.audit.log')
        with self.at():
            round_ = make_round()
            school, = make_schools(round_, [1])
            applications = self.eligible(round_, [90, 80], [school])
            Round.commit_seed([round_])
            run, = Run.create([{'round': round_.id}])
            Run.execute([run])
            statistic, = Statistic.search([('round', '=', round_.id)])
            self.assertEqual((statistic.applications, statistic.placed),
                (2, 0))
            Run.publish([run])
            statistic, = Statistic.search([('round', '=', round_.id)])
            self.assertEqual((statistic.state, statistic.applications,
                    statistic.placed), ('eligible', 2, 1))

            reviewer = staff('stat_reviewer', 'group_district_reviewer')
            admin = staff('stat_admin', 'group_district_admin')
            result = self.export(reviewer, applications, False)
            data = result['view']['defaults']['file']
            rows = list(openpyxl.load_workbook(io.BytesIO(data)).active
                .iter_rows(values_only=True))
            self.assertEqual(len(rows), 3)
            text = repr(rows)
            applicant = applications[0].applicant
            self.assertNotIn(applicant.id_number, text)
            self.assertNotIn(applicant.phone, text)
            self.assertIn(applicant.id_number[:6] + '********', text)
            self.assertIn(school.name, text)
            with self.assertRaises(AccessError) as cm:
                self.export(reviewer, applications, True)
            self.assertIn('只有区管理员', cm.exception.message)
            unmasks = AuditLog.search_count([('action', '=', 'unmask')])
            data = self.export(admin, applications, True)[
                'view']['defaults']['file']
            rows = list(openpyxl.load_workbook(io.BytesIO(data)).active
                .iter_rows(values_only=True))
            self.assertIn(applicant.id_number, repr(rows))
            self.assertEqual(AuditLog.search_count(
                    [('action', '=', 'unmask')]), unmasks + 1)

    @with_transaction()
    def test_export_formulas_as_text(self):
        "Names that look like formulas are exported as text, exactly"
        from trytond.modules.laisui_base.tests.formulas import (
            NUL, assert_text, stored_formulas, xlsx_without_formulas)
        from trytond.modules.laisui_base.tests.tools import staff
        pool = Pool()
        Applicant = pool.get('laisui.applicant')
        Member = pool.get('laisui.family.member')
        names = stored_formulas()
        with self.at():
            round_ = make_round()
            school, = make_schools(round_, [1])
            applications = self.eligible(
                round_, [90] * len(names), [school])
        # In SQL, as bulk loads write: Char fields would strip tab and CR.
        cursor = Transaction().connection.cursor()
        for application, name in zip(applications, names):
            for Model, record in [(Applicant, application.applicant),
                    (Member, application.child)]:
                table = Model.__table__()
                cursor.execute(*table.update([table.name], [name],
                        where=table.id == record.id))
        Transaction().cache.clear()
        admin = staff('formula_admin', 'group_district_admin')
        expected = {a.number: n.replace(NUL, '\ufffd=1')
            for a, n in zip(applications, names)}
        for unmasked in [True, False]:
            data = self.export(admin, applications, unmasked)[
                'view']['defaults']['file']
            sheet = xlsx_without_formulas(self, data).active
            rows = list(sheet.iter_rows(min_row=2))
            self.assertEqual(len(rows), len(names))
            for row in rows:
                name = expected[row[0].value]
                if not unmasked:
                    name = mask_name(name)
                with self.subTest(name=name, unmasked=unmasked):
                    assert_text(self, row[4], name)
                    assert_text(self, row[7], name)


def new_applications(round_):
    Application = Pool().get('laisui.admission.application')
    return Application.search([('round', '=', round_.id)])
