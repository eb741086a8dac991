"""The diff between two plan versions: per resource and in totals."""

from __future__ import annotations

import json

from hjemme.planning.changes import AddTask, CancelTask, apply_changes
from hjemme.planning.diff import Moved, Reassigned, diff_plans
from hjemme.planning.repair import repair
from tests.planning.factories import visit
from tests.planning.test_repair import FAST, laid_out, m


def test_identical_plans_have_an_empty_diff():
    """A plan compared with itself changes nothing."""
    _, plan = laid_out()
    d = diff_plans(plan, plan)
    assert d.resources == () and d.reassigned == 0 and d.moved == 0 and d.median_shift_min == 0
    assert d.tasks_in_both == 6


def test_diff_counts_added_removed_reassigned_and_moved():
    """Urgent visit added, p2 cancelled, p4 to nurse c and p3 fifteen minutes later: each is counted once."""
    day, old = laid_out()
    changed = apply_changes(day, [AddTask(visit("p9-V0", 6, ("10:00", "14:00"))), CancelTask("p2-V0")])
    pins = {"p4-V0": ("c", m("13:40")), "p3-V0": ("a", m("12:00"))}
    new = repair(changed, old, pins, FAST)
    d = diff_plans(old, new)
    by = {r.resource_id: r for r in d.resources}
    assert by["a"].added == ("p9-V0",)
    assert by["a"].removed == ("p2-V0",)
    assert Reassigned("p4-V0", "c", m("13:30"), m("13:40")) in by["a"].reassigned_out
    assert Reassigned("p4-V0", "a", m("13:30"), m("13:40")) in by["c"].reassigned_in
    assert Moved("p3-V0", m("11:45"), m("12:00")) in by["a"].moved
    assert d.reassigned == 1 and d.tasks_in_both == 5
    assert d.reassigned_share == 1 / 5
    assert d.moved == 2 and d.median_shift_min == 12.5  # p4 10 min later, p3 15 min later


def test_diff_is_json_friendly():
    """The diff's JSON form survives json.dumps and carries the totals."""
    day, old = laid_out()
    new = repair(day, old, {"p4-V0": ("c", m("13:30"))}, FAST)
    data = json.loads(json.dumps(diff_plans(old, new).to_json()))
    assert data["totals"]["reassigned"] == 1
    assert {r["resource_id"] for r in data["resources"]} == {"a", "c"}
    assert data["resources"][0]["reassigned_out"][0] == {
        "task_id": "p4-V0",
        "to": "c",
        "old_start_min": m("13:30"),
        "new_start_min": m("13:30"),
    }
