"""Two-person visits (issue 16): the validator's holds/violated pairs, the plan JSON's partner stop."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hjemme.domain.plans import Partner, Plan, Route, Unplanned
from hjemme.domain.resources import ResourceKind
from hjemme.domain.tasks import SyncKind, Task, Together
from hjemme.planning.day import with_partners
from hjemme.planning.plan_json import plan_from_json, plan_to_json
from hjemme.planning.validate import validate_plan
from tests.planning.factories import clinician
from tests.planning.handbuilt import BREAK, B, H, L, provider, resources, stop, tasks, valid_plan


def pair_tasks(kind: SyncKind = SyncKind.SIMULTANEOUS, gap: tuple[int, int] = (0, 0)) -> list[Task]:
    """oslo_tiny's visit V done together with a second nurse's visit W at the same home."""
    base = tasks()
    v = base[0]
    first = replace(v, together=Together("W", kind, True, *gap))
    second = replace(v, id="W", together=Together("V", kind, False, *gap))
    return [first, second, *base[1:]]


def pair_resources() -> list:
    return [*resources(), clinician("n2", skills=("nursing",), shift=("08:00", "16:00"), base=B)]


def pair_plan(w_start: str = "09:00", w_end: str = "09:30", on: str = "n2") -> Plan:
    plan = valid_plan()
    w = stop("W", "visit", H, w_start, w_start, w_end, ("09:00", "10:00"))
    routes = list(plan.routes)
    if on == "n2":
        routes.append(Route("n2", ResourceKind.CLINICIAN, "car-n2", (w, BREAK)))
    kpis = replace(plan.kpis, tasks_total=4, tasks_planned=4)
    return replace(plan, routes=tuple(routes), kpis=kpis)


def together_violations(plan: Plan, task_list: list[Task]) -> list[str]:
    found = validate_plan(plan, task_list, pair_resources(), provider(), L)
    return [v.message for v in found if v.rule == "together"]


def test_simultaneous_pair_at_the_same_minute_holds() -> None:
    """Two nurses starting the visit together at 09:00 break no rule at all."""
    assert validate_plan(pair_plan(), pair_tasks(), pair_resources(), provider(), L) == []


def test_simultaneous_pair_ten_minutes_apart_is_reported() -> None:
    """The second nurse arriving at 09:10 is not together."""
    found = together_violations(pair_plan("09:10", "09:40"), pair_tasks())
    assert any("not together" in v for v in found)


def test_half_a_pair_planned_is_reported() -> None:
    """Planning one half and leaving the other unplanned is a violation."""
    plan = replace(pair_plan(on="none"), unplanned=(Unplanned("W", "ingen ledig"),))
    plan = replace(plan, kpis=replace(plan.kpis, tasks_planned=3))
    assert any("without its partner" in v for v in together_violations(plan, pair_tasks()))


def test_sequential_gap_holds_inside_and_is_reported_outside() -> None:
    """Second visit 60–90 min after the first: 10:00 holds, 10:45 (105 min) does not."""
    sequential = pair_tasks(SyncKind.SEQUENTIAL, (60, 90))
    window = ("09:00", "11:00")
    sequential = [
        replace(t, window=replace(t.window, end_min=11 * 60)) if t.id in "VW" else t for t in sequential
    ]
    plan = pair_plan("10:00", "10:30")
    holds = replace(plan, routes=tuple(_widen(r, window) for r in plan.routes))
    assert together_violations(holds, sequential) == []
    late = pair_plan("10:45", "11:15")
    late = replace(late, routes=tuple(_widen(r, window) for r in late.routes))
    assert any("not 60–90" in v for v in together_violations(late, sequential))


def _widen(route: Route, tw: tuple[str, str]) -> Route:
    stops = tuple(
        replace(s, window=stop(s.task_id, s.type, s.location, "09:00", "09:00", "09:00", tw).window)
        if s.task_id in ("V", "W")
        else s
        for s in route.stops
    )
    return replace(route, stops=stops)


def test_partner_stop_is_filled_and_survives_json() -> None:
    """Each half names the other's nurse and start; the plan JSON carries it under ``with``."""

    class Tasks:
        def task(self, tid: str) -> Task:
            return {t.id: t for t in pair_tasks()}[tid]

    plan = pair_plan()
    plan = replace(plan, routes=tuple(with_partners(list(plan.routes), Tasks())))  # type: ignore[arg-type]
    v_stop = next(s for s in plan.routes[0].stops if s.task_id == "V")
    assert v_stop.partner == Partner("n2", "W", 9 * 60)
    data = plan_to_json(plan)
    assert data["routes"][0]["stops"][0]["with"] == {"resource": "n2", "task": "W", "start": "09:00"}
    assert plan_from_json(data) == plan
    assert validate_plan(plan, pair_tasks(), pair_resources(), provider(), L) == []


def test_a_partner_stop_pointing_elsewhere_is_reported() -> None:
    """A stop whose partner names the wrong start is caught."""
    plan = pair_plan()
    stops = list(plan.routes[0].stops)
    stops[0] = replace(stops[0], partner=Partner("n2", "W", 9 * 60 + 5))
    plan = replace(plan, routes=(replace(plan.routes[0], stops=tuple(stops)), *plan.routes[1:]))
    assert any("not where the plan has it" in v for v in together_violations(plan, pair_tasks()))


def test_stop_without_partner_has_no_with_key() -> None:
    """Plans without two-person visits keep their JSON unchanged (no ``with`` key)."""
    assert all("with" not in s for r in plan_to_json(valid_plan())["routes"] for s in r["stops"])


def test_two_person_tasks_survive_the_problem_json() -> None:
    """The pair, its gap and a soft window end round-trip through the problem JSON."""
    from hjemme.planning.problem_json import problem_from_json, problem_to_json

    task_list = pair_tasks(SyncKind.SEQUENTIAL, (60, 90))
    task_list[0] = replace(task_list[0], soft_end_min=9 * 60 + 30, late_cost_per_min=5)
    loaded = problem_from_json(problem_to_json(valid_plan().date, L, task_list, pair_resources()))
    assert list(loaded.tasks) == task_list


# -- the day planner plans two-person visits --------------------------------------------------------


def _solve_pair(kind: SyncKind, gap: tuple[int, int] = (0, 0), nurses: int = 2, physio: bool = True):
    from hjemme.domain.resources import ResourceKind as Kind
    from hjemme.planning.params import PlannerParams
    from hjemme.planning.solve import solve
    from tests.planning.factories import carrier, problem, visit

    first = visit("p1-V0", 0, ("09:00", "11:00"), together=Together("p1-V0B", kind, True, *gap))
    second = visit(
        "p1-V0B",
        0,
        ("09:00", "13:00"),
        skill="physio" if physio else "nursing",
        together=Together("p1-V0", kind, False, *gap),
    )
    others = [visit("p2-V0", 1, ("08:00", "12:00")), visit("p3-V0", 2, ("10:00", "14:00"))]
    staff = [clinician("n1"), clinician("n2", skills=("nursing", "physio"))][:nurses]
    day = problem([first, second, *others], [*staff, carrier("v1", kind=Kind.VAN)])
    plan = solve(day, PlannerParams(time_limit_s=0.3))
    violations = validate_plan(plan, day.tasks, day.resources, day.provider, day.lab)
    assert violations == [], [str(v) for v in violations]
    stops = {s.task_id: (r.resource_id, s) for r in plan.routes for s in r.stops if s.task_id}
    return plan, stops


def test_the_planner_sends_two_people_at_the_same_minute() -> None:
    """A simultaneous pair: two different nurses start at the same minute, each stop names the other."""
    _, stops = _solve_pair(SyncKind.SIMULTANEOUS)
    (r1, a), (r2, b) = stops["p1-V0"], stops["p1-V0B"]
    assert r1 != r2 and a.start_min == b.start_min
    assert a.partner == Partner(r2, "p1-V0B", b.start_min)
    assert b.partner == Partner(r1, "p1-V0", a.start_min)


def test_the_planner_keeps_a_sequential_gap() -> None:
    """Medicine given, then checked 60–90 minutes later by someone else."""
    _, stops = _solve_pair(SyncKind.SEQUENTIAL, (60, 90))
    (r1, a), (r2, b) = stops["p1-V0"], stops["p1-V0B"]
    assert r1 != r2 and 60 <= b.start_min - a.start_min <= 90


def test_a_pair_nobody_can_join_is_left_out_whole() -> None:
    """With one nurse on duty neither half is planned, and both say why in Norwegian."""
    plan, stops = _solve_pair(SyncKind.SIMULTANEOUS, nurses=1, physio=False)
    assert "p1-V0" not in stops and "p1-V0B" not in stops
    reasons = {u.task_id: u.reason for u in plan.unplanned}
    assert "ingen andre kan være med" in reasons["p1-V0B"]
    assert "p1-V0" in reasons


def test_a_soft_window_end_pulls_the_visit_early() -> None:
    """Four visits open all morning; one should start by 08:30 (dear lateness): the plan starts it then."""
    from hjemme.domain.resources import ResourceKind as Kind
    from hjemme.planning.params import PlannerParams
    from hjemme.planning.solve import solve
    from tests.planning.factories import carrier, problem, visit

    urgent = visit("p1-V0", 6, ("08:00", "12:00"), soft_end_min=8 * 60 + 30, late_cost_per_min=1000)
    others = [visit(f"p{i}-V0", i, ("08:00", "12:00")) for i in (2, 3, 4)]
    day = problem([*others, urgent], [clinician("n1"), carrier("v1", kind=Kind.VAN)])
    plan = solve(day, PlannerParams(time_limit_s=0.5))
    assert validate_plan(plan, day.tasks, day.resources, day.provider, day.lab) == []
    start = next(s.start_min for r in plan.routes for s in r.stops if s.task_id == "p1-V0")
    assert start <= 8 * 60 + 30


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pairs=st.lists(
        st.tuples(
            st.integers(0, 7),
            st.sampled_from([SyncKind.SIMULTANEOUS, SyncKind.SEQUENTIAL]),
            st.integers(8, 13),
            st.integers(0, 60),
        ),
        min_size=1,
        max_size=4,
    ),
    nurses=st.integers(1, 3),
)
def test_any_day_with_pairs_is_planned_validly(pairs, nurses) -> None:
    """Random pairs (simultaneous or sequential, any gap) on one to three nurses: always valid."""
    from hjemme.domain.resources import ResourceKind as Kind
    from hjemme.planning.params import PlannerParams
    from hjemme.planning.solve import solve
    from tests.planning.factories import carrier, problem, visit

    task_list = []
    for n, (home, kind, hour, gap) in enumerate(pairs):
        low, high = (gap, gap + 30) if kind is SyncKind.SEQUENTIAL else (0, 0)
        a, b = f"p{n}-V0", f"p{n}-V0B"
        window = (f"{hour:02d}:00", f"{hour + 2:02d}:00")
        later = (f"{hour:02d}:00", f"{hour + 3:02d}:00")
        task_list.append(visit(a, home, window, together=Together(b, kind, True, low, high)))
        task_list.append(visit(b, home, later, together=Together(a, kind, False, low, high)))
    staff = [clinician(f"n{i}") for i in range(1, nurses + 1)]
    day = problem(task_list, [*staff, carrier("v1", kind=Kind.VAN)])
    plan = solve(day, PlannerParams(time_limit_s=0.2))
    violations = validate_plan(plan, day.tasks, day.resources, day.provider, day.lab)
    assert violations == [], [str(v) for v in violations]


# -- re-planning keeps pairs together -----------------------------------------------------------------


def _paired_day():
    from hjemme.domain.resources import ResourceKind as Kind
    from tests.planning.factories import carrier, problem, visit

    pair = [
        visit("p1-V0", 0, ("09:00", "12:00"), together=Together("p1-V0B", SyncKind.SIMULTANEOUS, True)),
        visit("p1-V0B", 0, ("09:00", "12:00"), together=Together("p1-V0", SyncKind.SIMULTANEOUS, False)),
    ]
    others = [visit(f"p{i}-V0", i, ("08:00", "15:00")) for i in (2, 3, 4)]
    staff = [clinician("a"), clinician("b"), clinician("c")]
    return problem([*pair, *others], [*staff, carrier("v1", kind=Kind.VAN)])


def _pair_of(plan: Plan) -> tuple[tuple[str, int], tuple[str, int]]:
    found = {s.task_id: (r.resource_id, s.start_min) for r in plan.routes for s in r.stops if s.task_id}
    return found["p1-V0"], found["p1-V0B"]


def test_an_urgent_visit_leaves_the_pair_together() -> None:
    """Repair after an urgent visit: the plan is valid and the pair still starts together."""
    from hjemme.planning.changes import AddTask, apply_changes
    from hjemme.planning.params import PlannerParams
    from hjemme.planning.repair import repair
    from hjemme.planning.solve import solve
    from tests.planning.factories import visit

    day = _paired_day()
    first = solve(day, PlannerParams(time_limit_s=0.3))
    changed = apply_changes(day, [AddTask(visit("p9-V0", 6, ("10:00", "14:00")))])
    after = repair(changed, first, {}, PlannerParams(time_limit_s=0.3))
    assert validate_plan(after, changed.tasks, changed.resources, changed.provider, changed.lab) == []
    (ra, sa), (rb, sb) = _pair_of(after)
    assert ra != rb and sa == sb


def test_when_a_pair_half_nurse_is_absent_the_pair_is_re_paired_or_left_out_whole() -> None:
    """The second half's nurse absent all day: someone else joins at the pair's minute, or neither goes."""
    from hjemme.planning.changes import StaffAbsent, apply_changes
    from hjemme.planning.params import PlannerParams
    from hjemme.planning.repair import repair
    from hjemme.planning.solve import solve

    day = _paired_day()
    first = solve(day, PlannerParams(time_limit_s=0.3))
    (_, _), (rb, _) = _pair_of(first)
    changed = apply_changes(day, [StaffAbsent(rb)])
    after = repair(changed, first, {}, PlannerParams(time_limit_s=0.3))
    assert validate_plan(after, changed.tasks, changed.resources, changed.provider, changed.lab) == []
