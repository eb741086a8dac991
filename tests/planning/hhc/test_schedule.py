"""The solver's exact schedules: what an insertion is said to cost is what it costs (issue 16)."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from hjemme.planning.hhc.format import instance_from_json
from hjemme.planning.hhc.generate import mankowska_like
from hjemme.planning.hhc.schedule import Model, State
from hjemme.planning.hhc.solver import _build, _remove_patients


@settings(max_examples=25, deadline=None)
@given(
    patients=st.integers(min_value=4, max_value=40),
    caregivers=st.integers(min_value=2, max_value=8),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_an_insertions_quoted_objective_is_the_objective_after_it(
    patients: int, caregivers: int, seed: int
) -> None:
    """Removing a patient and putting its services anywhere (any caregivers, any positions): the
    objective the search is quoted before the move equals the objective of the schedule after it."""
    instance = instance_from_json(mankowska_like(patients, seed, caregivers=caregivers), name="g")
    m = Model(instance)
    rng = random.Random(seed)
    state = _build(m)
    for _ in range(5):
        pi = rng.randrange(len(m.tasks_of))
        assert _remove_patients(state, [pi])
        moves = []
        used: set[int] = set()
        for t in m.tasks_of[pi]:
            c = rng.choice([c for c in m.eligible[t] if c not in used])
            used.add(c)
            moves.append((t, c, rng.randint(0, len(state.routes[c]))))
        quoted = state.try_insert(moves, state.objective(), repeats=m.T + 2)
        copy: State = state.copy()
        if not copy.commit(moves):
            # crossing pairs: no schedule, and the quote said so
            assert quoted == float("inf")
            moves = [(t, c, len(state.routes[c])) for t, c, _ in moves]
            quoted = state.try_insert(moves, state.objective(), repeats=m.T + 2)
            copy = state.copy()
            assert copy.commit(moves)
        assert abs(quoted - copy.objective()) < 1e-6 * max(1.0, abs(quoted))
        state = copy


def test_generated_instances_can_have_mankowskas_caregiver_count() -> None:
    """``caregivers`` sets how many caregivers the generated instance has (Mankowska: one per five)."""
    data = mankowska_like(100, 1, caregivers=20)
    assert len(data["caregivers"]) == 20
    assert len(mankowska_like(100, 1)["caregivers"]) == 30
