# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Ranking and deferred acceptance on plain values: tie-breaks in order,
a reproducible lottery, stable results, the same as the `matching`
package's resident-optimal solution."""
import dataclasses
import random
import unittest
from decimal import Decimal

from trytond.modules.laisui_admission.allocation import (
    Candidate, allocate, commitment, cutoffs, last_admitted, lottery, rank)
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

    def test_first_differing_row_decides(self):
        """Equal scores: the first row of the table that differs decides,
        whatever the later rows hold; equal rows go to the draw"""
        candidates = [
            Candidate(1, 80.0, (30, 20, 30), ()),
            Candidate(2, 80.0, (30, 25, 25), ()),
            # More on the second row than anybody, less on the first.
            Candidate(3, 80.0, (29, 51, 0), ()),
            Candidate(4, 80.0, (30, 25, 25), ()),
            Candidate(5, 81.0, (0, 0, 81), ()),
            ]
        # sha256('seed-2026:2') = 7e941d..., sha256('seed-2026:4') =
        # c13549...: the smaller draw first.
        self.assertEqual(rank(candidates, 'seed-2026'), [5, 2, 4, 1, 3])
        self.assertEqual(rank(candidates[::-1], 'seed-2026'),
            [5, 2, 4, 1, 3])

    def test_cutoff_lowest_admitted_with_its_tie_values(self):
        """Several places: a school's cut-off is the lowest score it
        admitted, its last place the one ranked last among them"""
        candidates = [
            Candidate(1, 90, (40, 30, 20), ('S', 'T')),
            Candidate(2, 85, (35, 30, 20), ('S', 'T')),
            Candidate(3, 80, (30, 30, 20), ('S', 'T')),
            # Tied with 3 on score and the first row, behind on the second.
            Candidate(4, 80, (30, 25, 25), ('S', 'T')),
            # More on the first row than 4, but a lower score.
            Candidate(5, 75, (40, 20, 15), ('S', 'T')),
            Candidate(6, 70, (30, 20, 20), ('S', 'T')),
            ]
        ranking = rank(candidates, 'boundary')
        self.assertEqual(ranking, [1, 2, 3, 4, 5, 6])
        result = allocate(candidates, {'S': 3, 'T': 2}, ranking)
        self.assertEqual(result,
            {1: 'S', 2: 'S', 3: 'S', 4: 'T', 5: 'T', 6: None})
        self.assertEqual(cutoffs(candidates, result), {'S': 80, 'T': 75})
        self.assertEqual(last_admitted(result, ranking), {'S': 3, 'T': 5})

    def test_cutoff_tie_at_the_boundary_by_lottery(self):
        "Three tied on everything for the last place: the draw decides"
        candidates = [
            Candidate(1, 90, (50, 40), ('S',)),
            Candidate(2, 85, (45, 40), ('S',)),
            Candidate(3, 80, (40, 40), ('S',)),
            Candidate(4, 80, (40, 40), ('S',)),
            Candidate(5, 80, (40, 40), ('S',)),
            ]
        # sha256('boundary:3') = 35779b..., ':5' = b40286..., ':4' =
        # bd58ca...
        ranking = rank(candidates, 'boundary')
        self.assertEqual(ranking, [1, 2, 3, 5, 4])
        result = allocate(candidates, {'S': 3}, ranking)
        self.assertEqual(result, {1: 'S', 2: 'S', 3: 'S', 4: None, 5: None})
        self.assertEqual(cutoffs(candidates, result), {'S': 80})
        self.assertEqual(last_admitted(result, ranking), {'S': 3})

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

    def test_school_without_places_passed_over(self):
        """A preference for a school with no places, or none in the plan,
        is passed over for the next preference"""
        candidates = [
            Candidate(1, 90.0, (), ('A', 'B')),
            Candidate(2, 80.0, (), ('X', 'B')),
            ]
        result = allocate(candidates, {'A': 0, 'B': 2}, [1, 2])
        self.assertEqual(result, {1: 'B', 2: 'B'})

    def test_not_in_school_order_passed_over(self):
        """A school whose own order leaves a candidate out does not take
        them: their next preference does"""
        candidates = [
            Candidate(1, 90.0, (), ('A', 'B')),
            Candidate(2, 80.0, (), ('A', 'B')),
            ]
        result = allocate(candidates, {'A': 2, 'B': 2}, [1, 2],
            priorities={'A': [2]})
        self.assertEqual(result, {1: 'B', 2: 'A'})

    def test_large_school_and_long_preference_list(self):
        """A school of 300 places takes the best 300 of 301; an applicant
        refused by each of 300 preferences is unplaced"""
        candidates = [Candidate(i, Decimal(1000 - i), (), ('S',))
            for i in range(1, 302)]
        result = allocate(candidates, {'S': 300}, rank(candidates, 's'))
        self.assertEqual(result, dict.fromkeys(range(1, 301), 'S') | {
                301: None})
        # Each school's one place goes to a better applicant who chose
        # only it.
        schools = range(300)
        candidates = [Candidate(s + 1, Decimal(90), (), (s,))
            for s in schools]
        candidates.append(Candidate(1000, Decimal(60), (), tuple(schools)))
        result = allocate(candidates, dict.fromkeys(schools, 1),
            rank(candidates, 's'))
        self.assertIsNone(result[1000])
        self.assertEqual(result[1], 0)
        self.assertEqual(result[300], 299)

    def test_cutoff_whatever_the_candidates_order(self):
        "The lowest admitted score, whatever order the candidates come in"
        candidates = [
            Candidate(1, Decimal(70), (), ('S',)),
            Candidate(2, Decimal(90), (), ('S',)),
            Candidate(3, Decimal(80), (), ('S',)),
            ]
        result = allocate(candidates, {'S': 3}, [2, 3, 1])
        self.assertEqual(result, {1: 'S', 2: 'S', 3: 'S'})
        self.assertEqual(cutoffs(candidates, result), {'S': Decimal(70)})

    def test_decimal_tie_points(self):
        """Tie points as a run reads them, Decimal and fractional (a patent
        share of 20/3): the earlier row decides first"""
        candidates = [
            Candidate(1, Decimal(80), (Decimal('6.67'), Decimal(30)), ()),
            Candidate(2, Decimal(80), (Decimal(10), Decimal(0)), ()),
            Candidate(3, Decimal(80), (Decimal('6.67'), Decimal(20)), ()),
            Candidate(4, Decimal('80.01'), (Decimal(0), Decimal(0)), ()),
            ]
        self.assertEqual(rank(candidates, 's'), [4, 2, 1, 3])

    def test_candidate_is_a_value(self):
        "A candidate cannot be changed: allocation only reads it"
        candidate = Candidate(1, Decimal(80), (), ('S',))
        with self.assertRaises(dataclasses.FrozenInstanceError):
            candidate.score = Decimal(99)

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
