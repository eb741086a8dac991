import pytest

from hjemme.errors import InputError
from tests.planning.factories import LAB, clinician, oslo_small, problem, sample, visit


def test_locations_are_unique_and_index_the_matrix():
    """Each place gets one row of the travel matrix, the lab first."""
    p = oslo_small()
    assert len(set(p.locations)) == len(p.locations)
    assert p.travel.size == len(p.locations)
    assert p.loc(LAB) == 0


def test_duplicate_task_ids_are_refused():
    """Two tasks with one id are a data error."""
    with pytest.raises(InputError, match="twice"):
        problem([visit("p1-V0"), visit("p1-V0")], [clinician()])


def test_sample_must_name_a_visit_of_the_day():
    """A sample taken at an unknown visit is a data error."""
    with pytest.raises(InputError, match="not taken at a visit"):
        problem([sample("p1-S0", "p9-V0")], [clinician()])


def test_unknown_precedence_target_is_refused():
    """A task that must precede an unknown task is a data error."""
    from dataclasses import replace

    with pytest.raises(InputError, match="unknown task"):
        problem([replace(visit("p1-V0"), before=("nope",))], [clinician()])
