# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.


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
