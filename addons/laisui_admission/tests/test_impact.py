# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Policy impact preview: a draft rule set run against a past round.

The applicants have a Yuexiu permit and an education only, so that each
admission score is written by hand from the 2018 city table (domain.md,
§2.2; deductions left out, §4.1) at the round's cut-off 2021-03-31
(§9.1 full years): 3 points a full permit year, education 50 (bachelor),
35 (college) or 20 (high school), age 41 → 10. The draft gives a college
degree 45 instead of 35 and changes nothing else."""
import datetime as dt
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.modules.laisui_admission.tests.tools import (
    CLOSED, CUTOFF, NOW, draft_application, make_round, make_schools)
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase, staff
from trytond.modules.laisui_connectors.tests.tools import id_number
from trytond.modules.laisui_review.tests.tools import acting
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

D = dt.date
DRAFT_EDUCATION = ("50 if education in ('bachelor', 'master', 'doctor') "
    "else 45 if education == 'college' "
    "else 20 if education == 'highschool' else 0")


class ImpactTestCase(ActivatedTestCase):
    "Policy impact preview"
    modules = ['laisui_admission']

    def at(self):
        return Transaction().set_context(_laisui_now=NOW)

    def applicant(self, n, permit_from, *educations):
        """Born 1980-01-01 + n days (41 on the cut-off), a Yuexiu permit
        from permit_from, educations as (level, date)"""
        pool = Pool()
        Applicant = pool.get('laisui.applicant')
        District = pool.get('laisui.district')
        yuexiu, = District.search([('code', '=', '440104')])
        applicant, = Applicant.create([{
                    'name': f'林晓{n}', 'id_number': id_number(n),
                    'phone': f'1390013{n:04d}',
                    'permits': [('create', [{
                                    'number': f'GD44010419{n:04d}',
                                    'district': yuexiu.id,
                                    'date_start': permit_from,
                                    }])],
                    'facts': [('create', [
                                {'kind': 'education', 'level': level,
                                    'date_from': date}
                                for level, date in educations])],
                    }])
        return applicant

    def eligible(self, round_, applicant, n, schools):
        "An eligible application, its score frozen as a submission does"
        pool = Pool()
        Application = pool.get('laisui.admission.application')
        Member = pool.get('laisui.family.member')
        child, = Member.create([{
                    'applicant': applicant.id, 'name': f'张小{n}',
                    'id_number': id_number(n, birth=D(2015, 5, 1)),
                    'relation': 'child',
                    }])
        application = draft_application(round_, applicant, child, schools)
        (_, _, lines), = Application.assess([application]).values()
        application._freeze(lines)
        application.child_id_number = child.id_number
        application.state = 'eligible'
        application.save()
        return application

    def adjust(self, application, code, points):
        "What a reviewer's adjustment of one indicator leaves"
        line, = [l for l in application.score_lines
            if l.indicator.code == code]
        application.apply_points({line.indicator.id: points})
        application.save()

    def draft(self):
        "A copy of the 2018 table, not in force, college degree 45"
        RuleSet = Pool().get('laisui.points.rule_set')
        Indicator = Pool().get('laisui.points.indicator')
        current = RuleSet.in_force(CUTOFF)
        draft, = RuleSet.copy([current], default={
                'name': '积分指标体系（征求意见稿）',
                'version': 'GZ-DRAFT',
                'date_from': D(2030, 1, 1),
                'date_to': None,
                })
        education, = [i for i in draft.indicators if i.code == 'education']
        Indicator.write([education], {'formula': DRAFT_EDUCATION})
        return RuleSet(draft.id)

    def round_with_run(self):
        """Schools A and B with a place each; five applications; a run.

        P1 bachelor (dated on the cut-off: counts), permit 2016-03-01,
           5 years: 15 + 50 + 10 = 75.
        P2 college, a bachelor dated the day after the cut-off (does not
           count), permit 2014-03-01, 7 years: 21 + 35 + 10 = 66; draft
           21 + 45 + 10 = 76.
        P3 high school, permit 2008-03-31, 13 years on the cut-off day:
           39 + 20 + 10 = 69; a reviewer gave insurance 4: 73. The draft
           keeps the insurance rule: 73.
        P4 college, permit 2019-04-01, 1 year (the second on 2021-04-01):
           3 + 35 + 10 = 48; a reviewer set education to 50: 63. The draft
           changes education: its 45 applies, 3 + 45 + 10 = 58, to check.
        P5 high school (dated the day before the cut-off), permit
           2020-03-31, 1 year: 3 + 20 + 10 = 33, only B.
        Everybody else prefers A, then B."""
        pool = Pool()
        Round = pool.get('laisui.admission.round')
        Run = pool.get('laisui.admission.run')
        round_ = make_round()
        a, b = make_schools(round_, [1, 1])
        people = [
            self.applicant(1, D(2016, 3, 1), ('bachelor', CUTOFF)),
            self.applicant(2, D(2014, 3, 1), ('college', D(2010, 7, 1)),
                ('bachelor', CUTOFF + dt.timedelta(days=1))),
            self.applicant(3, D(2008, 3, 31), ('highschool', D(2000, 7, 1))),
            self.applicant(4, D(2019, 4, 1), ('college', D(2012, 7, 1))),
            self.applicant(5, D(2020, 3, 31),
                ('highschool', CUTOFF - dt.timedelta(days=1))),
            ]
        applications = [self.eligible(round_, p, n, [a, b])
            for n, p in enumerate(people[:4], 1)]
        applications.append(self.eligible(round_, people[4], 5, [b]))
        self.adjust(applications[2], 'insurance', 4)
        self.adjust(applications[3], 'education', 50)
        Round.commit_seed([round_])
        run, = Run.create([{'round': round_.id}])
        Run.execute([run])
        return round_, (a, b), applications, Run(run.id)

    def preview(self, user, rule_set, round_, changed_only=True):
        "The result view's values of the wizard run by user"
        Impact = Pool().get('laisui.admission.impact', type='wizard')
        with acting(user), Transaction().set_context(
                active_model='laisui.points.rule_set',
                active_ids=[rule_set.id], active_id=rule_set.id):
            session_id, _, _ = Impact.create()
            start = Impact.execute(session_id, {}, 'start')
            self.assertEqual(
                start['view']['defaults']['rule_set'], rule_set.id)
            return Impact.execute(session_id, {'start': {
                        'rule_set': rule_set.id, 'round': round_.id,
                        'changed_only': changed_only}},
                'result')['view']['defaults']

    def stored(self, round_, applicants):
        "What the preview must leave as it was"
        pool = Pool()
        Statement = pool.get('laisui.points.statement')
        Line = pool.get('laisui.points.statement.line')
        Run = pool.get('laisui.admission.run')
        Result = pool.get('laisui.admission.run.result')
        Cutoff = pool.get('laisui.admission.run.cutoff')
        Application = pool.get('laisui.admission.application')
        SMS = pool.get('laisui.sms.message')
        Transaction().cache.clear()
        return {
            'statements': sorted((s.applicant.id, s.rule_set.id,
                    s.reference_date, s.total,
                    s.computed_at) for s in Statement.search([])),
            'lines': sorted((l.statement.id, l.indicator.id, l.points)
                for l in Line.search([])),
            'runs': sorted((r.id, r.state, r.placed, r.applications)
                for r in Run.search([])),
            'results': sorted((r.run.id, r.application.id, r.rank, r.score,
                    r.school.id if r.school else None)
                for r in Result.search([])),
            'cutoffs': sorted((c.run.id, c.school.id, c.cutoff)
                for c in Cutoff.search([])),
            'applications': sorted((a.id, a.state, a.score, a.tie_points)
                for a in Application.search([])),
            'sms': SMS.search_count([]),
            }

    @with_transaction()
    def test_preview_deltas_and_crossings(self):
        "Score changes and who crosses a cut-off, by hand; nothing stored"
        pool = Pool()
        Statement = pool.get('laisui.points.statement')
        AuditLog = pool.get('laisui.audit.log')
        with self.at():
            round_, (a, b), applications, run = self.round_with_run()
            p1, p2, p3, p4, p5 = applications
            # The fixture scores as the run ranked them.
            self.assertEqual(
                {r.application: (r.rank, r.score, r.school)
                    for r in run.results}, {
                    p1: (1, Decimal(75), a), p3: (2, Decimal(73), b),
                    p2: (3, Decimal(66), None), p4: (4, Decimal(63), None),
                    p5: (5, Decimal(33), None)})
            draft = self.draft()
            Statement.compute([p.applicant for p in applications], CUTOFF)
            before = self.stored(round_, applications)
            bulk_reads = AuditLog.search_count(
                [('action', '=', 'bulk_read')])
            admin = staff('impact_admin', 'group_district_admin')

            result = self.preview(admin, draft, round_)

            self.assertEqual(self.stored(round_, applications), before)
        self.assertEqual((result['rule_set'], result['round'],
                result['run'], result['points_cutoff']),
            (draft.id, round_.id, run.id, CUTOFF))
        self.assertEqual((result['applications'], result['raised'],
                result['lowered'], result['placed'], result['unplaced'],
                result['moved'], result['recomputed']),
            (5, 1, 1, 1, 1, 1, 1))
        lines = {l['number']: l for l in result['lines']}
        # P5 (33, not placed either way) is left out of the changes.
        self.assertNotIn(p5.number, lines)
        self.assertEqual({n: (l['old_rank'], l['new_rank'], l['old_score'],
                    l['new_score'], l['delta'], l['old_school'],
                    l['new_school'], l['change'], l['recomputed'])
                for n, l in lines.items()}, {
                p2.number: (3, 1, Decimal(66), Decimal(76), Decimal(10),
                    '', a.name, 'placed', False),
                p1.number: (1, 2, Decimal(75), Decimal(75), Decimal(0),
                    a.name, b.name, 'moved', False),
                p3.number: (2, 3, Decimal(73), Decimal(73), Decimal(0),
                    b.name, '', 'unplaced', False),
                p4.number: (4, 4, Decimal(63), Decimal(58), Decimal(-5),
                    '', '', 'same', True),
                })
        self.assertEqual([l['number'] for l in result['lines']],
            [p2.number, p1.number, p3.number, p4.number])
        # Masked as the published list: surname and the ID's ends only.
        line = lines[p1.number]
        self.assertEqual(line['name_public'], '张*')
        self.assertNotIn(p1.child.id_number, repr(result))
        self.assertNotIn(p1.child.id_number[6:14], line['child_public'])
        self.assertEqual({s['school']: (s['places'], s['old_placed'],
                    s['new_placed'], s['old_cutoff'], s['new_cutoff'])
                for s in result['schools']}, {
                a.name: (1, 1, 1, Decimal(75), Decimal(76)),
                b.name: (1, 1, 1, Decimal(73), Decimal(75)),
                })
        # One read of the applicants' data, audited; no number in it.
        entry, = AuditLog.search([('action', '=', 'bulk_read')],
            order=[('id', 'DESC')], limit=1)
        self.assertEqual(AuditLog.search_count(
                [('action', '=', 'bulk_read')]), bulk_reads + 1)
        self.assertEqual((entry.resource, entry.to_value, entry.user),
            ('laisui.admission.application', '4', admin))
        self.assertIn('GZ-DRAFT', entry.detail)
        self.assertIn('5 条申请', entry.detail)

        with self.at():
            everybody = self.preview(admin, draft, round_, changed_only=False)
        self.assertEqual(len(everybody['lines']), 5)
        p5_line, = [l for l in everybody['lines']
            if l['number'] == p5.number]
        self.assertEqual((p5_line['old_score'], p5_line['new_score'],
                p5_line['delta'], p5_line['change']),
            (Decimal(33), Decimal(33), Decimal(0), 'same'))

    @with_transaction()
    def test_compares_with_published_run(self):
        "The published run, not a later dry run, is what is compared"
        pool = Pool()
        Run = pool.get('laisui.admission.run')
        Round = pool.get('laisui.admission.round')
        with self.at():
            round_, _, applications, run = self.round_with_run()
            Round.write([round_], {'allocation_date': D(2021, 5, 10)})
            with Transaction().set_context(_laisui_now=CLOSED):
                Run.publish([run])
            # A dry run after an objection: P1 withdrawn.
            Pool().get('laisui.admission.application').write(
                [applications[0]], {'state': 'withdrawn'})
            later, = Run.create([{'round': round_.id}])
            Run.execute([later])
            admin = staff('impact_admin2', 'group_district_admin')
            result = self.preview(admin, self.draft(), round_)
        self.assertEqual(result['run'], run.id)
        self.assertEqual(result['applications'], 5)

    @with_transaction()
    def test_refusals(self):
        "A non-admin and a round never run are refused; nothing changes"
        pool = Pool()
        AuditLog = pool.get('laisui.audit.log')
        with self.at():
            round_, _, _, _ = self.round_with_run()
            never_run = make_round(name='2021年越秀区积分入学（第二批）')
            make_schools(never_run, [1])
            draft = self.draft()
            admin = staff('impact_admin3', 'group_district_admin')
            reviewer = staff('impact_reviewer', 'group_district_reviewer')
            reads = AuditLog.search_count([('action', '=', 'bulk_read')])
            with self.assertRaises(UserError) as cm:
                self.preview(admin, draft, never_run)
            self.assertEqual(cm.exception.message,
                f'批次“{never_run.rec_name}”还没有可供比较的分配结果，'
                '请先对该批次运行一次分配。')
            with self.assertRaises(AccessError) as cm:
                self.preview(reviewer, draft, round_)
            self.assertEqual(cm.exception.message,
                '只有区管理员可以预览指标体系调整对批次的影响。')
            self.assertEqual(AuditLog.search_count(
                    [('action', '=', 'bulk_read')]), reads)
