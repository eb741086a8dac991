"""Paired holds/violated tests for every rule of the independent validator, on oslo_tiny."""

from __future__ import annotations

from dataclasses import replace

from hjemme.domain.plans import Plan, Route, SampleJourney, Stop, Unplanned
from hjemme.domain.resources import ResourceKind
from hjemme.domain.tasks import Task, TaskKind
from hjemme.planning.validate import validate_plan
from tests.planning.handbuilt import BREAK, H, L, m, provider, resources, stop, tasks, valid_plan, window


def rules(plan: Plan, task_list: list[Task] | None = None, resource_list=None) -> set[str]:
    violations = validate_plan(plan, task_list or tasks(), resource_list or resources(), provider(), L)
    return {v.rule for v in violations}


def with_stops(plan: Plan, resource_id: str, stops: tuple[Stop, ...]) -> Plan:
    routes = tuple(replace(r, stops=stops) if r.resource_id == resource_id else r for r in plan.routes)
    return replace(plan, routes=routes)


def nurse_stops(plan: Plan) -> list[Stop]:
    return list(plan.routes[0].stops)


def test_the_hand_built_plan_holds():
    """A plan that respects every rule has no violations."""
    assert validate_plan(valid_plan(), tasks(), resources(), provider(), L) == []


def test_window_violated():
    """A visit starting after its window closes is reported."""
    stops = nurse_stops(valid_plan())
    stops[0] = stop("V", "visit", H, "10:30", "10:30", "11:00", ("09:00", "10:00"))
    assert "window" in rules(with_stops(valid_plan(), "n1", tuple(stops)))


def test_fixed_time_holds_and_violated():
    """A fixed-time visit must start exactly at its time."""
    fixed = [replace(t, fixed_time=True) if t.id == "V" else t for t in tasks()]
    assert "window" not in rules(valid_plan(), fixed)
    stops = nurse_stops(valid_plan())
    stops[0] = stop("V", "visit", H, "09:10", "09:10", "09:40", ("09:00", "10:00"))
    stops[1] = stop(None, "lab", L, "09:50", "09:50", "09:52")
    plan = with_stops(valid_plan(), "n1", tuple(stops))
    plan = replace(plan, samples=(SampleJourney("S", m("09:40"), m("09:50"), 120, "n1"),))
    assert rules(plan) == set()
    assert "window" in rules(plan, fixed)


def test_skill_violated():
    """A nurse without the visit's skill may not do it."""
    assert "skill" in rules(valid_plan(), resource_list=resources(skills=("wound",)))


def test_excluded_clinician_violated():
    """A clinician the patient has excluded may not visit them."""
    excluded = [replace(t, excluded_staff_ids=("n1",)) if t.id == "V" else t for t in tasks()]
    assert "skill" in rules(valid_plan(), excluded)


def test_cold_chain_violated():
    """Cold goods on a van without cooling are reported."""
    res = [replace(r, cold_chain=False) if r.id == "v1" else r for r in resources()]
    assert "carrier" in rules(valid_plan(), resource_list=res)


def test_qualified_carrier_holds_on_courier_and_violated_on_van():
    """Cytostatics may go with the qualified courier but not with an ordinary van."""
    qualified = tasks(qualified=True)
    assert "carrier" in rules(valid_plan(), qualified)
    plan = replace(
        valid_plan(),
        routes=(
            valid_plan().routes[0],
            Route("c1", ResourceKind.COURIER, "veh-c1", valid_plan().routes[1].stops),
        ),
    )
    cool = [replace(t, goods=replace(t.goods, cold_chain=False)) if t.goods else t for t in qualified]
    assert rules(plan, cool) == set()


def test_capacity_violated():
    """More goods than the van holds are reported."""
    res = [replace(r, volume_l=10) if r.id == "v1" else r for r in resources()]
    assert "capacity" in rules(valid_plan(), resource_list=res)


def test_precedence_violated():
    """A delivery that ends after its visit starts is reported."""
    late = (stop("D", "delivery", H, "08:55", "08:55", "09:02", ("07:00", "09:00")), BREAK)
    assert "precedence" in rules(with_stops(valid_plan(), "v1", late))


def test_sample_age_violated():
    """A sample that reaches the lab after its stability time is reported."""
    short = [replace(t, sample_stability_min=5) if t.id == "S" else t for t in tasks()]
    plan = replace(valid_plan(), samples=(SampleJourney("S", m("09:30"), m("09:40"), 5, "n1"),))
    assert "sample" in rules(plan, short)


def test_sample_courier_without_pickup_violated():
    """A courier cannot carry a sample it never picked up."""
    plan = replace(valid_plan(), samples=(SampleJourney("S", m("09:30"), m("09:40"), 120, "v1"),))
    assert "sample" in rules(plan)


def test_sample_courier_pickup_holds():
    """A courier who picks the sample up after the visit and drives it to the lab is fine."""
    plan = valid_plan()
    nurse = (plan.routes[0].stops[0], replace(BREAK))
    van = (
        plan.routes[1].stops[0],
        stop("S", "sample", H, "09:30", "09:30", "09:32", ("09:00", "20:00")),
        stop(None, "lab", L, "09:42", "09:42", "09:44"),
        BREAK,
    )
    plan = with_stops(with_stops(plan, "n1", nurse), "v1", van)
    plan = replace(plan, samples=(SampleJourney("S", m("09:30"), m("09:42"), 120, "v1"),))
    assert rules(plan) == set()


def test_task_twice_violated():
    """The same task on two routes is reported."""
    plan = valid_plan()
    twice = with_stops(plan, "v1", plan.routes[1].stops + (plan.routes[0].stops[0],))
    assert "once" in rules(twice)


def test_missing_task_violated_and_unplanned_with_reason_holds():
    """A task neither planned nor listed unplanned is reported; listing it with a reason is fine."""
    plan = with_stops(valid_plan(), "v1", ())
    assert "once" in rules(plan)
    listed = replace(plan, unplanned=(Unplanned("D", "ingen kjølebil på vakt"),))
    listed = replace(listed, kpis=replace(listed.kpis, tasks_planned=2))
    assert rules(listed) == set()


def test_travel_time_violated():
    """Arriving sooner than the provider's travel time allows is reported."""
    res = resources(shift=("08:55", "16:00"))
    assert "travel" in rules(valid_plan(), resource_list=res)


def test_shift_end_violated():
    """Returning to base after the shift ends is reported."""
    assert "shift" in rules(valid_plan(), resource_list=resources(shift=("08:00", "11:00")))


def test_max_work_violated():
    """Working longer than allowed is reported."""
    assert "shift" in rules(valid_plan(), resource_list=resources(max_work_min=100))


def test_break_missing_and_outside_window_violated():
    """A route without its break, or with the break outside the window, is reported."""
    stops = nurse_stops(valid_plan())
    assert "break" in rules(with_stops(valid_plan(), "n1", tuple(stops[:2])))
    early = stop(None, "break", None, "10:00", "10:00", "10:30", ("11:00", "13:00"))
    assert "break" in rules(with_stops(valid_plan(), "n1", (*stops[:2], early)))


def test_break_must_leave_room_for_the_drive():
    """A break squeezed between two stops without time to drive is reported."""
    squeezed = (
        stop("V", "visit", H, "10:00", "10:00", "10:30", ("09:00", "10:00")),
        stop(None, "break", None, "10:30", "10:30", "11:00", ("10:30", "13:00")),
        stop(None, "lab", L, "11:00", "11:00", "11:02"),
    )
    plan = with_stops(valid_plan(), "n1", squeezed)
    plan = replace(plan, samples=(SampleJourney("S", m("10:30"), m("11:00"), 120, "n1"),))
    res = resources(break_window=("10:30", "13:00"))
    assert rules(plan, resource_list=res) == {"break"}
    roomy = (*squeezed[:2], stop(None, "lab", L, "11:10", "11:10", "11:12"))
    plan = replace(
        with_stops(plan, "n1", roomy), samples=(SampleJourney("S", m("10:30"), m("11:10"), 120, "n1"),)
    )
    assert rules(plan, resource_list=res) == set()


def test_video_needs_no_travel():
    """A video consultation is held where the clinician is, without a drive."""
    video = Task(
        id="C",
        kind=TaskKind.VIDEO,
        patient_id="p1",
        enrolment_id="e1",
        pathway_id="x",
        location=H,
        duration_min=20,
        window=window("08:00", "09:00"),
        skill="nursing",
    )
    stops = nurse_stops(valid_plan())
    with_video = (stop("C", "video", H, "08:00", "08:00", "08:20", ("08:00", "09:00")), *stops)
    plan = replace(
        with_stops(valid_plan(), "n1", with_video),
        kpis=replace(valid_plan().kpis, tasks_total=4, tasks_planned=4),
    )
    assert rules(plan, [*tasks(), video]) == set()
