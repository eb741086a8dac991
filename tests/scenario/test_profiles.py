"""Hand-computed transports for small, fixed pathways under the three consolidation rules."""

from __future__ import annotations

import dataclasses

import pytest

from hjemme.catalogue import load_catalogue
from hjemme.domain.pathways import DaySchedule, DeliverySpec, GoodsLine, LengthOfStay, Pathway, ServiceKind
from hjemme.domain.time import TimeWindow
from hjemme.scenario.config import ScenarioConfig
from hjemme.scenario.fast import evaluate
from hjemme.scenario.model import build_model, sample_params
from hjemme.scenario.profiles import FlowSpec, build_profile

WINDOW = TimeWindow(8 * 60, 16 * 60)


def _pathway(consumable_schedule: DaySchedule) -> Pathway:
    """Seven days at home; a (non-qualified) medicine every day, gloves on ``consumable_schedule``."""
    return Pathway(
        id="hand", name="Hand case", name_nb="Håndregnet", service_kind=ServiceKind.AHS,
        clinic="haematology", diagnosis_code="Z00", diagnosis_text="test",
        length_of_stay=LengthOfStay(7, 7, 7),
        deliveries=(
            DeliverySpec((GoodsLine("furosemide_tablets", 1),), WINDOW, DaySchedule(every_days=1)),
            DeliverySpec((GoodsLine("gloves_box", 1),), WINDOW, consumable_schedule),
        ),
        share_of_kind=1.0,
    )


def _flows(node_consumable: str, node_medicine: str, consumable_frequency: int = 7) -> tuple[FlowSpec, ...]:
    return (
        FlowSpec("consumable", None, node_consumable, consumable_frequency),
        FlowSpec("sample_kit", None, node_consumable, consumable_frequency),
        FlowSpec("medicine", None, node_medicine, 7),
        FlowSpec("mtu", None, node_medicine, 7),
    )


def test_ten_patients_fixed_schedule_give_hand_computed_transports() -> None:
    """Medicine daily + gloves on days 0, 3, 6 for 7 days: Alt 1 merges to 7 stops per stay, per-node models make 10.

    Ten patients at home → Alt 1: 10 × 7/7 × 7 = 70 per week; Alt 2/3 (two nodes): 10 × 10/7 × 7 = 100.
    """
    cat = load_catalogue()
    pathway = _pathway(DaySchedule(every_days=3))
    alt1 = build_profile(pathway, pathway.length_of_stay, _flows("logistics_centre", "logistics_centre"),
                         "per_patient_day", cat.products, cat.device_types)
    alt2 = build_profile(pathway, pathway.length_of_stay, _flows("supply_centre", "pharmacy_radium"),
                         "per_node", cat.products, cat.device_types)
    alt3 = build_profile(pathway, pathway.length_of_stay, _flows("supply_centre", "clinic"),
                         "per_node", cat.products, cat.device_types)
    assert 10 * alt1.stops * 7 == pytest.approx(70.0)
    assert 10 * alt2.stops * 7 == pytest.approx(100.0)
    assert 10 * alt3.stops * 7 == pytest.approx(100.0)
    assert alt2.nodes["supply_centre"].deliveries * 7 == pytest.approx(3.0)
    assert alt2.nodes["pharmacy_radium"].deliveries * 7 == pytest.approx(7.0)
    assert alt1.visits == 0 and alt1.units["gloves_box"] * 7 == pytest.approx(3.0)


def test_twice_weekly_flow_batches_daily_needs_as_hand_computed() -> None:
    """Gloves needed daily from a Monday/Thursday flow: 1 + 2 − 2/7 = 19/7 deliveries per 7-day stay, averaged over start weekdays."""
    cat = load_catalogue()
    pathway = dataclasses.replace(_pathway(DaySchedule(every_days=1)), deliveries=(
        DeliverySpec((GoodsLine("gloves_box", 1),), WINDOW, DaySchedule(every_days=1)),
    ))
    profile = build_profile(pathway, pathway.length_of_stay, _flows("supply_centre", "pharmacy_radium", 2),
                            "per_node", cat.products, cat.device_types)
    assert profile.deliveries * 7 == pytest.approx(19 / 7)
    assert 10 * profile.stops * 7 == pytest.approx(190 / 7)


def test_hand_case_through_the_full_model(default_config: ScenarioConfig) -> None:
    """Evaluating ten hand-case patients with the default scenario (daily flows) gives 70 / 100 / 100 transports per week."""
    cat = load_catalogue()
    pathway = _pathway(DaySchedule(every_days=3))
    models = {}
    for alt, dm in default_config.delivery_models.items():
        flows = [f.model_copy(update={"frequency_per_week": 7}) for f in dm.flows]
        models[alt] = dm.model_copy(update={"flows": flows})
    config = default_config.model_copy(update={"delivery_models": models})
    model = build_model(config, dataclasses.replace(cat, pathways={"hand": pathway}))
    params = sample_params(config, None)
    got = {alt: evaluate(model, params, {"hand": 10.0}, alt, 2030)["transports_per_week"]
           for alt in ("alt1", "alt2", "alt3")}
    assert got == pytest.approx({"alt1": 70.0, "alt2": 100.0, "alt3": 100.0})
