# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Ranking and allocation of admission places (积分入学学位分配).

Plain computation over plain values, no ORM: a run reads its applications
once, calls these functions and writes the result set-wise, and the
benchmark and tests call them directly.

Ranking: by admission score; ties by each indicator's points in catalogue
order (more points on the earlier indicator first, the Tianhe rule); then
a lottery drawn from a seed whose hash was published before the run, so
that anybody can check the draw afterwards.

Allocation: student-proposing deferred acceptance (Gale–Shapley). Each
school holds the best applicants by its priority order, up to its places;
the result is stable (no applicant and school would both rather be
together) and applicants gain nothing by hiding their true preferences.
With the common ranking as every school's order ("points first, then
preferences") nobody is ever displaced: applicants are placed in rank
order at the best preference with a place left.
"""
import hashlib
import heapq
from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    "One application as the allocation sees it"
    id: int
    score: float
    # Points per indicator in catalogue order: the first tie-breaker.
    tie_points: tuple
    # School ids, best first.
    preferences: tuple


def commitment(seed):
    "What is published before the run: the draw cannot change after"
    return hashlib.sha256(seed.encode()).hexdigest()


def lottery(seed, candidate_id):
    "The candidate's draw: reproducible by anybody given the seed"
    return hashlib.sha256(f'{seed}:{candidate_id}'.encode()).hexdigest()


def rank(candidates, seed):
    "Candidate ids, best first"
    return [c.id for c in sorted(candidates, key=lambda c: (
                -c.score, tuple(-p for p in c.tie_points),
                lottery(seed, c.id)))]


def allocate(candidates, places, ranking, priorities=None):
    """{candidate id: school id or None}.

    `places` maps school → places offered; `ranking` is rank()'s order;
    `priorities` maps a school to its own order of candidate ids (schools
    not in it use the ranking; candidates missing from a school's order
    are not acceptable to it)."""
    position = {c: i for i, c in enumerate(ranking)}
    orders = {s: {c: i for i, c in enumerate(order)}
        for s, order in (priorities or {}).items()}
    preferences = {c.id: c.preferences for c in candidates}
    next_choice = dict.fromkeys(preferences, 0)
    # Per school a heap of (-priority position, candidate): worst on top.
    held = {s: [] for s in places}
    # Proposals in ranking order; a displaced candidate proposes again.
    free = sorted(preferences, key=position.__getitem__, reverse=True)
    while free:
        candidate = free.pop()
        choices = preferences[candidate]
        i = next_choice[candidate]
        while i < len(choices):
            school = choices[i]
            i += 1
            capacity = places.get(school, 0)
            if capacity <= 0:
                continue
            order = orders.get(school, position)
            if candidate not in order:
                continue
            entry = (-order[candidate], candidate)
            heap = held[school]
            if len(heap) < capacity:
                heapq.heappush(heap, entry)
                break
            if entry > heap[0]:
                _, displaced = heapq.heapreplace(heap, entry)
                free.append(displaced)
                break
        next_choice[candidate] = i
    result = dict.fromkeys(preferences)
    for school, heap in held.items():
        for _, candidate in heap:
            result[candidate] = school
    return result


def cutoffs(candidates, result):
    "{school: the lowest score it admitted}: the published cut-off"
    scores = {c.id: c.score for c in candidates}
    lowest = {}
    for candidate, school in result.items():
        if school is not None:
            score = scores[candidate]
            if school not in lowest or score < lowest[school]:
                lowest[school] = score
    return lowest


def last_admitted(result, ranking):
    """{school: the candidate of its last admitted place}: the one ranked
    last among those it took, whose tie-break values are published with
    the cut-off (an applicant on the cut-off score was ranked against
    them)"""
    last = {}
    for candidate in ranking:
        school = result.get(candidate)
        if school is not None:
            last[school] = candidate
    return last
