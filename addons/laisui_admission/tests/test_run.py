# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Allocation runs: dry run, publication, versions with their changes,
and the refusals that keep a published result immutable; ties broken by
the table's rows then the lottery; each school's cut-off with the points
of its last place; the publication's confirmation and what holds it."""
import datetime as dt
from decimal import Decimal

from trytond.modules.laisui_admission import notice
from trytond.modules.laisui_admission.exceptions import RunError
from trytond.modules.laisui_admission.tests.tools import (
    CLOSED, NOW, child_of, draft_application, make_round, make_schools)
from trytond.modules.laisui_base.exceptions import StateConflictError
from trytond.modules.laisui_base.identity import mask_name
from trytond.modules.laisui_review.tests.tools import make_applicant
from trytond.pool import Pool
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

# The application window of make_round() ends 2021-05-20 17:00 in
# Guangzhou, 09:00 UTC: the minute before and the minute itself (CLOSED is
# the minute after).
BEFORE_CLOSE = dt.datetime(2021, 5, 20, 8, 59)
AT_CLOSE = dt.datetime(2021, 5, 20, 9, 0)
LOCAL = dt.timedelta(hours=8)


class RunTestCase(ActivatedTestCase):
    "Allocation runs"
    modules = ['laisui_admission']

    def at(self, now=NOW):
        return Transaction().set_context(_laisui_now=now)

    def eligible(self, round_, scores, schools, ties=None, first=1):
        """Eligible applications with these scores (and points per row of
        the table), all preferring schools in the given order; applicants
        numbered from first"""
        Application = Pool().get('laisui.admission.application')
        applications = []
        for n, score in enumerate(scores, first):
            applicant = make_applicant(n)
            child = child_of(applicant, n)
            application = draft_application(
                round_, applicant, child, schools)
            applications.append(application)
        # As if reviewed: the run reads eligible applications only.
        ties = ties or [(score, 0) for score in scores]
        for application, score, tie in zip(applications, scores, ties):
            Application.write([application], {
                    'state': 'eligible', 'score': Decimal(score),
                    'tie_points': ','.join(map(str, tie)),
                    'child_id_number': application.child.id_number})
        return applications

    def executed(self, round_, scores, places, ties=None, first=1):
        "A dry run of eligible applications preferring schools in order"
        Run = Pool().get('laisui.admission.run')
        Round = Pool().get('laisui.admission.round')
        schools = make_schools(round_, places)
        applications = self.eligible(
            round_, scores, schools, ties, first=first)
        if not round_.seed_commitment:
            Round.commit_seed([round_])
        run, = Run.create([{'round': round_.id}])
        Run.execute([run])
        return Run(run.id), schools, applications

    def publish_wizard(self, user, run, data=None, state='start'):
        "The publication wizard of run, as user: its start view's values"
        from trytond.modules.laisui_review.tests.tools import acting
        Publish = Pool().get('laisui.admission.run.publish', type='wizard')
        with acting(user), Transaction().set_context(
                active_model='laisui.admission.run', active_ids=[run.id],
                active_id=run.id):
            session_id, _, _ = Publish.create()
            result = Publish.execute(session_id, {}, 'start')
            if state != 'start':
                # What the client sends back: the fields' values.
                values = {k: v for k, v in result['view']['defaults'].items()
                    if '.' not in k}
                result = Publish.execute(
                    session_id, {'start': values}, state)
            Publish.delete(session_id)
        return result

    def override(self, user, run, reason):
        "The override wizard of run, as user"
        from trytond.modules.laisui_review.tests.tools import acting
        Override = Pool().get('laisui.admission.run.override', type='wizard')
        with acting(user), Transaction().set_context(
                active_model='laisui.admission.run', active_ids=[run.id],
                active_id=run.id):
            session_id, _, _ = Override.create()
            Override.execute(session_id, {}, 'start')
            Override.execute(session_id, {'start': {'reason': reason}},
                'authorise')
            Override.delete(session_id)

    def sms_count(self):
        SMS = Pool().get('laisui.sms.message')
        return SMS.search_count([('template.code', '=', 'admission_result')])

    def assert_not_published(self, run, *texts, user=None):
        """Publishing run (through the wizard when user is given) fails
        with texts in its message; nothing changed, no SMS"""
        pool = Pool()
        Run = pool.get('laisui.admission.run')
        AuditLog = pool.get('laisui.audit.log')
        sms, audit = self.sms_count(), AuditLog.search_count([
                ('resource', '=', str(run)), ('to_value', '=', 'published')])
        with self.assertRaises(RunError) as cm:
            if user:
                self.publish_wizard(user, run, state='publish')
            else:
                Run.publish([run])
        for text in texts:
            self.assertIn(text, cm.exception.message)
        run = Run(run.id)
        self.assertEqual((run.state, run.published_at), ('done', None))
        self.assertIsNone(Run.published_run(run.round))
        self.assertEqual(self.sms_count(), sms)
        self.assertEqual(AuditLog.search_count([
                    ('resource', '=', str(run)),
                    ('to_value', '=', 'published')]), audit)
        return cm.exception.message

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

        with self.at(CLOSED):
            # Not before the allocation date; a dry run was fine.
            Round.write([round_], {'allocation_date': dt.date(2021, 6, 1)})
            with self.assertRaises(RunError) as cm:
                Run.publish([run])
            self.assertIn('2021-06-01', cm.exception.message)
            self.assertEqual(Run(run.id).state, 'done')
            Round.write([round_], {'allocation_date': dt.date(2021, 5, 20)})
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
    def test_notice_credential(self):
        """The notice of a placed result is one credential, issued at the
        first call; a new version revokes it with the reason"""
        pool = Pool()
        Run = pool.get('laisui.admission.run')
        Round = pool.get('laisui.admission.round')
        Application = pool.get('laisui.admission.application')
        Credential = pool.get('laisui.credential')
        with self.at():
            round_ = make_round()
            first, second = make_schools(round_, [1, 1])
            a, b, c = self.eligible(round_, [90, 80, 70], [first, second])
            Round.commit_seed([round_])
            run, = Run.create([{'round': round_.id}])
            Run.execute([run])
        with self.at(CLOSED):
            Run.publish([run])
            result, = [r for r in Run(run.id).results
                if r.application == b]
            credential = notice.credential(result)
            self.assertEqual(notice.credential(result), credential)
            self.assertEqual(notice.token(result), credential.token)
            self.assertEqual(Credential.search_count(
                    [('kind', '=', 'admission_notice')]), 1)
            self.assertRegex(credential.number, r'^RX2021\d{6}$')
            self.assertEqual((credential.holder, credential.document,
                    credential.title), (b.applicant, result, '学位通知书'))
            claims = dict(credential.claims_list)
            self.assertEqual(claims['安排学校'], second.name)
            self.assertEqual(claims['批次'], f'{round_.name}（第1版）')
            self.assertTrue(claims['学生'].startswith('陈*'))
            self.assertNotIn(b.applicant.name, credential.claims)
            self.assertNotIn(b.child.id_number, credential.claims)
            self.assertEqual(Credential.verify(credential.token),
                ('valid', credential))

            Application.write([a], {'state': 'withdrawn'})
            rerun, = Run.create([{'round': round_.id}])
            Run.execute([rerun])
            Run.publish([rerun])
            credential = Credential(credential.id)
            self.assertEqual(credential.state, 'revoked')
            self.assertEqual(credential.revocation_reason,
                '第1版分配结果已被第2版替代，请以最新公示为准。')
            self.assertEqual(Credential.verify(credential.token),
                ('revoked', credential))
            # The new version's notice is another credential, valid.
            result, = [r for r in Run(rerun.id).results
                if r.application == b]
            other = notice.credential(result)
            self.assertNotEqual(other, credential)
            self.assertEqual(other.state, 'valid')

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
        with self.at(CLOSED):
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
        with self.at(CLOSED):
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
        with self.at(CLOSED):
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


    @with_transaction()
    def test_tie_break_by_table_rows_then_lottery(self):
        """Submitted applications tie on their admission score: the first
        row of the round's table (in its order, admission rows only) that
        differs decides, then the committed draw"""
        import hashlib

        from trytond.modules.laisui_admission.tests.tools import (
            CUTOFF, verify_points)
        from trytond.modules.laisui_review.tests.tools import as_root
        pool = Pool()
        Run = pool.get('laisui.admission.run')
        Round = pool.get('laisui.admission.round')
        Application = pool.get('laisui.admission.application')
        Indicator = pool.get('laisui.points.indicator')
        RuleSet = pool.get('laisui.points.rule_set')
        Fact = pool.get('laisui.fact')
        with self.at():
            rule_set = RuleSet.in_force(CUTOFF)
            indicator = {i.code: i for i in rule_set.indicators}
            # The district's table lists education (seeded 60) before
            # insurance (seeded 50), as its module data would.
            with as_root():
                Indicator.write([indicator['education']], {'sequence': 45})
            round_ = make_round()
            school, = make_schools(round_, [2])
            applications = []
            for n in [1, 2, 3]:
                applicant = make_applicant(n)
                verify_points(applicant)
                child = child_of(applicant, n)
                applications.append(draft_application(
                        round_, applicant, child, [school]))
            a, b, c = applications
            # A bad credit record: a deduction, which admission ignores.
            Fact.create([{'applicant': a.applicant.id, 'kind': 'credit',
                        'date_from': dt.date(2020, 6, 1)}])
            Application.submit(applications)
            a, b, c = Application.browse(applications)
            self.assertEqual(a.score, b.score)
            self.assertEqual(a.tie_points, b.tie_points)
            self.assertEqual(b.tie_points, c.tie_points)
            self.assertNotIn(indicator['credit'],
                [l.indicator for l in a.score_lines])
            rows = [l.indicator.code for l in a.score_lines]
            self.assertLess(rows.index('education'), rows.index('insurance'))
            # The review moves a point of a's from education to insurance:
            # the same score, less on the earlier row.
            education = {l.indicator.code: l.points
                for l in a.score_lines}['education']
            insurance = {l.indicator.code: l.points
                for l in a.score_lines}['insurance']
            a.apply_points({indicator['education'].id: education - 1,
                    indicator['insurance'].id: insurance + 1})
            a.save()
            Application.write([a, b, c], {'state': 'eligible'})
            self.assertEqual(Application(a.id).score, b.score)

            Round.commit_seed([round_])
            seed = Round(round_.id).seed
            run, = Run.create([{'round': round_.id}])
            Run.execute([run])
            # b and c tie on every row: the smaller draw first, as anybody
            # checks it with the published seed.
            b_first = (hashlib.sha256(f'{seed}:{b.id}'.encode()).hexdigest()
                < hashlib.sha256(f'{seed}:{c.id}'.encode()).hexdigest())
            expected = [b, c, a] if b_first else [c, b, a]
            self.assertEqual([r.application for r in Run(run.id).results],
                expected)
            self.assertEqual(self.results(Run(run.id)),
                {a.id: None, b.id: school.id, c.id: school.id})

    @with_transaction()
    def test_cutoff_lowest_admitted_with_tie_values(self):
        """Three places, ties at the boundary: the cut-off is the lowest
        score admitted, shown with the rows of the last place"""
        pool = Pool()
        Indicator = pool.get('laisui.points.indicator')
        RuleSet = pool.get('laisui.points.rule_set')
        from trytond.modules.laisui_admission.tests.tools import CUTOFF
        from trytond.modules.laisui_review.tests.tools import as_root
        with self.at():
            # The table's first three rows, in this order, as its module
            # data would list them.
            indicator = {i.code: i
                for i in RuleSet.in_force(CUTOFF).indicators}
            with as_root():
                for sequence, code in enumerate(
                        ['education', 'age', 'permit'], 1):
                    Indicator.write(
                        [indicator[code]], {'sequence': sequence})
            round_ = make_round()
            run, (s, t), apps = self.executed(round_,
                [90, 85, 80, 80, 75, 70], [3, 2], ties=[
                    (40, 30, 20), (35, 30, 20), (30, 30, 20),
                    # Tied with the third on score and first row.
                    (30, 25, 25),
                    # More on the first row than the fourth.
                    (40, 20, 15), (30, 20, 20)])
        self.assertEqual(self.results(run), {
                apps[0].id: s.id, apps[1].id: s.id, apps[2].id: s.id,
                apps[3].id: t.id, apps[4].id: t.id, apps[5].id: None})
        cutoffs = {c.school: (c.places, c.placed, c.cutoff, c.tie_break)
            for c in run.cutoffs}
        self.assertEqual(cutoffs, {
                s: (3, 3, 80, '文化程度 30、年龄 30、居住证 20'),
                t: (2, 2, 75, '文化程度 40、年龄 20、居住证 15'),
                })
        # Those with a cut-off score read the values they were ranked by.
        reasons = {r.application: r.reason for r in run.results}
        self.assertIsNone(reasons[apps[3]])
        self.assertEqual(reasons[apps[5]],
            f'第1志愿{s.name}：录取最低分80；'
            f'第2志愿{t.name}：录取最低分75')

        with self.at():
            round_ = make_round()
            run, (u,), apps = self.executed(round_, [80, 80], [1],
                ties=[(30, 30, 20), (30, 25, 25)], first=7)
        tied, = [r for r in run.results if not r.school]
        self.assertEqual(tied.application, apps[1])
        self.assertEqual(tied.reason, f'第1志愿{u.name}：录取最低分80'
            '（末位录取各项积分：文化程度 30、年龄 30、居住证 20），'
            '同分按指标逐项比较及摇号排序在后')

    @with_transaction()
    def test_publish_confirmation_counts(self):
        "The confirmation shows the counts the publication will have"
        from trytond.modules.laisui_base.tests.tools import staff
        pool = Pool()
        Applicant = pool.get('laisui.applicant')
        Application = pool.get('laisui.admission.application')
        Run = pool.get('laisui.admission.run')
        admin = staff('count_admin', 'group_district_admin')
        with self.at():
            round_ = make_round()
            run, (s, t), apps = self.executed(
                round_, [90, 85, 80, 75, 70, 65, 60], [3, 2])
        # One applicant gave no mobile phone: no SMS for that one.
        table = Applicant.__table__()
        Transaction().connection.cursor().execute(*table.update(
                [table.phone], [None],
                where=table.id == apps[6].applicant.id))
        Transaction().cache.clear()
        with self.at(CLOSED):
            start = self.publish_wizard(admin, run)['view']['defaults']
            self.assertEqual(
                (start['placed'], start['unplaced'], start['sms']),
                (5, 2, 6))
            self.assertFalse(start['blockers'])
            self.assertEqual(self.sms_count(), 0)
            self.publish_wizard(admin, run, state='publish')
            self.assertEqual(Run(run.id).state, 'published')
            self.assertEqual(Run(run.id).published_by, admin)
            self.assertEqual(self.sms_count(), 6)

            # A new version tells only those whose result changed: the
            # first leaves, the fourth moves up to S, the sixth gets T.
            Application.write([apps[0]], {'state': 'withdrawn'})
            rerun, = Run.create([{'round': round_.id}])
            Run.execute([rerun])
            start = self.publish_wizard(admin, Run(rerun.id))[
                'view']['defaults']
            self.assertEqual(
                (start['placed'], start['unplaced'], start['sms']),
                (5, 1, 2))

    @with_transaction()
    def test_publish_refused_while_application_window_open(self):
        "Until the application window closes, nothing is published"
        from trytond.modules.laisui_base.tests.tools import staff
        Run = Pool().get('laisui.admission.run')
        admin = staff('window_admin', 'group_district_admin')
        with self.at():
            round_ = make_round()
            run, _, _ = self.executed(round_, [90, 80], [1])
        for now in [BEFORE_CLOSE, AT_CLOSE]:
            with self.subTest(now=now), self.at(now):
                start = self.publish_wizard(admin, run)['view']['defaults']
                self.assertIn('申请受理至2021-05-20 17:00才结束',
                    start['blockers'])
                message = self.assert_not_published(run,
                    '暂不能发布', '申请受理至2021-05-20 17:00才结束',
                    '另一位区管理员', user=admin)
                self.assertNotIn('审核', message)
                self.assert_not_published(run, '申请受理')
        with self.at(CLOSED):
            self.publish_wizard(admin, run, state='publish')
        self.assertEqual(Run(run.id).state, 'published')
        self.assertEqual(self.sms_count(), 2)

    @with_transaction()
    def test_publish_refused_while_preference_window_open(self):
        "Preferences can still change: nothing is published"
        from trytond.modules.laisui_base.tests.tools import staff
        Run = Pool().get('laisui.admission.run')
        admin = staff('pref_admin', 'group_district_admin')
        with self.at():
            round_ = make_round(
                preference_start=dt.datetime(2021, 5, 25, 9) - LOCAL,
                preference_end=dt.datetime(2021, 5, 28, 17) - LOCAL)
            run, _, _ = self.executed(round_, [90, 80], [1])
        for now in [dt.datetime(2021, 5, 28, 8, 59),
                dt.datetime(2021, 5, 28, 9, 0)]:
            with self.subTest(now=now), self.at(now):
                self.assert_not_published(run,
                    '志愿修改至2021-05-28 17:00才结束', user=admin)
        # Between the two windows: published.
        with self.at(dt.datetime(2021, 5, 28, 9, 1)):
            self.publish_wizard(admin, run, state='publish')
        self.assertEqual(Run(run.id).state, 'published')

    @with_transaction()
    def test_publish_undecided_needs_second_admin_override(self):
        """An application still in review holds the publication unless a
        second district admin records why it may go ahead"""
        from trytond.modules.laisui_base.tests.tools import staff
        from trytond.modules.laisui_review.tests.tools import acting
        pool = Pool()
        Run = pool.get('laisui.admission.run')
        Round = pool.get('laisui.admission.round')
        Application = pool.get('laisui.admission.application')
        AuditLog = pool.get('laisui.audit.log')
        first = staff('first_admin', 'group_district_admin')
        second = staff('second_admin', 'group_district_admin')
        reviewer = staff('pub_reviewer', 'group_district_reviewer')
        with self.at():
            round_ = make_round()
            school, = make_schools(round_, [1])
            apps = self.eligible(round_, [90, 80, 70, 60, 50], [school])
            # Refused, still in review, back for correction, eligible,
            # never submitted: the second and third are undecided.
            for application, state in zip(apps, ['ineligible', 'review',
                        'returned', 'eligible', 'draft']):
                Application.write([application], {'state': state})
            Round.commit_seed([round_])
            run, = Run.create([{'round': round_.id}])
            Run.execute([run])
            run = Run(run.id)
        with self.at(CLOSED):
            start = self.publish_wizard(first, run)['view']['defaults']
            self.assertIn('还有2份申请在审核中或退回补正', start['blockers'])
            self.assertEqual((start['placed'], start['unplaced'],
                    start['sms']), (1, 0, 1))
            self.assert_not_published(run, '还有2份申请在审核中或退回补正',
                user=first)

            # One decided: one left.
            Application.write([apps[1]], {'state': 'ineligible'})
            self.assert_not_published(run, '还有1份申请', user=first)

            # The publisher's own override counts for nothing.
            self.override(first, run, '复核期限已到，先行公示')
            self.assertEqual(Run(run.id).override_by, first)
            self.assert_not_published(run, '由first_admin登记',
                '另一位区管理员', user=first)

            # A reason too short is refused and recorded nowhere.
            overrides = AuditLog.search_count([
                    ('resource', '=', str(run)), ('action', '=', 'write')])
            with self.assertRaises(RunError) as cm:
                self.override(second, run, '太急')
            self.assertIn('至少4个字', cm.exception.message)
            self.assertEqual(Run(run.id).override_by, first)
            self.assertEqual(AuditLog.search_count([
                        ('resource', '=', str(run)),
                        ('action', '=', 'write')]), overrides)
            # Reviewers cannot record one at all.
            from trytond.model.exceptions import AccessError
            with self.assertRaises(AccessError):
                self.override(reviewer, run, '复核期限已到，先行公示')

            self.override(second, run, '退回补正的申请逾期未补，先行公示')
            run = Run(run.id)
            self.assertEqual((run.override_by, run.override_reason),
                (second, '退回补正的申请逾期未补，先行公示'))
            entry, = AuditLog.search([('resource', '=', str(run)),
                    ('action', '=', 'write')], limit=1)
            self.assertEqual(entry.user, second)
            self.assertIn('退回补正的申请逾期未补，先行公示', entry.detail)
            self.assertIn('还有1份申请', entry.detail)
            # Its author does not publish on it either.
            self.assert_not_published(run, '由second_admin登记', user=second)

            self.publish_wizard(first, run, state='publish')
            run = Run(run.id)
            self.assertEqual((run.state, run.published_by),
                ('published', first))
            published, = AuditLog.search([('resource', '=', str(run)),
                    ('to_value', '=', 'published')])
            self.assertEqual(published.user, first)
            self.assertIn('second_admin', published.detail)
            self.assertIn('退回补正的申请逾期未补，先行公示', published.detail)
            self.assertEqual(self.sms_count(), 1)

            # Published: no override recorded any more.
            with self.assertRaises(RunError) as cm:
                with acting(second):
                    Run.record_override([run], '已经发布，再登记一次')
            self.assertIn('已经发布', cm.exception.message)

    @with_transaction()
    def test_publish_only_through_the_wizard(self):
        "Over RPC the old button is gone; the wizard is the only way"
        from trytond.modules.laisui_base.tests.tools import staff
        Run = Pool().get('laisui.admission.run')
        self.assertNotIn('publish', Run.__rpc__)
        self.assertNotIn('record_override', Run.__rpc__)
        self.assertIn('publish_wizard', Run.__rpc__)
        admin = staff('rpc_admin', 'group_district_admin')
        with self.at():
            round_ = make_round()
            run, _, _ = self.executed(round_, [90], [1])
            from trytond.modules.laisui_review.tests.tools import acting
            with acting(admin):
                # The button opens the confirmation, and publishes nothing.
                action = Run.publish_wizard([run])
            self.assertEqual(Run(run.id).state, 'done')
            self.assertEqual(self.sms_count(), 0)
            self.assertTrue(action)


def new_applications(round_):
    Application = Pool().get('laisui.admission.application')
    return Application.search([('round', '=', round_.id)])
