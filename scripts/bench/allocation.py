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

``full_run_seconds`` (the run with its database writes) is null until the
allocation run model exists. The last line on stdout is JSON.
"""
import argparse
import json
import multiprocessing
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import log  # noqa: E402

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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--applications', type=int, default=35000)
    parser.add_argument('--schools', type=int, default=150)
    parser.add_argument('--seats', type=int, default=21000)
    parser.add_argument('--preferences', type=int, default=5)
    parser.add_argument('--seed', type=int, default=2019)
    parser.add_argument('--matching-timeout', type=float, default=300)
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
    for size in sizes:
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

    print(json.dumps({
        'applications': args.applications,
        'schools': args.schools,
        'seats': args.seats,
        'assignment_seconds': round(seconds, 3),
        'matching_seconds': matching_seconds and round(matching_seconds, 3),
        'matching_size': matching_size,
        'ratio_to_matching': matching_seconds and round(
            matching_seconds / own_at_size, 1),
        'full_run_seconds': None,
        'backend': None,
        'placed': placed,
        'seed': args.seed,
        }))


if __name__ == '__main__':
    main()
