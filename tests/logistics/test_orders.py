"""Order suggestions from the pathways: bills of materials, netting, sourcing, bundling, accepting."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hjemme.catalogue import load_catalogue
from hjemme.domain.people import Enrolment
from hjemme.domain.tasks import TaskKind
from hjemme.errors import InputError
from hjemme.logistics.orders import (
    LineStatus,
    OrderParams,
    OrderSuggestionResult,
    accept_lines,
    adjust_line,
    delivery_tasks,
    reject_lines,
    suggest_orders,
)
from hjemme.logistics.sourcing import DeliveryModel, SourcingParams
from tests.helpers import make_patient

CATALOGUE = load_catalogue()
START = dt.date(2026, 11, 23)

# Hand-computed from the pathway YAML files: units needed over days 0..13 of a 20-day stay
# (ahs_children: an 8-day stay). Weekly lines fall on days 0 and 7, every-2-days lines on
# 0, 2, ..., 12 (7 times); devices come on day 0.
EXPECTED_14_DAYS: dict[str, dict[str, int]] = {
    "ahs_blood": {
        "cytostatic_infusion": 7, "syringe_10ml": 20, "saline_flush": 20, "iv_giving_set": 6,
        "gloves_box": 2, "sharps_container": 2, "blood_sample_kit": 14, "antiemetic_tablets": 2,
        "infusion_pump": 1, "thermometer": 1,
    },
    "ahs_children": {
        "antibiotic_paediatric_iv": 16, "iv_giving_set": 4, "saline_flush": 10, "iv_cannula": 2,
        "chlorhexidine_swab": 20, "gloves_box": 1, "blood_sample_kit": 3, "thermometer": 1,
    },
    "ahs_lung": {
        "nasal_cannula": 2, "oxygen_tubing": 1, "oximeter_probe": 2, "blood_sample_kit": 4,
        "oxygen_concentrator": 1, "pulse_oximeter": 1, "tablet_kit": 1,
    },
    "ambulant_rehab": {},
    "dho_copd": {"pulse_oximeter": 1, "tablet_kit": 1, "spirometer": 1},
    "dho_heart_failure": {"furosemide_tablets": 1, "weight_scale": 1, "bp_monitor": 1, "tablet_kit": 1},
    "front_psychiatry": {},
    "home_dialysis": {
        "dialysis_fluid": 28, "dialysis_tubing_set": 14, "dialysis_drain_bag": 14, "gloves_box": 1,
        "blood_sample_kit": 1, "dialysis_cycler": 1, "bp_monitor": 1, "weight_scale": 1,
    },
    "iv_antibiotics": {
        "antibiotic_pump": 14, "saline_flush": 28, "chlorhexidine_swab": 40, "gloves_box": 2,
        "sharps_container": 2, "blood_sample_kit": 4,
    },
    "palliative": {
        "morphine_ampoule": 70, "midazolam_ampoule": 70, "haloperidol_ampoule": 35,
        "syringe_driver_line": 14, "subcut_needle_set": 14, "incontinence_pads": 4, "gloves_box": 2,
        "sharps_container": 2, "urinary_catheter": 2, "syringe_driver": 1,
    },
    "self_sampling": {"self_sampling_kit": 4},
    "wound_care": {
        "dressing_foam": 20, "dressing_alginate": 12, "compression_bandage": 8, "wound_saline": 6,
        "gloves_box": 2, "incontinence_pads": 2, "clinical_waste_bag": 10,
    },
}


def _suggest(
    pathway_id: str,
    *,
    length: int = 20,
    horizon: int = 14,
    home_stock: dict[str, dict[str, int]] | None = None,
    params: OrderParams | None = None,
    start_offset: int = 0,
) -> OrderSuggestionResult:
    enrolment = Enrolment("E1", "P1", pathway_id, START - dt.timedelta(days=start_offset), length)
    return suggest_orders(
        START, horizon, [enrolment], CATALOGUE.pathways, CATALOGUE.products, CATALOGUE.device_types,
        patients={"P1": make_patient()}, home_stock=home_stock, params=params,
    )


def _totals(result: OrderSuggestionResult) -> dict[str, int]:
    totals: dict[str, int] = {}
    for line in result.lines:
        totals[line.product_id] = totals.get(line.product_id, 0) + line.quantity
    return totals


def test_every_catalogue_pathway_has_a_test() -> None:
    """Each pathway in the catalogue has a hand-computed bill of materials in this file."""
    assert set(EXPECTED_14_DAYS) == set(CATALOGUE.pathways)


@pytest.mark.parametrize("pathway_id", sorted(EXPECTED_14_DAYS))
def test_bill_of_materials_over_fourteen_days_matches_hand_computation(pathway_id: str) -> None:
    """Over 14 days the suggested units per product equal the hand-computed pathway bill of materials."""
    length = 8 if pathway_id == "ahs_children" else 20
    assert _totals(_suggest(pathway_id, length=length)) == EXPECTED_14_DAYS[pathway_id]


def test_horizon_starting_mid_stay_skips_days_already_past() -> None:
    """A patient on day 5 of AHS blood gets no devices and only cytostatics for days 6, 8, ... within the horizon."""
    totals = _totals(_suggest("ahs_blood", start_offset=5, horizon=4))  # stay days 5..8
    assert totals == {
        "cytostatic_infusion": 2,  # days 6 and 8
        "syringe_10ml": 10, "saline_flush": 10, "iv_giving_set": 3, "gloves_box": 1,
        "sharps_container": 1, "blood_sample_kit": 7, "antiemetic_tablets": 1,  # weekly, day 7
    }


def test_stay_ending_inside_horizon_stops_lines() -> None:
    """IV antibiotics over a 5-day stay needs five pumps, even with a 14-day horizon."""
    assert _totals(_suggest("iv_antibiotics", length=5))["antibiotic_pump"] == 5


def test_home_stock_is_netted_earliest_need_first() -> None:
    """Three pumps and five glove boxes at home cover the first three days' pumps and all gloves."""
    result = _suggest("iv_antibiotics", home_stock={"P1": {"antibiotic_pump": 3, "gloves_box": 5}})
    pumps = [line for line in result.lines if line.product_id == "antibiotic_pump"]
    assert sum(line.quantity for line in pumps) == 11
    assert min(line.needed_by for line in pumps) == START + dt.timedelta(days=3)
    assert "gloves_box" not in _totals(result)


def test_partial_home_stock_reduces_one_line() -> None:
    """Four sample kits at home leave three of the seven needed on day 0 of AHS blood."""
    result = _suggest("ahs_blood", horizon=1, home_stock={"P1": {"blood_sample_kit": 4}})
    (kits,) = [line for line in result.lines if line.product_id == "blood_sample_kit"]
    assert (kits.quantity, kits.gross_quantity) == (3, 7)


def test_alt1_sources_everything_from_the_logistics_centre() -> None:
    """Under Alt 1 every line comes from the logistics centre."""
    assert {line.source_site_id for line in _suggest("ahs_blood").lines} == {"logistics_centre"}


def test_alt2_sources_by_category() -> None:
    """Under Alt 2 medicines come from the pharmacy, devices from MHB and consumables from the supply centre."""
    result = _suggest("ahs_blood", params=OrderParams(sourcing=SourcingParams(model=DeliveryModel.ALT2)))
    source = {line.product_id: line.source_site_id for line in result.lines}
    assert source["cytostatic_infusion"] == "pharmacy_radium"
    assert source["antiemetic_tablets"] == "pharmacy_radium"
    assert source["infusion_pump"] == "mhb"
    assert source["syringe_10ml"] == "supply_centre"
    assert source["blood_sample_kit"] == "supply_centre"


def test_alt3_sources_from_the_patients_clinic_store_and_pharmacy() -> None:
    """Under Alt 3 a haematology patient's consumables and devices come from Rikshospitalet, medicines from the pharmacy."""
    result = _suggest("ahs_blood", params=OrderParams(sourcing=SourcingParams(model=DeliveryModel.ALT3)))
    source = {line.product_id: line.source_site_id for line in result.lines}
    assert source["syringe_10ml"] == "rikshospitalet" and source["infusion_pump"] == "rikshospitalet"
    assert source["cytostatic_infusion"] == "pharmacy_radium"


def test_ahs_blood_bundles_two_weeks_of_consumables_but_never_cytostatics() -> None:
    """Two weeks of AHS blood consumables come in one delivery; each of 7 cytostatics doses comes on its own day."""
    deliveries = _suggest("ahs_blood").deliveries()
    ordinary = [d for d in deliveries if not d.id.endswith("-Q")]
    qualified = [d for d in deliveries if d.id.endswith("-Q")]
    assert [d.delivery_date for d in ordinary] == [START]
    assert [d.delivery_date for d in qualified] == [START + dt.timedelta(days=k) for k in range(0, 14, 2)]
    for delivery in qualified:
        assert all(line.needed_by == delivery.delivery_date for line in delivery.lines)


def test_iv_antibiotics_pumps_come_weekly_because_of_seven_day_shelf_life() -> None:
    """Elastomeric pumps (7-day shelf life) come at most 6 days early: deliveries on day 0 and day 7."""
    deliveries = _suggest("iv_antibiotics").deliveries()
    assert [d.delivery_date for d in deliveries] == [START, START + dt.timedelta(days=7)]
    assert all(sum(ln.quantity for ln in d.lines if ln.product_id == "antibiotic_pump") == 7 for d in deliveries)


def test_home_storage_limit_splits_deliveries() -> None:
    """Wound care's 9.44 l a week fits two weeks in 60 l but needs two deliveries with a 10 l cupboard."""
    assert len(_suggest("wound_care").deliveries()) == 1
    assert len(_suggest("wound_care", params=OrderParams(home_storage_limit_l=10.0)).deliveries()) == 2


def test_a_day_bigger_than_the_home_limit_still_comes_on_its_day() -> None:
    """Home dialysis's 150 l delivery exceeds the cupboard but is still delivered on the day it is needed."""
    (delivery,) = _suggest("home_dialysis").deliveries()
    assert delivery.delivery_date == START


@settings(max_examples=30, deadline=None)
@given(
    pathway_id=st.sampled_from(sorted(EXPECTED_14_DAYS)),
    length=st.integers(1, 30),
    offset=st.integers(0, 10),
    horizon=st.integers(1, 21),
    storage_l=st.floats(0.0, 100.0),
    fridge_l=st.floats(0.0, 20.0),
)
def test_bundling_never_brings_goods_that_expire_before_use(
    pathway_id: str, length: int, offset: int, horizon: int, storage_l: float, fridge_l: float
) -> None:
    """No line is delivered after its need or more than its shelf life minus one day before it, and bundling keeps every unit."""
    params = OrderParams(home_storage_limit_l=storage_l, home_fridge_limit_l=fridge_l)
    bundled = _suggest(pathway_id, length=length, start_offset=offset, horizon=horizon, params=params)
    unbundled = _suggest(
        pathway_id, length=length, start_offset=offset, horizon=horizon, params=OrderParams(max_advance_days=0)
    )
    assert _totals(bundled) == _totals(unbundled)
    assert len(bundled.deliveries()) <= len(unbundled.deliveries())
    for line in bundled.lines:
        advance = (line.needed_by - line.delivery_date).days
        assert 0 <= advance
        shelf = CATALOGUE.products[line.product_id].shelf_life_days
        if shelf is not None:
            assert advance <= shelf - 1
        if line.product_id == "cytostatic_infusion":
            assert advance <= 2


def test_accepted_lines_become_delivery_tasks_before_the_visit() -> None:
    """Accepting day 0 of AHS blood gives one ordinary and one qualified delivery task, each before the nurse visit."""
    enrolment = Enrolment("E1", "P1", "ahs_blood", START, 20)
    result = accept_lines(_suggest("ahs_blood"))
    tasks = delivery_tasks(
        result, START, {"P1": make_patient()}, CATALOGUE.pathways, CATALOGUE.products,
        enrolments={"E1": enrolment},
    )
    assert [t.kind for t in tasks] == [TaskKind.DELIVERY, TaskKind.DELIVERY]
    assert all(t.before == ("E1-20261123-V0",) for t in tasks)
    qualified = [t for t in tasks if t.goods is not None and t.goods.qualified_carrier]
    assert len(qualified) == 1


def test_suggested_and_rejected_lines_make_no_tasks() -> None:
    """Only accepted lines turn into tasks; rejected ones vanish from the deliveries."""
    result = _suggest("self_sampling")
    assert delivery_tasks(result, START, {"P1": make_patient()}, CATALOGUE.pathways, CATALOGUE.products) == []
    rejected = reject_lines(accept_lines(result), [result.lines[0].id])
    assert rejected.deliveries() == []
    assert rejected.lines[0].status is LineStatus.REJECTED


def test_adjusting_quantity_and_date_within_shelf_life() -> None:
    """A coordinator can change a line's quantity and bring non-perishable goods earlier."""
    result = _suggest("iv_antibiotics")
    line = next(ln for ln in result.lines if ln.product_id == "gloves_box" and ln.needed_by > START)
    adjusted = adjust_line(result, line.id, CATALOGUE.products, quantity=3, delivery_date=START)
    (changed,) = [ln for ln in adjusted.lines if ln.id == line.id]
    assert (changed.quantity, changed.delivery_date) == (3, START)


def test_adjusting_cytostatics_too_early_is_refused() -> None:
    """Moving a cytostatics dose two days early is refused with a message naming shelf life."""
    result = _suggest("ahs_blood")
    line = next(ln for ln in result.lines if ln.product_id == "cytostatic_infusion" and ln.needed_by > START)
    with pytest.raises(InputError, match="holdbarhet"):
        adjust_line(result, line.id, CATALOGUE.products, delivery_date=line.needed_by - dt.timedelta(days=2))
    with pytest.raises(InputError, match="quantity"):
        adjust_line(result, line.id, CATALOGUE.products, quantity=-1)


def test_unknown_line_ids_are_refused() -> None:
    """Accepting a line id that is not in the suggestion names the unknown id."""
    with pytest.raises(InputError, match="X9"):
        accept_lines(_suggest("self_sampling"), ["X9"])


def test_zero_horizon_is_refused() -> None:
    """A horizon below one day is refused, naming the horizon."""
    with pytest.raises(InputError, match="horizon"):
        _suggest("self_sampling", horizon=0)
