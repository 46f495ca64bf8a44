# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Policy impact preview (积分规则调整影响预览).

Before a new rule set is approved, staff see what it would have done to a
past round: each applicant's admission score under it at the round's
points cut-off, and the allocation re-run in memory with the same places,
preferences and lottery, so that who would cross a school's cut-off shows.

Nothing is stored: no statement, run, result or SMS. The preview reads
many applicants' scores and is audited as such a read.
"""
from collections import defaultdict
from decimal import Decimal

from sql import Literal
from sql.operators import NotEqual

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.modules.laisui_base.i18n import stored_gettext
from trytond.modules.laisui_base.identity import mask_id_public
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.wizard import Button, StateView, Wizard

from . import allocation
from .application import application_number
from .exceptions import RunError
from .run import public_name
from .statement import admission_score

CHANGES = [
    ('same', "Unchanged"),
    ('placed', "Newly Placed"),
    ('unplaced', "No Longer Placed"),
    ('moved', "Other School"),
    ]


def base_run(round_):
    "The run the preview compares with: the published one, else the last"
    Run = Pool().get('laisui.admission.run')
    run = Run.published_run(round_)
    if not run:
        with Transaction().set_context(_check_access=False):
            runs = Run.search([
                    ('round', '=', round_.id),
                    ('state', '=', 'done'),
                    ], order=[('version', 'DESC'), ('id', 'DESC')], limit=1)
        run = runs[0] if runs else None
    if not run:
        raise RunError(gettext('laisui_admission.msg_impact_no_run',
                round=round_.rec_name))
    return run


def preview(rule_set, round_):
    """(run, lines, schools) of rule_set applied to round_: a dict per
    application of the compared run, best new rank first, and per school
    its places, placed and cut-off before and after."""
    run = base_run(round_)
    before, places, old_cutoffs = _load_run(run)
    applications = _load_applications(run)
    candidates, recomputed = _rescore(rule_set, round_, applications)
    ranking = allocation.rank(candidates, round_.seed)
    assignment = allocation.allocate(candidates, places, ranking)
    new_cutoffs = allocation.cutoffs(candidates, assignment)

    names = _school_names(places)
    by_id = {c.id: c for c in candidates}
    lines = []
    for new_rank, application_id in enumerate(ranking, 1):
        old_rank, old_score, old_school = before[application_id]
        new_school = assignment[application_id]
        new_score = by_id[application_id].score
        info = applications[application_id]
        lines.append({
                'number': application_number(round_.year, application_id),
                'name_public': public_name(info['child_name']),
                'child_public': mask_id_public(info['child_id_number']),
                'old_rank': old_rank,
                'new_rank': new_rank,
                'old_score': old_score,
                'new_score': new_score,
                'delta': new_score - old_score,
                'old_school': names.get(old_school, ''),
                'new_school': names.get(new_school, ''),
                'change': _change(old_school, new_school),
                'recomputed': application_id in recomputed,
                })
    placed = defaultdict(int)
    for school in assignment.values():
        if school is not None:
            placed[school] += 1
    schools = [{
            'school': names.get(school, ''),
            'places': count,
            'old_placed': old_cutoffs.get(school, (None, 0))[1],
            'new_placed': placed[school],
            'old_cutoff': old_cutoffs.get(school, (None, 0))[0],
            'new_cutoff': new_cutoffs.get(school),
            } for school, count in sorted(places.items(),
                key=lambda i: names.get(i[0], ''))]
    return run, lines, schools


def _change(old, new):
    if old == new:
        return 'same'
    if old is None:
        return 'placed'
    if new is None:
        return 'unplaced'
    return 'moved'


def _load_run(run):
    """{application: (rank, score, school)}, {school: places} and
    {school: (cut-off, placed)} as the run stored them: the same places
    are offered again."""
    pool = Pool()
    Result = pool.get('laisui.admission.run.result')
    Cutoff = pool.get('laisui.admission.run.cutoff')
    cursor = Transaction().connection.cursor()
    result = Result.__table__()
    cutoff = Cutoff.__table__()
    cursor.execute(*result.select(result.application, result.rank,
            result.score, result.school, where=result.run == run.id))
    before = {a: (rank, Decimal(score or 0), school)
        for a, rank, score, school in cursor}
    cursor.execute(*cutoff.select(cutoff.school, cutoff.places,
            cutoff.cutoff, cutoff.placed, where=cutoff.run == run.id))
    places, cutoffs = {}, {}
    for school, count, lowest, placed in cursor:
        places[school] = count
        cutoffs[school] = (
            Decimal(lowest) if lowest is not None else None, placed or 0)
    return before, places, cutoffs


def _load_applications(run):
    """{application: {applicant, child_name, child_id_number,
    preferences, kept}} of the run's results, as Run._load reads them;
    kept lists the frozen lines a reviewer or an adjustment set (points
    differ from the computed ones or adjusted), as (indicator, points)."""
    pool = Pool()
    Result = pool.get('laisui.admission.run.result')
    Application = pool.get('laisui.admission.application')
    Preference = pool.get('laisui.admission.preference')
    Member = pool.get('laisui.family.member')
    ScoreLine = pool.get('laisui.admission.score.line')
    cursor = Transaction().connection.cursor()
    result = Result.__table__()
    application = Application.__table__()
    preference = Preference.__table__()
    member = Member.__table__()
    line = ScoreLine.__table__()
    in_run = result.run == run.id
    cursor.execute(*result
        .join(application, condition=result.application == application.id)
        .join(member, condition=application.child == member.id)
        .select(application.id, application.applicant, member.name,
            application.child_id_number, where=in_run))
    applications = {id_: {'applicant': applicant, 'child_name': name,
            'child_id_number': number, 'preferences': [], 'kept': []}
        for id_, applicant, name, number in cursor}
    cursor.execute(*result
        .join(preference,
            condition=preference.application == result.application)
        .select(preference.application, preference.school, where=in_run,
            order_by=[preference.application, preference.sequence.asc,
                preference.id]))
    for application_id, school in cursor:
        applications[application_id]['preferences'].append(school)
    cursor.execute(*result
        .join(line, condition=line.application == result.application)
        .select(line.application, line.indicator, line.points,
            where=in_run & ((line.adjusted == Literal(True))
                | NotEqual(line.points, line.computed))))
    for application_id, indicator, points in cursor:
        applications[application_id]['kept'].append(
            (indicator, Decimal(points)))
    return applications


def _rescore(rule_set, round_, applications):
    """Candidates scored by rule_set at the round's points cut-off, and
    the applications whose kept points could not be carried over.

    Points a reviewer or an adjustment set are kept where the rule set
    scores the indicator (same code) by the same rule; where it changes
    the rule its computation applies and the application is marked for
    checking by hand."""
    pool = Pool()
    Statement = pool.get('laisui.points.statement')
    Indicator = pool.get('laisui.points.indicator')
    indicators = {i.code: i for i in rule_set.indicators}
    admission = {i.id for i in rule_set.indicators if i.applies_to_admission}
    old = {i.id: i for i in Indicator.browse(list({indicator
                    for a in applications.values()
                    for indicator, _ in a['kept']}))}
    evaluated = {}
    for chunk in Statement.evaluate(
            [a['applicant'] for a in applications.values()], rule_set,
            round_.points_cutoff):
        evaluated.update(chunk)
    candidates, recomputed = [], set()
    for application_id, info in applications.items():
        _, lines = evaluated[info['applicant']]
        kept = {}
        for indicator_id, points in info['kept']:
            indicator = old[indicator_id]
            new = indicators.get(indicator.code)
            if (new and new.id in admission
                    and _rule(new) == _rule(indicator)):
                kept[new.id] = points
            else:
                recomputed.add(application_id)
        score, points = admission_score(
            line._replace(points=kept.get(line.indicator, line.points))
            for line in lines if line.indicator in admission)
        candidates.append(allocation.Candidate(
                id=application_id, score=score, tie_points=tuple(points),
                preferences=tuple(info['preferences'])))
    return candidates, recomputed


def _rule(indicator):
    "What decides an indicator's points, but for the facts"
    return (indicator.formula.strip(), indicator.cap,
        indicator.validity_years, indicator.category,
        indicator.rule_set.rule_values())


def _school_names(places):
    School = Pool().get('laisui.admission.school')
    return {s.id: s.name for s in School.browse(list(places))}


class ImpactStart(ModelView):
    "Preview Rule Set Impact"
    __name__ = 'laisui.admission.impact.start'

    rule_set = fields.Many2One('laisui.points.rule_set', "Rule Set",
        required=True, readonly=True)
    round = fields.Many2One('laisui.admission.round', "Round",
        required=True,
        help="A past round: its published run, or its last dry run, is "
        "compared with.")
    changed_only = fields.Boolean("Changed Applicants Only",
        help="List only the applicants whose score or school changes.")

    @classmethod
    def default_changed_only(cls):
        return True


class ImpactResult(ModelView):
    "Rule Set Impact"
    __name__ = 'laisui.admission.impact.result'

    rule_set = fields.Many2One('laisui.points.rule_set', "Rule Set",
        readonly=True)
    round = fields.Many2One('laisui.admission.round', "Round",
        readonly=True)
    run = fields.Many2One('laisui.admission.run', "Compared With",
        readonly=True)
    points_cutoff = fields.Date("Points Cut-off", readonly=True)
    applications = fields.Integer("Applications", readonly=True)
    raised = fields.Integer("Score Raised", readonly=True)
    lowered = fields.Integer("Score Lowered", readonly=True)
    placed = fields.Integer("Newly Placed", readonly=True)
    unplaced = fields.Integer("No Longer Placed", readonly=True)
    moved = fields.Integer("Other School", readonly=True)
    recomputed = fields.Integer("Adjustments to Check", readonly=True,
        help="Applications with points set by a reviewer or an adjustment "
        "on an indicator whose rule changes: the new rule's points are "
        "shown.")
    lines = fields.One2Many('laisui.admission.impact.line', None,
        "Applicants", readonly=True)
    schools = fields.One2Many('laisui.admission.impact.school', None,
        "Schools", readonly=True)


class ImpactLine(ModelView):
    "Rule Set Impact on an Applicant"
    __name__ = 'laisui.admission.impact.line'

    number = fields.Char("Application", readonly=True)
    name_public = fields.Char("Child", readonly=True)
    child_public = fields.Char("Child ID", readonly=True)
    old_rank = fields.Integer("Rank Before", readonly=True)
    new_rank = fields.Integer("Rank After", readonly=True)
    old_score = fields.Numeric("Score Before", digits=(16, 2),
        readonly=True)
    new_score = fields.Numeric("Score After", digits=(16, 2),
        readonly=True)
    delta = fields.Numeric("Change", digits=(16, 2), readonly=True)
    old_school = fields.Char("School Before", readonly=True)
    new_school = fields.Char("School After", readonly=True)
    change = fields.Selection(CHANGES, "Placement", readonly=True)
    recomputed = fields.Boolean("Adjustment to Check", readonly=True)


class ImpactSchool(ModelView):
    "Rule Set Impact on a School"
    __name__ = 'laisui.admission.impact.school'

    school = fields.Char("School", readonly=True)
    places = fields.Integer("Places", readonly=True)
    old_placed = fields.Integer("Placed Before", readonly=True)
    new_placed = fields.Integer("Placed After", readonly=True)
    old_cutoff = fields.Numeric("Cut-off Before", digits=(16, 2),
        readonly=True)
    new_cutoff = fields.Numeric("Cut-off After", digits=(16, 2),
        readonly=True)


class Impact(Wizard):
    "Preview Rule Set Impact"
    __name__ = 'laisui.admission.impact'

    start = StateView('laisui.admission.impact.start',
        'laisui_admission.impact_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Preview", 'result', 'tryton-ok', default=True),
            ])
    result = StateView('laisui.admission.impact.result',
        'laisui_admission.impact_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    @classmethod
    def check_access(cls):
        # Scores of every applicant of a round: the action's groups only
        # (district admins, and Tryton's administrators as for the
        # export), with a message that says so.
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        if Transaction().user:
            allowed = {
                ModelData.get_id('laisui_base', 'group_district_admin'),
                ModelData.get_id('res', 'group_admin'),
                }
            if not allowed & set(User.get_groups()):
                raise AccessError(gettext(
                        'laisui_admission.msg_impact_access'))
        super().check_access()

    def default_start(self, fields):
        return {'rule_set': self.record.id if self.record else None}

    def default_result(self, fields):
        AuditLog = Pool().get('laisui.audit.log')
        rule_set, round_ = self.start.rule_set, self.start.round
        run, lines, schools = preview(rule_set, round_)
        changes = [l['change'] for l in lines]
        shown = [l for l in lines if not self.start.changed_only
            or l['delta'] or l['change'] != 'same' or l['recomputed']]
        AuditLog.log('bulk_read', resource='laisui.admission.application',
            to_value=str(len(shown)),
            detail=stored_gettext('laisui_admission.msg_impact_audit',
                rule_set=rule_set.rec_name, round=round_.rec_name,
                run=run.rec_name, count=len(lines)))
        return {
            'rule_set': rule_set.id,
            'round': round_.id,
            'run': run.id,
            'points_cutoff': round_.points_cutoff,
            'applications': len(lines),
            'raised': sum(l['delta'] > 0 for l in lines),
            'lowered': sum(l['delta'] < 0 for l in lines),
            'placed': changes.count('placed'),
            'unplaced': changes.count('unplaced'),
            'moved': changes.count('moved'),
            'recomputed': sum(l['recomputed'] for l in lines),
            'lines': shown,
            'schools': schools,
            }
