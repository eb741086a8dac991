"""The day's work: tasks caused by active enrolments."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hjemme.catalogue import load_catalogue
from hjemme.domain.people import Enrolment
from hjemme.domain.tasks import Task, TaskKind
from hjemme.domain.workload import tasks_for_day
from tests.helpers import make_patient

CATALOGUE = load_catalogue()
DATE = dt.date(2026, 11, 23)


def _tasks(pathway_id: str, day: int, length: int, **patient_kwargs: object) -> list[Task]:
    patient = make_patient(**patient_kwargs)  # type: ignore[arg-type]
    enrolment = Enrolment("E1", patient.id, pathway_id, DATE - dt.timedelta(days=day), length)
    return tasks_for_day(
        DATE, [enrolment], {patient.id: patient}, CATALOGUE.pathways, CATALOGUE.products,
        CATALOGUE.device_types,
    )


def _by_kind(tasks: list[Task], kind: TaskKind) -> list[Task]:
    return [t for t in tasks if t.kind is kind]


def test_ahs_blood_day_two_has_visit_sample_and_cytostatics_before_the_visit() -> None:
    """On day 2 an AHS blood patient gets a nurse visit, a blood sample and a qualified cytostatics delivery first."""
    tasks = _tasks("ahs_blood", day=2, length=10)
    (visit,) = _by_kind(tasks, TaskKind.VISIT)
    (sample,) = _by_kind(tasks, TaskKind.SAMPLE)
    (delivery,) = _by_kind(tasks, TaskKind.DELIVERY)
    assert visit.skill == "oncology" and visit.duration_min == 45
    assert sample.taken_at == visit.id and sample.sample_stability_min == 240
    assert delivery.goods is not None and delivery.goods.qualified_carrier and delivery.goods.cold_chain
    assert delivery.before == (visit.id,)
    assert [(line.product_id, line.quantity) for line in delivery.goods.lines] == [("cytostatic_infusion", 1)]


def test_first_day_brings_devices_and_splits_qualified_goods() -> None:
    """Day 0 of AHS blood: ordinary goods and devices in one delivery, cytostatics in a second, qualified one."""
    tasks = _tasks("ahs_blood", day=0, length=10)
    deliveries = {t.id.rsplit("-", 1)[1]: t for t in _by_kind(tasks, TaskKind.DELIVERY)}
    assert set(deliveries) == {"D", "DQ"}
    ordinary = deliveries["D"].goods
    assert ordinary is not None and not ordinary.qualified_carrier
    products = {line.product_id: line.quantity for line in ordinary.lines}
    assert products["infusion_pump"] == 1 and products["thermometer"] == 1 and products["syringe_10ml"] == 10
    # hand-computed: 10×0.03 + 10×0.03 + 3×0.25 + 1.2 + 2.2 + 7×0.2 + 0.05 + 4.0 + 0.3 = 10.5 litres
    assert ordinary.volume_l == pytest.approx(10.5)


def test_last_day_picks_up_devices() -> None:
    """On the last day of a heart-failure follow-up the device kit is collected again."""
    tasks = _tasks("dho_heart_failure", day=29, length=30)
    (pickup,) = _by_kind(tasks, TaskKind.PICKUP)
    assert pickup.goods is not None
    assert {line.product_id for line in pickup.goods.lines} == {"weight_scale", "bp_monitor", "tablet_kit"}
    assert not pickup.mandatory


def test_device_due_for_service_is_swapped() -> None:
    """An oxygen concentrator (30-day service) in a 40-day stay is swapped on day 30, not before."""
    swaps_day_30 = _by_kind(_tasks("ahs_lung", day=30, length=40), TaskKind.DEVICE_SWAP)
    assert [t.goods.lines[0].product_id for t in swaps_day_30 if t.goods] == ["oxygen_concentrator"]
    assert _by_kind(_tasks("ahs_lung", day=29, length=40), TaskKind.DEVICE_SWAP) == []


def test_interpreter_flag_travels_with_visits_and_videos() -> None:
    """A patient needing an interpreter has the flag on every visit and video consultation."""
    tasks = _tasks("ahs_lung", day=1, length=6, needs_interpreter=True)
    clinical = [t for t in tasks if t.kind in (TaskKind.VISIT, TaskKind.VIDEO)]
    assert clinical and all(t.interpreter for t in clinical)


def test_self_sampling_makes_no_collection_task() -> None:
    """Self-sampled specimens are posted to the lab, so no visit or sample task is created."""
    tasks = _tasks("self_sampling", day=2, length=56)
    assert _by_kind(tasks, TaskKind.SAMPLE) == [] and _by_kind(tasks, TaskKind.VISIT) == []


def test_inactive_enrolments_make_no_tasks() -> None:
    """Enrolments that ended yesterday or start tomorrow cause no work today."""
    patient = make_patient()
    ended = Enrolment("E1", patient.id, "palliative", DATE - dt.timedelta(days=5), 5)
    future = Enrolment("E2", patient.id, "palliative", DATE + dt.timedelta(days=1), 5)
    assert tasks_for_day(
        DATE, [ended, future], {patient.id: patient}, CATALOGUE.pathways, CATALOGUE.products,
        CATALOGUE.device_types,
    ) == []


@settings(max_examples=60, deadline=None)
@given(
    pathway_id=st.sampled_from(sorted(CATALOGUE.pathways)),
    length=st.integers(1, 120),
    data=st.data(),
)
def test_every_pathway_yields_valid_tasks(pathway_id: str, length: int, data: st.DataObject) -> None:
    """Any day of any pathway gives well-formed tasks whose references and skills resolve."""
    day = data.draw(st.integers(0, length - 1))
    tasks = _tasks(pathway_id, day=day, length=length)
    ids = {t.id for t in tasks}
    assert len(ids) == len(tasks)
    for task in tasks:
        assert task.duration_min > 0
        assert task.window.start_min <= task.window.end_min
        if task.kind in (TaskKind.VISIT, TaskKind.VIDEO):
            assert task.skill in CATALOGUE.skills
        if task.kind in (TaskKind.DELIVERY, TaskKind.PICKUP, TaskKind.DEVICE_SWAP):
            assert task.goods is not None and task.goods.volume_l > 0
        if task.kind is TaskKind.SAMPLE:
            assert task.taken_at in ids and task.sample_stability_min
        for later in task.before:
            assert later in ids
