#!/usr/bin/env python3
# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark of the admission allocation (积分入学学位分配).

    python scripts/bench/allocation.py [--applications 35000]
        [--schools 150] [--seats 21000] [--preferences 5] [--seed 2019]
        [--matching-timeout 300]

It generates the applications of one round (grade 1 and grade 7, about
two thirds grade 1; scores, per-indicator tie points, preferences among
the schools of the stage, popular schools asked for more) and times

(a) ranking and assignment in memory (laisui_admission.allocation:
    rank + student-proposing deferred acceptance), ``assignment_seconds``;
(b) the same instance solved by the `matching` package from PyPI
    (HospitalResident, resident-optimal), in a child process stopped after
    --matching-timeout seconds; if it does not finish at full size, at the
    largest of 20,000 / 10,000 / 5,000 applications it finishes
    (``matching_size``), where our own time is measured again for the
    ratio. Both assignments must be identical.

(c) the full run in a fresh database (TRYTOND_DATABASE_URI, SQLite by
    default): the same applications stored as eligible applications with
    their preferences and the schools' seat plans, then one allocation run
    executed (load, rank, assign, write results and cut-offs) and
    published (supersede, queue one SMS per applicant),
    ``full_run_seconds``; ``execute_seconds`` and ``publish_seconds`` split
    it. The run must place exactly whom (a) placed.

The last line on stdout is JSON.
"""
import argparse
import json
import datetime as dt
import multiprocessing
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import FreshDatabase, log  # noqa: E402

FALLBACK_SIZES = [20000, 10000, 5000]


def generate(applications, schools, seats, preferences, seed):
    "(candidates, places): grade 1 on two thirds of the schools"
    from trytond.modules.laisui_admission.allocation import Candidate
    rng = random.Random(seed)
    primary = list(range(1, schools * 2 // 3 + 1))
    secondary = list(range(len(primary) + 1, schools + 1))
    # Popular schools are asked for more (weights like a Zipf law).
    weights = {s: 1 / (1 + i) ** 0.7 for stage in (primary, secondary)
        for i, s in enumerate(stage)}
    per_school = seats // schools
    places = {s: per_school for s in range(1, schools + 1)}
    for s in range(1, seats - per_school * schools + 1):
        places[s] += 1
    candidates = []
    for i in range(1, applications + 1):
        stage = primary if rng.random() < 2 / 3 else secondary
        chosen = []
        while len(chosen) < min(preferences, len(stage)):
            school = rng.choices(stage, [weights[s] for s in stage])[0]
            if school not in chosen:
                chosen.append(school)
        candidates.append(Candidate(i,
                round(rng.gauss(85, 20), 2),
                tuple(rng.choice((0, 0, 5, 10, 20)) for _ in range(6)),
                tuple(chosen)))
    return candidates, places


def ours(candidates, places, seed):
    from trytond.modules.laisui_admission.allocation import allocate, rank
    start = time.perf_counter()
    ranking = rank(candidates, str(seed))
    result = allocate(candidates, places, ranking)
    return result, ranking, time.perf_counter() - start


def solve_with_matching(candidates, places, ranking, queue):
    """Child process: the matching package's solution and its time.

    matching deep-copies its object graph, which recurses once per player:
    it runs in a thread with a large stack and recursion limit."""
    import threading
    sys.setrecursionlimit(1_000_000)
    threading.stack_size(1024 * 1024 * 1024)
    thread = threading.Thread(target=_solve_with_matching,
        args=(candidates, places, ranking, queue))
    thread.start()
    thread.join()


def _solve_with_matching(candidates, places, ranking, queue):
    from trytond.modules.laisui_admission.tests.tools import (
        solve_with_matching)
    start = time.perf_counter()
    result = solve_with_matching(candidates, places, ranking)
    queue.put((time.perf_counter() - start, result))


def timed_matching(candidates, places, ranking, timeout):
    "(seconds, result) or None when it needs more than timeout"
    queue = multiprocessing.Queue()
    process = multiprocessing.Process(target=solve_with_matching,
        args=(candidates, places, ranking, queue))
    process.start()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            try:
                return queue.get(timeout=1)
            except Exception:
                if not process.is_alive():
                    raise RuntimeError("matching failed (see above)")
        return None
    finally:
        process.terminate()
        process.join()


def store(pool, candidates, places):
    """The round, schools, seat plans and eligible applications of the
    instance, written set-wise (setting up is not what is measured);
    returns (round, {application id: candidate id})"""
    from trytond.modules.laisui_base import clock
    from trytond.modules.laisui_base.bulk import bulk_insert
    from trytond.transaction import Transaction
    School = pool.get('laisui.admission.school')
    SeatPlan = pool.get('laisui.admission.seat_plan')
    Round = pool.get('laisui.admission.round')
    Type = pool.get('laisui.admission.type')
    Applicant = pool.get('laisui.applicant')
    Member = pool.get('laisui.family.member')
    Application = pool.get('laisui.admission.application')
    Preference = pool.get('laisui.admission.preference')
    cursor = Transaction().connection.cursor()
    now = clock.now()
    stage_of = {}
    for candidate in candidates:
        for school in candidate.preferences:
            stage_of.setdefault(school, 'grade1' if candidate.preferences[0]
                <= max(places) * 2 // 3 else 'grade7')
    schools = School.create([{'code': f'B{s:04d}', 'name': f'学校{s}',
                'stage': stage_of.get(s, 'grade1')} for s in sorted(places)])
    school_id = dict(zip(sorted(places), (s.id for s in schools)))
    round_, = Round.create([{'name': '基准批次', 'year': 2021,
                'points_cutoff': dt.date(2021, 3, 31),
                'age_date': dt.date(2021, 8, 31),
                'application_start': dt.datetime(2021, 5, 1),
                'application_end': dt.datetime(2021, 5, 20),
                'max_preferences': 5}])
    Round.open([round_])
    Round.commit_seed([round_])
    SeatPlan.create([{'round': round_.id, 'school': school_id[s],
                'places': p} for s, p in places.items()])
    type_, = Type.search([('code', '=', 'A')])
    bulk_insert(Applicant._table, ['name', 'id_number', 'phone',
            'create_uid', 'create_date'],
        [(f'申请人{c.id}', f'A{c.id:017d}', f'139{c.id:08d}', 0, now)
            for c in candidates])
    table = Applicant.__table__()
    cursor.execute(*table.select(table.id, table.phone))
    applicant = {int(phone[3:]): id_ for id_, phone in cursor}
    bulk_insert(Member._table, ['applicant', 'name', 'id_number',
            'relation', 'school_record', 'create_uid', 'create_date'],
        [(applicant[c.id], f'子女{c.id}', f'C{c.id:017d}', 'child', 'none',
                0, now) for c in candidates])
    table = Member.__table__()
    cursor.execute(*table.select(table.id, table.applicant))
    child = {a: id_ for id_, a in cursor}
    bulk_insert(Application._table, ['round', 'applicant', 'child',
            'child_id_number', 'stage', 'type', 'state', 'score',
            'tie_points', 'create_uid', 'create_date'],
        [(round_.id, applicant[c.id], child[applicant[c.id]],
                f'C{c.id:017d}', stage_of[c.preferences[0]], type_.id,
                'eligible', c.score, ','.join(map(str, c.tie_points)), 0, now)
            for c in candidates])
    table = Application.__table__()
    cursor.execute(*table.select(table.id, table.child_id_number))
    application = {int(number[1:]): id_ for id_, number in cursor}
    bulk_insert(Preference._table, ['application', 'school', 'sequence',
            'create_uid', 'create_date'],
        [(application[c.id], school_id[s], i, 0, now)
            for c in candidates for i, s in enumerate(c.preferences)])
    if Transaction().database.name == 'postgresql':
        cursor.execute('ANALYZE')
    return round_, {a: c for c, a in application.items()}, school_id


def full_run(candidates, places, expected):
    "(execute seconds, publish seconds, backend) in a fresh database"
    from trytond import backend, config
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    fresh = FreshDatabase(os.environ.get('TRYTOND_DATABASE_URI'),
        module='laisui_admission', prefix='bench_admission')
    fresh.__enter__()
    try:
        config.update_etc(str(fresh.config))
        with Transaction().start(fresh.name, 0,
                context={'language': 'zh_CN'}):
            pool = Pool(fresh.name)
            pool.init()
            Run = pool.get('laisui.admission.run')
            round_, candidate_of, school_id = store(
                pool, candidates, places)
            run, = Run.create([{'round': round_.id}])
            start = time.perf_counter()
            Run.execute([run])
            execute_seconds = time.perf_counter() - start
            start = time.perf_counter()
            if os.environ.get('BENCH_PROFILE'):
                import cProfile
                cProfile.runctx('Run.publish([run])', globals(), locals(),
                    os.environ['BENCH_PROFILE'])
            else:
                Run.publish([run])
            publish_seconds = time.perf_counter() - start
            result = Pool().get('laisui.admission.run.result').__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*result.select(result.application, result.school,
                    where=result.run == run.id))
            stored = dict(cursor)
            school_of = {v: k for k, v in school_id.items()}
            got = {candidate_of[a]: school_of.get(s)
                for a, s in stored.items()}
            assert got == expected, "the run placed differently"
            name = backend.name
    finally:
        fresh.__exit__(None, None, None)
    return execute_seconds, publish_seconds, name


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--applications', type=int, default=35000)
    parser.add_argument('--schools', type=int, default=150)
    parser.add_argument('--seats', type=int, default=21000)
    parser.add_argument('--preferences', type=int, default=5)
    parser.add_argument('--seed', type=int, default=2019)
    parser.add_argument('--matching-timeout', type=float, default=300)
    parser.add_argument('--skip-matching', action='store_true',
        help="Time (a) and (c) only.")
    args = parser.parse_args()
    if min(args.applications, args.schools, args.seats,
            args.preferences) < 1:
        parser.error('sizes must be positive')

    candidates, places = generate(args.applications, args.schools,
        args.seats, args.preferences, args.seed)
    result, ranking, seconds = ours(candidates, places, args.seed)
    placed = sum(s is not None for s in result.values())
    log(f'(a) rank + assign {len(candidates)} applications, '
        f'{args.schools} schools, {args.seats} seats: {seconds:.3f}s; '
        f'{placed} placed')

    sizes = [args.applications] + [
        s for s in FALLBACK_SIZES if s < args.applications]
    matching_seconds = matching_size = own_at_size = None
    for size in ([] if args.skip_matching else sizes):
        if size == args.applications:
            sub, sub_places, sub_result = candidates, places, result
            sub_ranking, sub_seconds = ranking, seconds
        else:
            sub, sub_places = generate(size, args.schools,
                args.seats * size // args.applications, args.preferences,
                args.seed)
            sub_result, sub_ranking, sub_seconds = ours(
                sub, sub_places, args.seed)
        outcome = timed_matching(sub, sub_places, sub_ranking,
            args.matching_timeout)
        if outcome is None:
            log(f'(b) matching: more than {args.matching_timeout:.0f}s at '
                f'{size} applications')
            continue
        matching_seconds, theirs = outcome
        assert theirs == sub_result, "matching found another assignment"
        matching_size, own_at_size = size, sub_seconds
        log(f'(b) matching at {size} applications: '
            f'{matching_seconds:.2f}s, same assignment; ours '
            f'{sub_seconds:.3f}s')
        break

    execute_seconds, publish_seconds, backend = full_run(
        candidates, places, result)
    log(f'(c) full run: execute {execute_seconds:.2f}s, publish '
        f'{publish_seconds:.2f}s on {backend}')

    print(json.dumps({
        'applications': args.applications,
        'schools': args.schools,
        'seats': args.seats,
        'assignment_seconds': round(seconds, 3),
        'matching_seconds': matching_seconds and round(matching_seconds, 3),
        'matching_size': matching_size,
        'ratio_to_matching': matching_seconds and round(
            matching_seconds / own_at_size, 1),
        'full_run_seconds': round(execute_seconds + publish_seconds, 3),
        'execute_seconds': round(execute_seconds, 3),
        'publish_seconds': round(publish_seconds, 3),
        'backend': backend,
        'placed': placed,
        'seed': args.seed,
        }))


if __name__ == '__main__':
    main()
