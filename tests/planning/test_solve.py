"""The day planner on small hand-built days; every plan is re-checked by the independent validator."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hjemme.domain.plans import Plan
from hjemme.domain.resources import ResourceKind
from hjemme.domain.tasks import TaskKind
from hjemme.planning.params import PlannerParams
from hjemme.planning.problem import Problem
from hjemme.planning.solve import solve
from hjemme.planning.validate import validate_plan
from tests.planning.factories import (
    HOMES,
    ULLEVAAL,
    carrier,
    clinician,
    delivery,
    goods,
    oslo_small,
    problem,
    sample,
    video,
    visit,
)

FAST = PlannerParams(time_limit_s=0.3)


def planned(problem_: Problem, params: PlannerParams = FAST) -> Plan:
    plan = solve(problem_, params)
    violations = validate_plan(plan, problem_.tasks, problem_.resources, problem_.provider, problem_.lab)
    assert violations == [], [str(v) for v in violations]
    return plan


def reason(plan: Plan, task_id: str) -> str:
    return next(u.reason for u in plan.unplanned if u.task_id == task_id)


def route_of(plan: Plan, task_id: str) -> str | None:
    for route in plan.routes:
        if any(s.task_id == task_id for s in route.stops):
            return route.resource_id
    return None


def test_oslo_small_is_planned_completely_and_validly():
    """On oslo_small every task is planned and the plan passes the validator."""
    plan = planned(oslo_small())
    assert plan.unplanned == ()
    assert {s.task_id for s in plan.samples} == {"p1-S0", "p3-S0"}
    assert route_of(plan, "p2-DQ") == "c1"  # cytostatics only with the qualified courier


def test_missing_skill_is_reported_in_norwegian_and_english():
    """A visit nobody on duty is skilled for is unplanned with a reason a coordinator reads."""
    plan = solve(problem([visit("p1-V0", skill="oncology")], [clinician("n1", skills=("nursing",))]), FAST)
    assert reason(plan, "p1-V0") == "ingen kliniker med ferdighet 'oncology' på vakt"
    assert plan.unplanned[0].reason_en == "no clinician with skill 'oncology' on duty"


def test_unreachable_window_is_reported_with_the_window():
    """A visit whose window lies outside every shift is unplanned with the window named."""
    plan = planned(problem([visit("p1-V0", tw=("06:00", "06:30"))], [clinician("n1")]))
    assert reason(plan, "p1-V0") == "tidsvindu 06:00–06:30 nås ikke innenfor noen vakt"


def test_excluded_clinician_is_never_used_and_preferred_is_chosen():
    """The patient's excluded clinician is not used; the preferred one gets the visit."""
    tasks = [
        visit("p1-V0", 1, excluded_staff_ids=("n1",)),
        visit("p2-V0", 2, preferred_staff_ids=("n1",)),
    ]
    plan = planned(problem(tasks, [clinician("n1"), clinician("n2", base=ULLEVAAL)]))
    assert route_of(plan, "p1-V0") == "n2"
    assert route_of(plan, "p2-V0") == "n1"


def test_fixed_time_visit_starts_exactly_on_time():
    """A fixed-time visit starts at its time."""
    plan = planned(problem([visit("p1-V0", tw=("10:15", "10:15"), fixed_time=True)], [clinician()]))
    stop = next(s for r in plan.routes for s in r.stops if s.task_id == "p1-V0")
    assert stop.start_min == 10 * 60 + 15


def test_cold_goods_without_a_cold_van_are_unplanned_with_reason():
    """Cold goods are not given to a van without cooling; the reason says so."""
    tasks = [delivery("p1-D", g=goods(cold=True))]
    plan = planned(problem(tasks, [clinician(), carrier("v1", cold_chain=False)]))
    assert reason(plan, "p1-D") == "ingen kjølebil på vakt (varene krever kjølekjede)"


def test_delivery_arrives_before_its_visit():
    """The delivery ends before the visit that uses it starts, even for an early visit."""
    tasks = [visit("p1-V0", 6, tw=("07:30", "12:00")), delivery("p1-D", 6, before=("p1-V0",))]
    plan = planned(problem(tasks, [clinician(), carrier("v1")]))
    stops = {s.task_id: s for r in plan.routes for s in r.stops}
    assert stops["p1-D"].end_min <= stops["p1-V0"].start_min


def test_sample_goes_by_courier_when_the_clinician_should_not_detour():
    """With no detour allowed, the courier collects the sample after the visit and brings it in time."""
    tasks = [visit("p1-V0", 6), sample("p1-S0", "p1-V0", 6, 180)]
    res = [clinician(), carrier("c1", kind=ResourceKind.COURIER, cold_chain=False)]
    plan = planned(problem(tasks, res), replace(FAST, clinician_sample_detour_min=0))
    journey = plan.samples[0]
    assert journey.carried_by == "c1"
    assert journey.at_lab_min - journey.taken_min <= 180


def test_sample_goes_with_the_clinician_when_there_is_no_courier():
    """Without couriers the clinician drops the sample at the lab on the way."""
    plan = planned(problem([visit("p1-V0", 6), sample("p1-S0", "p1-V0", 6, 180)], [clinician()]))
    assert plan.samples[0].carried_by == "n1"


def test_sample_of_an_unplanned_visit_is_unplanned_with_reason():
    """A sample whose visit is not planned is listed with that reason."""
    plan = planned(problem([visit("p1-V0", skill="x"), sample("p1-S0", "p1-V0")], [clinician()]))
    assert "er ikke planlagt" in reason(plan, "p1-S0")


def test_video_is_placed_off_the_road():
    """A video consultation is given to a clinician with the skill, inside its window."""
    plan = planned(problem([visit("p1-V0", 2), video("p2-C0", 3, ("09:00", "15:00"))], [clinician()]))
    stop = next(s for r in plan.routes for s in r.stops if s.task_id == "p2-C0")
    assert 9 * 60 <= stop.start_min <= 15 * 60


def test_optional_task_is_dropped_before_a_mandatory_one():
    """When only one of two overlapping visits fits, the mandatory one is kept."""
    tasks = [
        visit("p1-V0", 0, tw=("09:00", "09:00"), duration=60, mandatory=False),
        visit("p2-V0", 7, tw=("09:00", "09:00"), duration=60),
    ]
    plan = planned(problem(tasks, [clinician()]))
    assert route_of(plan, "p2-V0") == "n1"
    assert "p1-V0" in {u.task_id for u in plan.unplanned}


@pytest.mark.parametrize("engine", ["pyvrp", "ortools"])
def test_both_engines_plan_oslo_small_completely(engine: str):
    """Either engine for the clinicians' routes gives a complete plan that passes the validator."""
    plan = planned(oslo_small(), replace(FAST, engine=engine))
    assert plan.unplanned == ()


@pytest.mark.parametrize("engine", ["pyvrp", "ortools"])
def test_a_visit_that_would_block_a_break_goes_to_a_colleague(engine: str):
    """A fixed 11:00 visit cannot go to the nearby nurse whose break must start by 11:30: it goes
    to the colleague whose break is in the afternoon, even though the engine (PyVRP knows no
    breaks) may first have put it on the nearby nurse's route."""
    near = clinician("near", base=HOMES[0], break_window=("11:00", "11:30"))
    far = clinician("far", base=ULLEVAAL, break_window=("13:00", "14:00"))
    tasks = [visit("p1-V0", 0, ("11:00", "11:00"), duration=60, fixed_time=True)]
    plan = planned(problem(tasks, [near, far]), replace(FAST, engine=engine))
    assert route_of(plan, "p1-V0") == "far"


def test_params_are_validated():
    """Nonsense planner parameters are refused when built."""
    with pytest.raises(ValueError):
        PlannerParams(time_limit_s=0)
    with pytest.raises(ValueError):
        PlannerParams(unplanned_mandatory_cost=1, unplanned_optional_cost=2)
    with pytest.raises(ValueError):
        PlannerParams(clinician_share=1.0)
    with pytest.raises(ValueError):
        PlannerParams(engine="vroom")  # type: ignore[arg-type]


@st.composite
def small_days(draw: st.DrawFn) -> Problem:
    n_clin = draw(st.integers(1, 2))
    n_carriers = draw(st.integers(0, 1))
    resources = [
        clinician(
            f"n{i}",
            skills=draw(st.sampled_from([("nursing",), ("nursing", "oncology")])),
            base=HOMES[draw(st.integers(0, 7))],
        )
        for i in range(n_clin)
    ]
    resources += [carrier(f"v{i}", cold_chain=draw(st.booleans())) for i in range(n_carriers)]
    tasks = []
    n_patients = draw(st.integers(2, 5))
    for p in range(n_patients):
        home = draw(st.integers(0, 7))
        start = draw(st.integers(8, 13)) * 60
        width = draw(st.sampled_from([0, 30, 120]))
        tw = (f"{start // 60:02d}:00", f"{(start + width) // 60:02d}:{(start + width) % 60:02d}")
        kind = draw(st.sampled_from(["visit", "visit+sample", "video", "delivery", "visit+delivery"]))
        vid = f"p{p}-V0"
        skill = draw(st.sampled_from(["nursing", "oncology"]))
        if kind.startswith("visit"):
            tasks.append(visit(vid, home, tw, skill=skill, mandatory=draw(st.booleans())))
        if kind == "visit+sample":
            tasks.append(sample(f"p{p}-S0", vid, home, draw(st.sampled_from([60, 240]))))
        if kind == "video":
            tasks.append(video(f"p{p}-C0", home, tw))
        if kind.endswith("delivery"):
            before = (vid,) if kind == "visit+delivery" else ()
            tasks.append(
                delivery(
                    f"p{p}-D", home, ("07:00", "14:00"), before=before, g=goods(cold=draw(st.booleans()))
                )
            )
    return problem(tasks[:8], resources)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_days(), st.sampled_from(["pyvrp", "ortools"]))
def test_every_plan_of_a_random_small_day_validates(day: Problem, engine: str):
    """Whatever the small day and the clinicians' engine, the plan passes the independent validator."""
    plan = planned(day, PlannerParams(time_limit_s=0.3, rounds=1, engine=engine))
    assert plan.kpis.tasks_total == len(day.tasks)
    assert all(u.reason for u in plan.unplanned)
    assert {t.id for t in day.tasks if t.kind is TaskKind.SAMPLE} >= {s.task_id for s in plan.samples}


def test_repair_moves_a_visit_to_free_a_scarce_skill_clinician():
    """A left-out visit only one clinician may do is placed by moving that clinician's other visit to a colleague."""
    from hjemme.planning.day import DayState as _Day
    from hjemme.planning.stages.clinicians import repair_clinicians as _repair_clinicians
    from hjemme.planning.timeline import TASK, Item, with_break

    a = clinician("a", skills=("nursing", "paediatric"), break_window=None)
    b = clinician("b", skills=("nursing",), break_window=None)
    tasks = [
        visit("p1-V0", 0, ("08:00", "08:40"), duration=60),
        visit("p2-V0", 1, ("08:00", "08:40"), duration=60, skill="paediatric"),
    ]
    day_problem = problem(tasks, [a, b])
    loc = day_problem.loc

    def item(task_id: str) -> Item:
        task = day_problem.task(task_id)
        return Item(TASK, task.id, loc(task.location), task.duration_min, (task.window.start_min, task.window.end_min))

    day = _Day()
    placed_a = with_break(a, loc(a.start), loc(a.end), [item("p1-V0")], day_problem.travel_min)
    assert placed_a is not None
    day.timings["a"] = placed_a[1]
    placed = _repair_clinicians(day_problem, [a, b], [item("p2-V0")], {}, day)
    assert placed == {"p2-V0"}
    on = {rid: [x.item.task_id for x in t.stops if x.item.kind == TASK] for rid, t in day.timings.items()}
    assert on == {"a": ["p2-V0"], "b": ["p1-V0"]}
