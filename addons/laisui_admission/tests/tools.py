# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.modules.laisui_connectors.tests.tools import id_number
from trytond.pool import Pool


def solve_with_matching(candidates, places, ranking):
    """{candidate id: school id or None} by the `matching` package's
    resident-optimal stable matching: the reference allocate() is checked
    against (tests and scripts/bench/allocation.py)."""
    from matching.games import HospitalResident
    asked = {}
    for candidate in candidates:
        for school in candidate.preferences:
            asked.setdefault(school, set()).add(candidate.id)
    game = HospitalResident.create_from_dictionaries(
        {c.id: list(c.preferences) for c in candidates},
        {s: [c for c in ranking if c in asked.get(s, ())] for s in places},
        places)
    solution = game.solve(optimal='resident')
    result = {r.name: None for r in game.residents}
    for hospital, residents in solution.items():
        for resident in residents:
            result[resident.name] = hospital.name
    return result


# The Yuexiu 2021 round (domain.md, §4.2 Yuexiu: cut-off 2021-03-31) under
# the 2018 city rules in force then.
CUTOFF = dt.date(2021, 3, 31)
# A moment inside the application window of make_round() (UTC).
NOW = dt.datetime(2021, 5, 10, 2, 0)
# The minute after that window closes (17:00 in Guangzhou): a result is
# published from then on, not while applications are still accepted.
CLOSED = dt.datetime(2021, 5, 20, 9, 1)


def make_round(**values):
    "An open 2021 round offering both stages, five preferences"
    Round = Pool().get('laisui.admission.round')
    local = dt.timedelta(hours=8)
    round_, = Round.create([dict({
                    'name': '2021年越秀区积分入学',
                    'year': 2021,
                    'points_cutoff': CUTOFF,
                    'age_date': dt.date(2021, 8, 31),
                    'application_start': dt.datetime(2021, 5, 1, 9) - local,
                    'application_end': dt.datetime(2021, 5, 20, 17) - local,
                    'stages': [('create', [
                                {'stage': 'grade1', 'min_age': 6,
                                    'max_age': 7, 'school_record': 'none'},
                                {'stage': 'grade7',
                                    'school_record': 'primary_graduate'},
                                ])],
                    }, **values)])
    Round.open([round_])
    return round_


def make_schools(round_, places, stage='grade1'):
    "A school per number of places, with its seat plan in round_"
    School = Pool().get('laisui.admission.school')
    SeatPlan = Pool().get('laisui.admission.seat_plan')
    offset = School.search_count([]) + 1
    schools = School.create([{
                'code': f'S{offset + i:04d}',
                'name': f'越秀区第{offset + i}{"小学" if stage == "grade1" else "中学"}',
                'stage': stage,
                } for i in range(len(places))])
    SeatPlan.create([{'round': round_.id, 'school': s.id, 'places': p}
            for s, p in zip(schools, places)])
    return schools


def child_of(applicant, n=1, birth=dt.date(2015, 5, 1), **values):
    "A child of the applicant, six on 31 August 2021 by default"
    Member = Pool().get('laisui.family.member')
    child, = Member.create([dict({
                    'applicant': applicant.id,
                    'name': f'陈小明{n}',
                    'id_number': id_number(n, birth=birth),
                    'relation': 'child',
                    }, **values)])
    return child


def verify_points(applicant):
    "The applicant's city points as verified (积分核定 approved)"
    Request = Pool().get('laisui.review.points_request')
    Request.create([{'applicant': applicant.id, 'state': 'approved'}])


def draft_application(round_, applicant, child, schools, type_code='A',
        stage='grade1'):
    pool = Pool()
    Application = pool.get('laisui.admission.application')
    Type = pool.get('laisui.admission.type')
    type_, = Type.search([('code', '=', type_code)])
    application, = Application.create([{
                'round': round_.id,
                'applicant': applicant.id,
                'child': child.id,
                'stage': stage,
                'type': type_.id,
                'preferences': [('create', [
                            {'school': s.id, 'sequence': i}
                            for i, s in enumerate(schools)])],
                }])
    return application
