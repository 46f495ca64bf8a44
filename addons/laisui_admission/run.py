# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Allocation runs (学位分配).

Executing a run is a dry run: it ranks the round's eligible applications,
allocates the places and keeps the result, the cut-offs and the changes
from the published version, and publishes nothing. Publishing makes the
run the round's result; a published run never changes. A re-run (after
objections, say) is a new run, a new version, whose publication shows
what changed and supersedes the previous one.

The run reads and writes set-wise: 35,000 applications run in seconds.
"""
from collections import defaultdict
from decimal import Decimal

from sql import Literal, Null
from sql.aggregate import Max

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.bulk import bulk_insert, forget_cached
from trytond.modules.laisui_base.identity import mask_id_public
from trytond.modules.laisui_base.state_guard import state_guard
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from . import allocation
from .exceptions import RunError

STATES = [
    ('draft', "Draft"),
    ('done', "Dry Run Done"),
    ('published', "Published"),
    ('superseded', "Superseded"),
    ('cancelled', "Cancelled"),
    ]


# One run of a round at a time: the second launch waits for the round,
# then finds its run no longer draft or the seed unchanged.
_OPEN_ROUND = ('round', ['open', 'closed'])


def _published(message):
    "The error of a published run: it is never run or published again"
    def error(run):
        if run.state in {'published', 'superseded'}:
            return RunError(gettext(message, run=run.rec_name))
    return error


class Run(Workflow, ModelSQL, ModelView):
    "Allocation run (学位分配)"
    __name__ = 'laisui.admission.run'

    round = fields.Many2One('laisui.admission.round', "Round",
        required=True, ondelete='RESTRICT',
        states={'readonly': Eval('state') != 'draft'})
    version = fields.Integer("Version", readonly=True)
    base = fields.Many2One('laisui.admission.run', "Replaces",
        readonly=True, help="The published run this one was compared with.")
    state = fields.Selection(STATES, "State", required=True, readonly=True)
    state_string = state.translated('state')
    seed_commitment = fields.Char("Lottery Seed Hash", readonly=True)
    executed_at = fields.Timestamp("Executed At", readonly=True)
    executed_by = fields.Many2One('res.user', "Executed By", readonly=True)
    published_at = fields.Timestamp("Published At", readonly=True)
    published_by = fields.Many2One('res.user', "Published By",
        readonly=True)
    applications = fields.Integer("Applications", readonly=True)
    placed = fields.Integer("Placed", readonly=True)
    changed = fields.Integer("Changed", readonly=True,
        help="Applications whose school differs from the replaced run.")
    results = fields.One2Many('laisui.admission.run.result', 'run',
        "Results", readonly=True)
    cutoffs = fields.One2Many('laisui.admission.run.cutoff', 'run',
        "Cut-offs", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('round', 'DESC'), ('version', 'DESC'), ('id', 'DESC')]
        cls._sql_indexes.add(Index(t, (t.round, Index.Equality()),
                (t.state, Index.Equality())))
        cls._transitions |= {
            ('draft', 'done'),
            ('done', 'published'),
            ('published', 'superseded'),
            ('draft', 'cancelled'),
            ('done', 'cancelled'),
            }
        cls._buttons.update({
                'execute': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'publish': {
                    'invisible': Eval('state') != 'done',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'done']),
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    def get_rec_name(self, name):
        return f'{self.round.rec_name} 第{self.version}版'

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('round'):
            values['version'] = cls._next_version(values['round'])
        return values

    @classmethod
    def _next_version(cls, round_id):
        "One more than the last published version of the round"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(Max(table.version),
                where=(table.round == round_id)
                & table.state.in_(['published', 'superseded'])))
        last, = cursor.fetchone()
        return (last or 0) + 1

    @classmethod
    def published_run(cls, round_):
        "The round's result in force, or None"
        with Transaction().set_context(_check_access=False):
            runs = cls.search([
                    ('round', '=', int(round_)),
                    ('state', '=', 'published'),
                    ], limit=1)
        return runs[0] if runs else None

    @classmethod
    def check_modification(cls, mode, runs, values=None, external=False):
        super().check_modification(
            mode, runs, values=values, external=external)
        if mode == 'delete' and any(r.state != 'draft' for r in runs):
            raise RunError(gettext('laisui_admission.msg_run_immutable'))

    # Execution ---------------------------------------------------------
    @classmethod
    @state_guard('draft', parent=_OPEN_ROUND,
        error=_published('laisui_admission.msg_run_published_immutable'))
    @ModelView.button
    def execute(cls, runs):
        pool = Pool()
        AuditLog = pool.get('laisui.audit.log')
        for run in runs:
            round_ = run.round
            if not round_.seed:
                raise RunError(gettext(
                        'laisui_admission.msg_seed_not_committed',
                        round=round_.rec_name))
            base = cls.published_run(round_)
            candidates, places = cls._load(round_)
            ranking = allocation.rank(candidates, round_.seed)
            assignment = allocation.allocate(candidates, places, ranking)
            cutoffs = allocation.cutoffs(candidates, assignment)
            changed = cls._store(run, candidates, places, ranking,
                assignment, cutoffs, base)
            run.base = base
            run.seed_commitment = round_.seed_commitment
            run.executed_at = clock.now()
            run.executed_by = Transaction().user or None
            run.applications = len(candidates)
            run.placed = sum(s is not None for s in assignment.values())
            run.changed = changed
            run.state = 'done'
        cls.save(runs)
        AuditLog.log_many([{'action': 'state', 'resource': str(r),
                    'from_value': 'draft', 'to_value': 'done',
                    'detail': f'{r.placed}/{r.applications}'} for r in runs])

    @classmethod
    def _load(cls, round_):
        "The round's eligible applications as candidates, and its places"
        pool = Pool()
        Application = pool.get('laisui.admission.application')
        Preference = pool.get('laisui.admission.preference')
        SeatPlan = pool.get('laisui.admission.seat_plan')
        cursor = Transaction().connection.cursor()
        application = Application.__table__()
        preference = Preference.__table__()
        plan = SeatPlan.__table__()
        cursor.execute(*plan.select(plan.school, plan.places,
                where=plan.round == round_.id))
        places = dict(cursor)
        cursor.execute(*application.join(preference,
                condition=preference.application == application.id
                ).select(application.id, preference.school,
                where=(application.round == round_.id)
                & (application.state == 'eligible'),
                order_by=[application.id, preference.sequence.asc,
                    preference.id]))
        preferences = defaultdict(list)
        for application_id, school in cursor:
            preferences[application_id].append(school)
        cursor.execute(*application.select(
                application.id, application.score, application.tie_points,
                where=(application.round == round_.id)
                & (application.state == 'eligible')))
        candidates = [allocation.Candidate(
                id=id_, score=Decimal(score or 0),
                tie_points=tuple(Decimal(p) for p in (tie or '').split(',')
                    if p),
                preferences=tuple(preferences.get(id_, ())))
            for id_, score, tie in cursor]
        return candidates, places

    @classmethod
    def _store(cls, run, candidates, places, ranking, assignment, cutoffs,
            base):
        "Write results and cut-offs; return how many changed from base"
        pool = Pool()
        Result = pool.get('laisui.admission.run.result')
        Cutoff = pool.get('laisui.admission.run.cutoff')
        School = pool.get('laisui.admission.school')
        cursor = Transaction().connection.cursor()
        before = {}
        if base:
            result = Result.__table__()
            cursor.execute(*result.select(result.application, result.school,
                    where=result.run == base.id))
            before = dict(cursor)
        names = {s.id: s.name for s in School.browse(list(places))}
        placed = defaultdict(int)
        for school in assignment.values():
            if school is not None:
                placed[school] += 1
        by_id = {c.id: c for c in candidates}
        now, uid = clock.now(), Transaction().user
        rows, changed = [], 0
        for position, candidate_id in enumerate(ranking, 1):
            candidate = by_id[candidate_id]
            school = assignment[candidate_id]
            choice = (candidate.preferences.index(school) + 1
                if school is not None else None)
            reason = None if school is not None else _unplaced_reason(
                candidate, names, places, placed, cutoffs)
            was = before.get(candidate_id)
            is_changed = bool(base) and was != school
            changed += is_changed
            rows.append((run.id, candidate_id, position, candidate.score,
                    school, choice, reason, is_changed, was, uid, now))
        bulk_insert(Result._table, ['run', 'application', 'rank', 'score',
                'school', 'preference', 'reason', 'changed',
                'previous_school', 'create_uid', 'create_date'], rows)
        bulk_insert(Cutoff._table, ['run', 'school', 'places', 'placed',
                'cutoff', 'create_uid', 'create_date'],
            [(run.id, school, count, placed[school], cutoffs.get(school),
                    uid, now) for school, count in places.items()])
        forget_cached(Result.__name__, Cutoff.__name__)
        return changed

    # Publication -------------------------------------------------------
    @classmethod
    @state_guard('done', parent=_OPEN_ROUND,
        error=_published('laisui_admission.msg_run_already_published'))
    @ModelView.button
    def publish(cls, runs):
        pool = Pool()
        AuditLog = pool.get('laisui.audit.log')
        for run in runs:
            round_ = run.round
            # Dry runs any time; the result not before its date.
            if round_.allocation_date and (
                    clock.today() < round_.allocation_date):
                raise RunError(gettext(
                        'laisui_admission.msg_publish_before_allocation',
                        run=run.rec_name, date=round_.allocation_date))
            current = cls.published_run(run.round)
            if current != run.base:
                # Published meanwhile: this run was compared with an
                # older result, its changes would be wrong.
                raise RunError(gettext(
                        'laisui_admission.msg_run_outdated',
                        run=run.rec_name,
                        current=current.rec_name if current else '—'))
            if current:
                cls.write([current], {'state': 'superseded'})
                AuditLog.log('state', resource=current,
                    from_value='published', to_value='superseded')
            cls.write([run], {'state': 'published',
                    'published_at': clock.now(),
                    'published_by': Transaction().user or None})
            AuditLog.log('state', resource=run, from_value='done',
                to_value='published')
            cls._notify(run)

    @classmethod
    def _notify(cls, run):
        """One SMS per applicant of a first publication; only the changed
        ones for a new version"""
        pool = Pool()
        Message = pool.get('laisui.sms.message')
        Result = pool.get('laisui.admission.run.result')
        Application = pool.get('laisui.admission.application')
        Applicant = pool.get('laisui.applicant')
        School = pool.get('laisui.admission.school')
        result = Result.__table__()
        application = Application.__table__()
        applicant = Applicant.__table__()
        school = School.__table__()
        where = result.run == run.id
        if run.base:
            where &= result.changed == Literal(True)
        cursor = Transaction().connection.cursor()
        cursor.execute(*result
            .join(application, condition=result.application == application.id)
            .join(applicant, condition=application.applicant == applicant.id)
            .join(school, 'LEFT', condition=result.school == school.id)
            .select(applicant.phone, school.name,
                where=where & (applicant.phone != Null),
                order_by=result.rank))
        Message.queue_many([(phone, 'admission_result', {
                        'round': run.round.name,
                        'result': (f'拟安排至{name}' if name
                            else '暂未获安排学位'),
                        }) for phone, name in cursor.fetchall()])

    @classmethod
    @state_guard('draft', 'done')
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, runs):
        pass


def _unplaced_reason(candidate, names, places, placed, cutoffs):
    "The cut-off at each preference, as the publication explains it"
    parts = []
    for i, school in enumerate(candidate.preferences, 1):
        name = names.get(school, '')
        if not places.get(school):
            parts.append(f'第{i}志愿{name}：本批次无学位')
        elif school in cutoffs:
            cutoff = cutoffs[school]
            tie = '，同分按指标逐项比较及摇号排序在后' if (
                cutoff == candidate.score) else ''
            parts.append(f'第{i}志愿{name}：录取最低分{cutoff}{tie}')
    return '；'.join(parts) or '未填报有效志愿'


class Result(ModelSQL, ModelView):
    "Allocation result of one application"
    __name__ = 'laisui.admission.run.result'

    run = fields.Many2One('laisui.admission.run', "Run", required=True,
        ondelete='CASCADE', readonly=True)
    application = fields.Many2One('laisui.admission.application',
        "Application", required=True, ondelete='RESTRICT', readonly=True)
    rank = fields.Integer("Rank", readonly=True)
    score = fields.Numeric("Score", digits=(16, 2), readonly=True)
    school = fields.Many2One('laisui.admission.school', "School",
        readonly=True, ondelete='RESTRICT')
    preference = fields.Integer("Preference Granted", readonly=True)
    reason = fields.Text("Why Not Placed", readonly=True)
    changed = fields.Boolean("Changed", readonly=True)
    previous_school = fields.Many2One('laisui.admission.school',
        "School Before", readonly=True, ondelete='RESTRICT')
    enrolment = fields.Selection([
            (None, ''),
            ('enrolled', "Enrolled"),
            ('declined', "Declined"),
            ], "Enrolment",
        help="Whether the family took the place: declined places go to "
        "the supplementary round.")
    name_public = fields.Function(fields.Char("Applicant"), 'get_public')
    child_public = fields.Function(fields.Char("Child ID"), 'get_public')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('run', 'DESC'), ('rank', 'ASC'), ('id', 'ASC')]
        cls._sql_indexes.update({
                Index(t, (t.run, Index.Equality()), (t.rank, Index.Range())),
                Index(t, (t.application, Index.Equality())),
                })

    @classmethod
    def check_modification(cls, mode, results, values=None,
            external=False):
        super().check_modification(
            mode, results, values=values, external=external)
        # A published allocation never changes; only the enrolment of a
        # place is recorded on it afterwards.
        if external and (mode != 'write'
                or set(values or {}) - {'enrolment'}
                or any(r.run.state != 'published' or not r.school
                    for r in results)):
            raise RunError(gettext('laisui_admission.msg_result_readonly'))

    @classmethod
    def published(cls, application):
        "The application's result in its round's published run, or None"
        with Transaction().set_context(_check_access=False):
            results = cls.search([
                    ('application', '=', int(application)),
                    ('run.state', '=', 'published'),
                    ], limit=1)
        return results[0] if results else None

    @classmethod
    def get_public(cls, results, names):
        "De-identified as the publication shows it: 张*, 4****1"
        pool = Pool()
        Application = pool.get('laisui.admission.application')
        Member = pool.get('laisui.family.member')
        result = cls.__table__()
        application = Application.__table__()
        member = Member.__table__()
        cursor = Transaction().connection.cursor()
        values = {n: {} for n in names}
        # One query for a page of results, not an application and a child
        # read per row.
        for sub_ids in grouped_slice(
                [r.id for r in results], backend.MAX_QUERY_PARAMS):
            cursor.execute(*result
                .join(application,
                    condition=result.application == application.id)
                .join(member, condition=application.child == member.id)
                .select(result.id, member.name, application.child_id_number,
                    where=fields.SQL_OPERATORS['in'](
                        result.id, list(sub_ids))))
            for id_, name, number in cursor:
                if 'name_public' in values:
                    values['name_public'][id_] = public_name(name)
                if 'child_public' in values:
                    values['child_public'][id_] = mask_id_public(number)
        return values


class Cutoff(ModelSQL, ModelView):
    "Cut-off score of a school in a run"
    __name__ = 'laisui.admission.run.cutoff'

    run = fields.Many2One('laisui.admission.run', "Run", required=True,
        ondelete='CASCADE', readonly=True)
    school = fields.Many2One('laisui.admission.school', "School",
        required=True, ondelete='RESTRICT', readonly=True)
    places = fields.Integer("Places", readonly=True)
    placed = fields.Integer("Placed", readonly=True)
    cutoff = fields.Numeric("Cut-off Score", digits=(16, 2), readonly=True,
        help="Score of the last applicant placed; empty if none was.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('run', 'DESC'), ('school', 'ASC'), ('id', 'ASC')]
        cls._sql_indexes.add(Index(t, (t.run, Index.Equality())))


def public_name(name):
    "张*: the surname only, as the publication rules ask"
    return f'{name[0]}*' if name else ''
