"""The benchmark reader turns the published text format into values, and names bad lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from hjemme.errors import InputError
from hjemme.rota.benchmark.instance import read_instance
from tests.rota.benchmark_text import tiny_instance

DATA = Path(__file__).parent / "data"


def test_instance1_reads_every_section():
    """Instance 1: 14 days, one 480-minute shift, 8 staff with their limits, requests and cover."""
    inst = read_instance((DATA / "Instance1.txt").read_text(), "Instance1")
    assert inst.horizon_days == 14
    assert [(s.id, s.minutes) for s in inst.shifts] == [("D", 480)]
    assert len(inst.employees) == 8
    a = inst.employees[0]
    assert (a.id, a.max_shifts, a.max_total_minutes, a.min_total_minutes) == ("A", {"D": 14}, 4320, 3360)
    assert (
        a.max_consecutive_shifts,
        a.min_consecutive_shifts,
        a.min_consecutive_days_off,
        a.max_weekends,
    ) == (
        5,
        2,
        2,
        1,
    )
    assert inst.days_off["B"] == frozenset({5})
    assert len(inst.on_requests) == 21 and len(inst.off_requests) == 5
    assert inst.cover[1].requirement == 7 and inst.cover[1].under_weight == 100
    assert inst.weekends == 2


def test_forbidden_successors_are_read():
    """A shift's 'cannot follow' list becomes a set of shift ids."""
    inst = read_instance(tiny_instance())
    assert {s.id: s.not_followed_by for s in inst.shifts} == {"D": frozenset(), "N": frozenset({"D"})}


def test_a_bad_number_names_the_line():
    """A non-numeric field raises an input error naming the file and line."""
    text = tiny_instance().replace("D,480,", "D,eight hours,")
    with pytest.raises(InputError, match=r"tiny:5: 'eight hours' is not a whole number"):
        read_instance(text, "tiny")


def test_an_unknown_shift_in_cover_is_refused():
    """Cover for a shift the file never defined is an error, not a silent zero."""
    with pytest.raises(InputError, match="unknown shift 'E'"):
        read_instance(tiny_instance(cover="0,E,1,100,1"), "tiny")
