# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Ranking and deferred acceptance on plain values: tie-breaks in order,
a reproducible lottery, stable results, the same as the `matching`
package's resident-optimal solution."""
import random
import unittest

from trytond.modules.laisui_admission.allocation import (
    Candidate, allocate, commitment, cutoffs, lottery, rank)
from trytond.modules.laisui_admission.tests.tools import solve_with_matching


def instance(size, schools, seed, places=2, choices=3):
    rng = random.Random(seed)
    candidates = [Candidate(i, float(rng.randint(60, 70)),
            (rng.randint(0, 2), rng.randint(0, 2)),
            tuple(rng.sample(range(schools), choices)))
        for i in range(1, size + 1)]
    return candidates, {s: places for s in range(schools)}


def blocking_pairs(candidates, result, places, orders):
    "Pairs (candidate, school) that would both rather be together"
    held = {}
    for candidate, school in result.items():
        if school is not None:
            held.setdefault(school, []).append(candidate)
    pairs = []
    for candidate in candidates:
        assigned = result[candidate.id]
        for school in candidate.preferences:
            if school == assigned:
                break
            order = orders[school]
            taken = held.get(school, [])
            if len(taken) < places[school] or any(
                    order[candidate.id] < order[other] for other in taken):
                pairs.append((candidate.id, school))
    return pairs


class AllocationTestCase(unittest.TestCase):
    "Admission ranking and allocation"

    def test_ties_by_indicator_order_then_lottery(self):
        a = Candidate(1, 80.0, (10, 5), ())
        b = Candidate(2, 80.0, (10, 7), ())
        c = Candidate(3, 80.0, (12, 0), ())
        d = Candidate(4, 81.0, (0, 0), ())
        e = Candidate(5, 80.0, (10, 7), ())
        order = rank([a, b, c, d, e], 'seed-2026')
        self.assertEqual(order[:2], [4, 3])
        # b and e tie on everything: the draw decides, reproducibly.
        self.assertEqual(set(order[2:4]), {2, 5})
        self.assertEqual(order[4], 1)
        first = min([2, 5], key=lambda i: lottery('seed-2026', i))
        self.assertEqual(order[2], first)
        self.assertEqual(order, rank([e, d, c, b, a], 'seed-2026'))
        self.assertEqual(len(commitment('seed-2026')), 64)
        self.assertNotIn('seed-2026', commitment('seed-2026'))

    def test_points_first_then_preferences(self):
        "With the common ranking, a better score always gets its choice"
        candidates = [
            Candidate(1, 90.0, (), ('B', 'A')),
            Candidate(2, 80.0, (), ('A', 'B')),
            Candidate(3, 70.0, (), ('A', 'B')),
            ]
        places = {'A': 1, 'B': 1}
        result = allocate(candidates, places, rank(candidates, 's'))
        self.assertEqual(result, {1: 'B', 2: 'A', 3: None})
        self.assertEqual(cutoffs(candidates, result), {'A': 80.0, 'B': 90.0})

    def test_school_priorities_displace(self):
        "A school's own order: its preferred candidate displaces another"
        candidates = [
            Candidate(1, 90.0, (), ('A', 'B')),
            Candidate(2, 80.0, (), ('A', 'B')),
            ]
        places = {'A': 1, 'B': 1}
        result = allocate(candidates, places, rank(candidates, 's'),
            priorities={'A': [2, 1]})
        self.assertEqual(result, {1: 'B', 2: 'A'})

    def test_no_places_nobody_placed(self):
        candidates = [Candidate(1, 90.0, (), ('A',))]
        self.assertEqual(allocate(candidates, {'A': 0}, [1]), {1: None})

    def test_stable_on_random_instances(self):
        for seed in range(20):
            with self.subTest(seed=seed):
                candidates, places = instance(60, 8, seed)
                ranking = rank(candidates, str(seed))
                rng = random.Random(seed)
                own = list(ranking)
                rng.shuffle(own)
                priorities = {0: own}
                result = allocate(candidates, places, ranking, priorities)
                position = {c: i for i, c in enumerate(ranking)}
                orders = {s: position for s in places}
                orders[0] = {c: i for i, c in enumerate(own)}
                self.assertEqual(
                    blocking_pairs(candidates, result, places, orders), [])
                self.assertEqual(sum(s is not None
                        for s in result.values()), sum(places.values()))

    def test_same_as_matching_package(self):
        "The resident-optimal stable matching of the `matching` package"
        candidates, places = instance(300, 12, 7, places=15, choices=4)
        ranking = rank(candidates, 'check')
        result = allocate(candidates, places, ranking)
        theirs = solve_with_matching(candidates, places, ranking)
        self.assertEqual(result, theirs)
