# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Allocation runs (学位分配).

Executing a run is a dry run: it ranks the round's eligible applications,
allocates the places and keeps the result, the cut-offs and the changes
from the published version, and publishes nothing. Publishing makes the
run the round's result; a published run never changes. A re-run (after
objections, say) is a new run, a new version, whose publication shows
what changed and supersedes the previous one.

Publishing goes through a confirmation (publish.py) that shows what it
will do. It waits while applicants can still change what the run read
(the application or preference window is open) or applications are not
decided, unless a second district admin records why it may go ahead.

The run reads and writes set-wise: 35,000 applications run in seconds.
"""
from collections import defaultdict
from decimal import Decimal

from sql import Literal, Null
from sql.aggregate import Count, Max

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.bulk import bulk_insert, forget_cached
from trytond.modules.laisui_base.i18n import number_text, stored_gettext
from trytond.modules.laisui_base.identity import mask_id_public
from trytond.modules.laisui_base.state_guard import state_guard
from trytond.modules.laisui_review.configuration import min_reason_length
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from . import allocation, notice
from .exceptions import RunError
from .round import WINDOWS

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
# Windows in which applicants still change what a run reads.
_HOLDING_WINDOWS = ('application', 'preference')
# Submitted and not decided. A draft was never submitted and, its window
# closed, never will be: it holds nothing.
UNDECIDED_STATES = ('review', 'returned')


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
    override_by = fields.Many2One('res.user', "Early Publication By",
        readonly=True,
        help="The district admin who authorised publishing although a "
        "window was open or applications were undecided; somebody else "
        "publishes.")
    override_reason = fields.Text("Early Publication Reason", readonly=True)
    override_at = fields.Timestamp("Early Publication At", readonly=True)

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
                'publish_wizard': {
                    'invisible': Eval('state') != 'done',
                    'depends': ['state'],
                    },
                'override': {
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
        # People set the round of a draft; the rest only its buttons do,
        # or a write of the state would publish past the guard.
        if external and (
                (mode == 'create' and any(r.state != 'draft'
                        or r.override_by for r in runs))
                or (mode == 'write' and (set(values or {}) - {'round'}))):
            raise RunError(gettext('laisui_admission.msg_run_readonly'))

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
        rows_names = cls._row_names(run.round)
        tie_break = {school: _rows_shown(rows_names, by_id[c].tie_points)
            for school, c in allocation.last_admitted(
                assignment, ranking).items()}
        reasons = _Reasons(names, places, cutoffs, tie_break)
        now, uid = clock.now(), Transaction().user
        rows, changed = [], 0
        for position, candidate_id in enumerate(ranking, 1):
            candidate = by_id[candidate_id]
            school = assignment[candidate_id]
            choice = (candidate.preferences.index(school) + 1
                if school is not None else None)
            reason = None if school is not None else reasons.unplaced(
                candidate)
            was = before.get(candidate_id)
            is_changed = bool(base) and was != school
            changed += is_changed
            rows.append((run.id, candidate_id, position, candidate.score,
                    school, choice, reason, is_changed, was, uid, now))
        bulk_insert(Result._table, ['run', 'application', 'rank', 'score',
                'school', 'preference', 'reason', 'changed',
                'previous_school', 'create_uid', 'create_date'], rows)
        bulk_insert(Cutoff._table, ['run', 'school', 'places', 'placed',
                'cutoff', 'tie_break', 'create_uid', 'create_date'],
            [(run.id, school, count, placed[school], cutoffs.get(school),
                    tie_break.get(school), uid, now)
                for school, count in places.items()])
        forget_cached(Result.__name__, Cutoff.__name__)
        return changed

    @classmethod
    def _row_names(cls, round_):
        """Names of the rows of the round's table that count for
        admission, in its order: what an application's tie_points hold"""
        RuleSet = Pool().get('laisui.points.rule_set')
        rule_set = RuleSet.in_force(round_.points_cutoff)
        if not rule_set:
            return []
        # The order admission_score gives the lines.
        return [i.name for i in sorted(
                (i for i in rule_set.indicators if i.applies_to_admission),
                key=lambda i: (i.sequence or 0, i.id))]

    # Publication -------------------------------------------------------
    @classmethod
    @ModelView.button_action('laisui_admission.wizard_run_publish')
    def publish_wizard(cls, runs):
        "The confirmation: what publishing will do, then publish()"
        pass

    @classmethod
    @ModelView.button_action('laisui_admission.wizard_run_override')
    def override(cls, runs):
        pass

    def publication_blockers(self):
        """Why the run may not be published yet, one sentence each: an
        open window in which applicants still change what it read, or
        applications of the round not decided"""
        Application = Pool().get('laisui.admission.application')
        round_ = self.round
        blockers = []
        for window in _HOLDING_WINDOWS:
            if round_.in_window(window):
                blockers.append(gettext(
                        f'laisui_admission.msg_blocker_{window}_window',
                        round=round_.rec_name,
                        end=round_.shown_time(WINDOWS[window][1])))
        with Transaction().set_context(_check_access=False):
            undecided = Application.search_count([
                    ('round', '=', round_.id),
                    ('state', 'in', UNDECIDED_STATES),
                    ])
        if undecided:
            blockers.append(gettext('laisui_admission.msg_blocker_undecided',
                    count=undecided))
        return blockers

    def notice_count(self):
        "How many SMS publishing the run sends"
        cursor = Transaction().connection.cursor()
        cursor.execute(*self._notice_query(count=True))
        count, = cursor.fetchone()
        return count

    @classmethod
    @state_guard('done', parent=_OPEN_ROUND,
        error=_published('laisui_admission.msg_run_already_published'))
    def record_override(cls, runs, reason):
        """A district admin's authorisation, with its reason, to publish
        although something holds the publication: another admin publishes.
        Not a button: people record it through its wizard."""
        AuditLog = Pool().get('laisui.audit.log')
        reason = (reason or '').strip()
        length = min_reason_length()
        if len(reason) < length:
            raise RunError(gettext('laisui_admission.msg_override_reason',
                    length=length))
        user = Transaction().user or None
        name = Pool().get('res.user')(user).rec_name if user else None
        entries = [{'action': 'write', 'resource': str(r),
                'from_value': r.override_by.rec_name if r.override_by
                else None,
                'to_value': name,
                'detail': stored_gettext(
                    'laisui_admission.msg_override_audit', reason=reason,
                    blockers='；'.join(r.publication_blockers()) or '—'),
                } for r in runs]
        cls.write(runs, {'override_by': user, 'override_reason': reason,
                'override_at': clock.now()})
        AuditLog.log_many(entries)

    @classmethod
    @state_guard('done', parent=_OPEN_ROUND,
        error=_published('laisui_admission.msg_run_already_published'))
    def publish(cls, runs):
        """Make each run its round's result and tell its applicants.

        Not a button: people publish through the confirmation
        (publish_wizard); every check is here, whoever calls. All runs are
        checked before anything is written: a refusal changes nothing and
        queues no SMS. The SMS are queued in the outbox and sent after
        commit."""
        AuditLog = Pool().get('laisui.audit.log')
        published, details = {}, {}
        for run in runs:
            current = published.get(run.round.id) or cls.published_run(
                run.round)
            details[run] = run._check_publishable(current)
            published[run.round.id] = run
        for run in runs:
            current = cls.published_run(run.round)
            if current:
                cls.write([current], {'state': 'superseded'})
                AuditLog.log('state', resource=current,
                    from_value='published', to_value='superseded')
                notice.revoke_superseded(current, run)
            cls.write([run], {'state': 'published',
                    'published_at': clock.now(),
                    'published_by': Transaction().user or None})
            AuditLog.log('state', resource=run, from_value='done',
                to_value='published', detail=details[run])
            cls._notify(run)

    def _check_publishable(self, current):
        """RunError unless the run may replace current, the round's result
        in force; the audit detail of an early publication, else None"""
        round_ = self.round
        # Dry runs any time; the result not before its date.
        if round_.allocation_date and (
                clock.today() < round_.allocation_date):
            raise RunError(gettext(
                    'laisui_admission.msg_publish_before_allocation',
                    run=self.rec_name, date=round_.allocation_date))
        if current != self.base:
            # Published meanwhile: this run was compared with an older
            # result, its changes would be wrong.
            raise RunError(gettext(
                    'laisui_admission.msg_run_outdated',
                    run=self.rec_name,
                    current=current.rec_name if current else '—'))
        blockers = '；'.join(self.publication_blockers())
        if not blockers:
            return None
        if not self.override_by:
            raise RunError(gettext('laisui_admission.msg_publish_blocked',
                    run=self.rec_name, blockers=blockers))
        # Four eyes: whoever authorised it does not publish on it.
        if self.override_by.id == Transaction().user:
            raise RunError(gettext(
                    'laisui_admission.msg_override_same_user',
                    run=self.rec_name, user=self.override_by.rec_name))
        return stored_gettext('laisui_admission.msg_publish_audit_override',
            user=self.override_by.rec_name, reason=self.override_reason,
            blockers=blockers)

    def _notice_query(self, count=False):
        """The query of (phone, school name) of the applicants who hear of
        the run, or their count: everybody at a first publication, the
        changed ones for a new version; those with a phone"""
        pool = Pool()
        Result = pool.get('laisui.admission.run.result')
        Application = pool.get('laisui.admission.application')
        Applicant = pool.get('laisui.applicant')
        School = pool.get('laisui.admission.school')
        result = Result.__table__()
        application = Application.__table__()
        applicant = Applicant.__table__()
        school = School.__table__()
        where = (result.run == self.id) & (applicant.phone != Null)
        if self.base:
            where &= result.changed == Literal(True)
        query = (result
            .join(application, condition=result.application == application.id)
            .join(applicant, condition=application.applicant == applicant.id)
            .join(school, 'LEFT', condition=result.school == school.id))
        if count:
            return query.select(Count(result.id), where=where)
        return query.select(applicant.phone, school.name, where=where,
            order_by=result.rank)

    @classmethod
    def _notify(cls, run):
        "Queue the SMS of the run's publication"
        Message = Pool().get('laisui.sms.message')
        cursor = Transaction().connection.cursor()
        cursor.execute(*run._notice_query())
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


def _rows_shown(names, points):
    "文化程度 30、年龄 20: each row of the table with its points"
    return '、'.join(
        f'{names[i] if i < len(names) else f"#{i + 1}"} {number_text(p)}'
        for i, p in enumerate(points))


class _Reasons:
    """Why an applicant was not placed, at each preference, as the
    publication explains it: the texts read once per run, not per line"""

    def __init__(self, names, places, cutoffs, tie_break):
        self.names, self.places = names, places
        self.cutoffs, self.tie_break = cutoffs, tie_break
        self.text = {key: stored_gettext(f'laisui_admission.msg_reason_{key}')
            for key in ['no_places', 'cutoff', 'cutoff_tie',
                'no_preference']}

    def unplaced(self, candidate):
        parts = []
        for i, school in enumerate(candidate.preferences, 1):
            values = {'n': i, 'school': self.names.get(school, '')}
            if not self.places.get(school):
                parts.append(self.text['no_places'] % values)
            elif school in self.cutoffs:
                cutoff = self.cutoffs[school]
                values['cutoff'] = number_text(cutoff)
                # On the cut-off score: ranked against the last place.
                if cutoff == candidate.score:
                    values['rows'] = self.tie_break.get(school, '')
                    parts.append(self.text['cutoff_tie'] % values)
                else:
                    parts.append(self.text['cutoff'] % values)
        return '；'.join(parts) or self.text['no_preference']


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
        help="The lowest score admitted; empty if nobody was.")
    tie_break = fields.Char("Points of the Last Place", readonly=True,
        help="Points of the last applicant placed on each row of the "
        "table, in its order: an applicant with the cut-off score was "
        "ranked against them.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('run', 'DESC'), ('school', 'ASC'), ('id', 'ASC')]
        cls._sql_indexes.add(Index(t, (t.run, Index.Equality())))


def public_name(name):
    "张*: the surname only, as the publication rules ask"
    return f'{name[0]}*' if name else ''
