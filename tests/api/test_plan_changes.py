"""``/api/plans/{date}``: changes through the day's journal — versions, conflicts, idempotent
writes, undo, the journal, diffs and status marks (issue 11)."""

from __future__ import annotations

from typing import Any

from hjemme.domain.security import Role
from tests.api.conftest import Api
from tests.api.test_plans import URL, _plan, staffed  # noqa: F401 - the fixture


def _plan_now(api: Api) -> dict[str, Any]:
    return api.client.get(URL, headers=api.headers(Role.COORDINATOR)).json()


def _tasks(plan: dict[str, Any]) -> list[str]:
    return [s["task"] for r in plan["routes"] for s in r["stops"] if s["task"]]


def test_a_change_is_journalled_with_who_why_and_versions(staffed: Api) -> None:  # noqa: F811
    """A cancellation makes version 2; the journal names the coordinator, the reason, and v1 → v2 in Oslo time,
    and the diff from v1 to v2 lists the task as removed."""
    _plan(staffed)
    task = _tasks(_plan_now(staffed))[-1]
    headers = staffed.headers(Role.COORDINATOR)
    done = staffed.client.post(f"{URL}/changes", json={"kind": "cancelled", "task": task, "reason": "innlagt"},
                               headers={**headers, "If-Match": "1"})
    assert done.status_code == 201, done.text
    assert done.json()["version"] == 2 and done.json()["previous_version"] == 1
    journal = staffed.client.get(f"{URL}/journal", headers=headers).json()
    planned, cancelled = journal
    assert planned["kind"] == "planned" and planned["result_version"] == 1
    assert cancelled["kind"] == "cancelled" and cancelled["user"] == "coordinator1" and cancelled["role"] == "coordinator"
    assert cancelled["reason"] == "innlagt" and cancelled["payload"]["task"] == task
    assert (cancelled["base_version"], cancelled["result_version"]) == (1, 2)
    assert cancelled["at"].endswith("+01:00") and cancelled["at_local"].startswith("23.11.2026 08:30")
    diff = staffed.client.get(f"{URL}/diff", params={"from": 1, "to": 2}, headers=headers).json()
    removed = [t for change in diff["resources"] for t in change["removed"]]
    assert removed == [task]


def test_a_stale_change_that_clashes_is_409_and_one_that_fits_is_applied(staffed: Api) -> None:  # noqa: F811
    """Two coordinators both looking at v1: the second cancellation of the same task is 409 naming what
    changed (in Norwegian by default, English on request); a cancellation of another task is applied on v2."""
    _plan(staffed)
    first, second = _tasks(_plan_now(staffed))[-2:]
    headers = {**staffed.headers(Role.COORDINATOR), "If-Match": "1"}
    assert staffed.client.post(f"{URL}/changes", json={"kind": "cancelled", "task": second},
                               headers=headers).status_code == 201
    clash = staffed.client.post(f"{URL}/changes", json={"kind": "cancelled", "task": second}, headers=headers)
    assert clash.status_code == 409
    body = clash.json()
    assert body["current_version"] == 2 and "endret siden versjon 1" in body["detail"] and second in body["detail"]
    english = staffed.client.post(f"{URL}/changes", json={"kind": "cancelled", "task": second},
                                  headers={**headers, "Accept-Language": "en"})
    assert english.status_code == 409 and "changed since version 1" in english.json()["detail"]
    fits = staffed.client.post(f"{URL}/changes", json={"kind": "cancelled", "task": first}, headers=headers)
    assert fits.status_code == 201 and fits.json()["version"] == 3
    assert not {first, second} & set(_tasks(_plan_now(staffed)))
    unknown = staffed.client.post(f"{URL}/changes", json={"kind": "cancelled", "task": first},
                                  headers={**headers, "If-Match": "99"})
    assert unknown.status_code == 409


def test_a_repeated_idempotency_key_has_the_effect_of_one(staffed: Api) -> None:  # noqa: F811
    """The same write sent twice with one Idempotency-Key makes one version and gets the first answer
    again; the key reused for another request is refused."""
    _plan(staffed)
    task = _tasks(_plan_now(staffed))[-1]
    headers = {**staffed.headers(Role.COORDINATOR), "Idempotency-Key": "dobbeltklikk-1"}
    first = staffed.client.post(f"{URL}/changes", json={"kind": "cancelled", "task": task}, headers=headers)
    again = staffed.client.post(f"{URL}/changes", json={"kind": "cancelled", "task": task}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert _plan_now(staffed)["version"] == 2
    assert len(staffed.client.get(f"{URL}/journal", headers=headers).json()) == 2
    other = staffed.client.post(URL, json={"time_limit_s": 0.3}, headers=headers)
    assert other.status_code == 422 and _plan_now(staffed)["version"] == 2


def test_undo_restores_an_earlier_version_and_the_next_plan_keeps_it_undone(staffed: Api) -> None:  # noqa: F811
    """Restoring v1 after a cancellation brings the task back as v3; the journal marks the cancellation
    undone, and planning the whole day again does not cancel it again."""
    _plan(staffed)
    task = _tasks(_plan_now(staffed))[-1]
    headers = staffed.headers(Role.COORDINATOR)
    staffed.client.post(f"{URL}/changes", json={"kind": "cancelled", "task": task}, headers=headers)
    restored = staffed.client.post(f"{URL}/restore", json={"version": 1, "expected_version": 2}, headers=headers)
    assert restored.status_code == 201, restored.text
    assert restored.json()["version"] == 3 and task in _tasks(_plan_now(staffed))
    journal = staffed.client.get(f"{URL}/journal", headers=headers).json()
    assert journal[1]["kind"] == "cancelled" and journal[1]["reverted_by"] is not None
    assert journal[2]["kind"] == "restored" and journal[2]["payload"]["version"] == 1
    again = staffed.client.post(URL, json={"time_limit_s": 0.3}, headers=headers)
    assert again.status_code == 201 and task in _tasks(_plan_now(staffed))
    assert staffed.client.post(f"{URL}/restore", json={"version": 9}, headers=headers).status_code == 404


def test_whole_day_planning_keeps_every_journalled_change(staffed: Api) -> None:  # noqa: F811
    """After a cancellation and an urgent visit, "plan the day" makes a new version in which the
    cancelled task is still gone and the urgent visit is still there."""
    _plan(staffed)
    task = _tasks(_plan_now(staffed))[-1]
    headers = staffed.headers(Role.COORDINATOR)
    staffed.client.post(f"{URL}/changes", json={"kind": "cancelled", "task": task}, headers=headers)
    urgent = staffed.client.post(f"{URL}/changes", json={"kind": "urgent_visit", "patient": "P00002"}, headers=headers)
    assert urgent.status_code == 201, urgent.text
    urgent_id = urgent.json()["task"]
    assert "-U0" in urgent_id
    replanned = staffed.client.post(URL, json={"time_limit_s": 0.3}, headers=headers)
    assert replanned.status_code == 201 and replanned.json()["version"] == 4
    after = _plan_now(staffed)
    assert task not in _tasks(after)
    assert urgent_id in _tasks(after) or urgent_id in {u["task"] for u in after["unplanned"]}


def test_status_marks_are_facts_the_clinician_records_on_own_stops(staffed: Api) -> None:  # noqa: F811
    """A clinician marks a stop of their own route started (journalled, no new version) and cannot
    mark another's; a started task cannot be cancelled afterwards."""
    _plan(staffed)
    plan = _plan_now(staffed)
    own = next((s["task"] for r in plan["routes"] if r["resource"] == "S0001" for s in r["stops"] if s["task"]), None)
    other = next((s["task"] for r in plan["routes"] if r["resource"] != "S0001" for s in r["stops"] if s["task"]), None)
    clinician = staffed.headers(Role.CLINICIAN)
    if own is not None:
        mark = staffed.client.post(f"{URL}/tasks/{own}/status", json={"status": "started"}, headers=clinician)
        assert mark.status_code == 201 and mark.json()["version"] == 1
        cancel = staffed.client.post(f"{URL}/changes", json={"kind": "cancelled", "task": own},
                                     headers=staffed.headers(Role.COORDINATOR))
        assert cancel.status_code == 409
    if other is not None:
        refused = staffed.client.post(f"{URL}/tasks/{other}/status", json={"status": "done"}, headers=clinician)
        assert refused.status_code == 404
    assert own is not None or other is not None
    bad = staffed.client.post(f"{URL}/tasks/x/status", json={"status": "maybe"}, headers=clinician)
    assert bad.status_code == 422
    assert staffed.client.post(f"{URL}/tasks/x/status", json={"status": "done"},
                               headers=staffed.headers(Role.RESEARCHER)).status_code == 403


def test_placements_are_listed_best_first_and_choosing_one_applies_it(staffed: Api) -> None:  # noqa: F811
    """The feasible places of a planned visit come cheapest first; posting the first as a move puts the
    visit exactly there in the next version; an unknown task is 404."""
    _plan(staffed)
    headers = staffed.headers(Role.COORDINATOR)
    plan = _plan_now(staffed)
    visits = [s["task"] for r in plan["routes"] for s in r["stops"] if s["type"] == "visit"]
    answers = {t: staffed.client.get(f"{URL}/placements", params={"task": t}, headers=headers) for t in visits}
    assert all(a.status_code == 200 for a in answers.values())
    task, listed = next((t, a) for t, a in answers.items() if a.json()["placements"])  # a visit that can move
    places = listed.json()["placements"]
    assert [p["cost_delta"] for p in places] == sorted(p["cost_delta"] for p in places)
    first = places[0]
    moved = staffed.client.post(f"{URL}/changes", headers={**headers, "If-Match": str(listed.json()["version"])},
                                json={"kind": "moved", "task": task, "resource": first["resource"],
                                      "start": first["start"]})
    assert moved.status_code == 201, moved.text
    after = _plan_now(staffed)
    assert any(r["resource"] == first["resource"] and s["task"] == task and s["start"] == first["start"]
               for r in after["routes"] for s in r["stops"])
    unknown = staffed.client.get(f"{URL}/placements", params={"task": "no-such-task"}, headers=headers)
    assert unknown.status_code == 404
