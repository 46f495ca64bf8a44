# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Admission rounds (积分入学批次): the year's dates, the stages with their
child conditions, and the places each school offers."""
import secrets

from trytond.i18n import gettext
from trytond.model import (
    Check, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.model.exceptions import ValidationError
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.i18n import stored_gettext
from trytond.modules.laisui_base.state_guard import state_guard
from trytond.pool import Pool
from trytond.pyson import Eval

from .allocation import commitment
from .exceptions import WindowError
from .school import STAGES

SCHOOL_RECORDS = [
    ('none', "No School Record"),
    ('primary', "Primary School Pupil"),
    ('primary_graduate', "Primary Graduate of the Year"),
    ]
# (start field, end field) of each window the server enforces.
WINDOWS = {
    'application': ('application_start', 'application_end'),
    'preference': ('preference_start', 'preference_end'),
    'objection': ('publication_start', 'objection_end'),
    }


class Round(Workflow, ModelSQL, ModelView):
    "Admission round (积分入学批次)"
    __name__ = 'laisui.admission.round'

    _states = {'readonly': Eval('state') != 'draft'}

    name = fields.Char("Name", required=True)
    year = fields.Integer("Year", required=True, states=_states)
    state = fields.Selection([
            ('draft', "Draft"),
            ('open', "Open"),
            ('closed', "Closed"),
            ], "State", required=True, readonly=True)
    state_string = state.translated('state')
    points_cutoff = fields.Date("Points Cut-off", required=True,
        states=_states,
        help="Facts and points after this date do not count.")
    age_date = fields.Date("Age Reference Date", required=True,
        states=_states, help="Children's ages are taken on this date.")
    application_start = fields.DateTime("Applications From", required=True)
    application_end = fields.DateTime("Applications Until", required=True)
    preference_start = fields.DateTime("Preferences From",
        help="Empty: preferences are given with the application only.")
    preference_end = fields.DateTime("Preferences Until")
    review_deadline = fields.Date("Review Deadline")
    allocation_date = fields.Date("Allocation Date")
    publication_start = fields.DateTime("Publication From")
    publication_end = fields.DateTime("Publication Until")
    objection_end = fields.DateTime("Objections Until")
    max_preferences = fields.Integer("Preferences per Application",
        required=True, states=_states)
    stages = fields.One2Many('laisui.admission.round.stage', 'round',
        "Stages", states=_states)
    seat_plans = fields.One2Many('laisui.admission.seat_plan', 'round',
        "Seat Plans")
    seed = fields.Char("Lottery Seed", readonly=True,
        help="Secret until the result is published.")
    seed_commitment = fields.Char("Lottery Seed Hash", readonly=True,
        help="SHA-256 of the seed, published before the allocation.")
    seed_committed_at = fields.Timestamp("Seed Committed At", readonly=True)
    parent = fields.Many2One('laisui.admission.round', "Main Round",
        readonly=True, ondelete='RESTRICT',
        help="For a supplementary round (补录): the round whose left "
        "places it offers to the applicants left unplaced.")

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('year', 'DESC'), ('id', 'DESC')]
        cls._sql_constraints += [
            ('max_preferences_positive', Check(t, t.max_preferences > 0),
                'laisui_admission.msg_round_max_preferences'),
            ]
        cls._transitions |= {
            ('draft', 'open'),
            ('open', 'closed'),
            ('closed', 'open'),
            }
        cls._buttons.update({
                'open': {
                    'invisible': Eval('state') == 'open',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                'supplementary': {
                    'invisible': (Eval('state') == 'draft')
                    | Eval('parent'),
                    'depends': ['state', 'parent'],
                    },
                'commit_seed': {
                    'invisible': (Eval('state') != 'open')
                    | Eval('seed_commitment'),
                    'depends': ['state', 'seed_commitment'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_max_preferences(cls):
        return 5

    @classmethod
    def validate_fields(cls, rounds, field_names):
        super().validate_fields(rounds, field_names)
        for round_ in rounds:
            for start, end in WINDOWS.values():
                start, end = getattr(round_, start), getattr(round_, end)
                if start and end and end < start:
                    raise ValidationError(gettext(
                            'laisui_admission.msg_round_dates',
                            round=round_.rec_name))
            if bool(round_.preference_start) != bool(round_.preference_end):
                raise ValidationError(gettext(
                        'laisui_admission.msg_round_dates',
                        round=round_.rec_name))

    def stage_rule(self, stage):
        "The round's conditions for a stage, or None if it is not offered"
        for rule in self.stages:
            if rule.stage == stage:
                return rule

    def check_window(self, window):
        "Raise WindowError unless now is within the round's window"
        start, end = (getattr(self, f) for f in WINDOWS[window])
        now = clock.now()
        if self.state != 'open' or not (
                start and end and start <= now <= end):
            raise WindowError(gettext(
                    f'laisui_admission.msg_outside_{window}_window',
                    round=self.rec_name,
                    start=_local(start), end=_local(end)))

    def shown_time(self, field):
        "The date and time in field as people read it: Guangzhou time"
        return _local(getattr(self, field))

    def in_window(self, window):
        start, end = (getattr(self, f) for f in WINDOWS[window])
        return bool(self.state == 'open' and start and end
            and start <= clock.now() <= end)

    def publication_started(self):
        """Whether the public may read the round's published run now: from
        the publication start, at once when the round sets none"""
        return publication_started(self.publication_start)

    @classmethod
    @state_guard('draft', 'closed')
    @ModelView.button
    @Workflow.transition('open')
    def open(cls, rounds):
        pass

    @classmethod
    @state_guard('open')
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, rounds):
        pass

    @classmethod
    @state_guard('open')
    @ModelView.button
    def commit_seed(cls, rounds):
        """Draw the lottery seed and publish its hash before any run: the
        tie-breaking draw is fixed before anyone sees the ranking."""
        for round_ in rounds:
            if round_.seed_commitment:
                continue
            round_.seed = secrets.token_hex(16)
            round_.seed_commitment = commitment(round_.seed)
            round_.seed_committed_at = clock.now()
        cls.save(rounds)


    @classmethod
    @ModelView.button
    def supplementary(cls, rounds):
        cls.create_supplementary(rounds)

    @classmethod
    def create_supplementary(cls, rounds):
        """A supplementary round (补录) per round: the places its published
        result left (never filled, or declined at enrolment), offered to
        its eligible applicants left unplaced. It starts as a draft: set
        its dates, then open it."""
        pool = Pool()
        Run = pool.get('laisui.admission.run')
        Application = pool.get('laisui.admission.application')
        Result = pool.get('laisui.admission.run.result')
        created = []
        for round_ in rounds:
            run = Run.published_run(round_)
            if round_.parent or not run:
                raise WindowError(gettext(
                        'laisui_admission.msg_supplementary_unpublished',
                        round=round_.rec_name))
            taken = {}
            for result in Result.search([
                        ('run', '=', run.id),
                        ('school', '!=', None),
                        ('enrolment', '!=', 'declined'),
                        ]):
                taken[result.school.id] = taken.get(result.school.id, 0) + 1
            new, = cls.create([{
                        'name': stored_gettext(
                            'laisui_admission.msg_supplementary_name',
                            round=round_.name),
                        'year': round_.year,
                        'parent': round_.id,
                        'points_cutoff': round_.points_cutoff,
                        'age_date': round_.age_date,
                        'application_start': round_.application_start,
                        'application_end': round_.application_end,
                        'max_preferences': round_.max_preferences,
                        'stages': [('create', [{
                                        'stage': s.stage,
                                        'min_age': s.min_age,
                                        'max_age': s.max_age,
                                        'school_record': s.school_record,
                                        } for s in round_.stages])],
                        'seat_plans': [('create', [{
                                        'school': c.school.id,
                                        'places': c.places - taken.get(
                                            c.school.id, 0),
                                        } for c in run.cutoffs
                                    if c.places > taken.get(c.school.id, 0)
                                    ])],
                        }])
            # Still eligible: not withdrawn since the allocation.
            unplaced = [r.application for r in Result.search([
                        ('run', '=', run.id),
                        ('school', '=', None),
                        ('application.state', '=', 'eligible'),
                        ])]
            Application.copy(unplaced, default={
                    'round': new.id,
                    'state': 'eligible',
                    'origin': lambda data: data['id'],
                    'review_case': None,
                    'corrections': None,
                    })
            created.append(new)
        return created


def _local(timestamp):
    return clock.to_local(timestamp).strftime('%Y-%m-%d %H:%M') if (
        timestamp) else '—'


class RoundStage(ModelSQL, ModelView):
    "Stage offered by a round, with its child conditions"
    __name__ = 'laisui.admission.round.stage'

    round = fields.Many2One('laisui.admission.round', "Round",
        required=True, ondelete='CASCADE')
    stage = fields.Selection(STAGES, "Stage", required=True)
    stage_string = stage.translated('stage')
    min_age = fields.Integer("Minimum Age",
        help="Age the child must have reached on the round's age date.")
    max_age = fields.Integer("Maximum Age",
        help="Oldest age accepted on the age date; empty for no limit.")
    school_record = fields.Selection(SCHOOL_RECORDS,
        "Required School Record", required=True,
        help="Grade 1: no school record yet; grade 7: primary graduate "
        "of the year.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('round_stage_unique', Unique(t, t.round, t.stage),
                'laisui_admission.msg_round_stage_unique'),
            ]


class SeatPlan(ModelSQL, ModelView):
    "Seat plan (学位计划): places a school offers in a round"
    __name__ = 'laisui.admission.seat_plan'

    round = fields.Many2One('laisui.admission.round', "Round",
        required=True, ondelete='CASCADE')
    school = fields.Many2One('laisui.admission.school', "School",
        required=True, ondelete='RESTRICT')
    stage = fields.Function(fields.Selection(STAGES, "Stage"), 'get_stage')
    places = fields.Integer("Places", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('round_school_unique', Unique(t, t.round, t.school),
                'laisui_admission.msg_seat_plan_unique'),
            ('places_positive', Check(t, t.places >= 0),
                'laisui_admission.msg_seat_plan_negative'),
            ]

    def get_stage(self, name):
        return self.school.stage


def publication_started(start):
    "Whether a publication from start (None: at once) has started"
    return not start or start <= clock.now()
