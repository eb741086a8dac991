"""Every number of a scenario with where it comes from (issue 15, item 1).

Management chooses a delivery model from these numbers, so each must say where it comes from: a
document and section, a public statistic, or the word ``assumption`` — and an assumption must name
the role that answers for it (``owner``) and how wrong it may be (``low``/``high``).

The walk is over the plain mapping (the YAML as read, or ``config.model_dump()``), so it finds every
number, also one a later key adds that the pydantic models do not call an :class:`Assumption`:

* an *assumption object* is a mapping with ``value`` or ``low``/``likely``/``high``; it carries its
  own ``source`` and ``owner``;
* any other number (a flow's ``frequency_per_week``, a Table 1 share, a year's electric share) takes
  the ``source``/``owner`` of the nearest enclosing mapping that has one; a block whose source is the
  word "assumption" cannot give its numbers a range, so its numbers are reported as problems;
* run settings (``years``, ``seed``, ``replications``) are not assumptions.

Pure functions, no I/O: :func:`list_assumptions` feeds ``hjemme scenario assumptions``, the report's
appendix and the sensitivity analysis; :func:`provenance_problems` is what the tests and
``--check`` fail on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hjemme.scenario.config import ScenarioConfig

RUN_SETTINGS = frozenset({"years", "seed", "replications"})
_NUMBER_KEYS = ("value", "low", "likely", "high")
_PROVENANCE_KEYS = frozenset({"source", "owner", "note", "unit"})


@dataclass(frozen=True, slots=True)
class AssumptionRow:
    """One number of a scenario: where it sits, how big it is, and who answers for it."""

    path: str  # dotted key path, lists as [i]: delivery_models.alt1.flows[0].pack_min_per_delivery
    value: float | None
    low: float | None
    likely: float | None
    high: float | None
    unit: str
    source: str
    owner: str
    note: str = ""

    @property
    def kind(self) -> str:
        """``assumption`` (to be calibrated) or ``citation`` (document, section or statistic)."""
        return "assumption" if is_assumption_source(self.source) else "citation"

    @property
    def uncertain(self) -> bool:
        """Given as a range with ``low < high``: it is sampled and enters the sensitivity analysis."""
        return self.low is not None and self.high is not None and self.low < self.high

    @property
    def central(self) -> float:
        return float(self.value if self.value is not None else self.likely)  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.path,
            "value": self.value,
            "low": self.low,
            "likely": self.likely,
            "high": self.high,
            "unit": self.unit,
            "source": self.source,
            "owner": self.owner,
            "note": self.note,
            "kind": self.kind,
        }


def is_assumption_source(source: str) -> bool:
    """A source that is the word "assumption" (possibly with a remark) rather than a citation."""
    return source.strip().lower().startswith(("assumption", "antakelse"))


def plain(config: ScenarioConfig | Mapping[str, Any]) -> Mapping[str, Any]:
    """The scenario as a plain mapping, the shape of its YAML file."""
    if isinstance(config, ScenarioConfig):
        return config.model_dump(exclude_none=True)
    return config


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_assumption_object(value: Any) -> bool:
    return isinstance(value, Mapping) and any(k in value for k in _NUMBER_KEYS) and "source" in value


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _walk(
    obj: Any,
    path: str,
    block: Mapping[str, Any] | None,
    out: list[AssumptionRow],
    problems: list[tuple[str, str]],
) -> None:
    if _is_assumption_object(obj):
        row = AssumptionRow(
            path=path,
            value=_float(obj.get("value")),
            low=_float(obj.get("low")),
            likely=_float(obj.get("likely")),
            high=_float(obj.get("high")),
            unit=str(obj.get("unit", "")),
            source=str(obj.get("source", "")).strip(),
            owner=str(obj.get("owner", "")).strip(),
            note=str(obj.get("note", "")),
        )
        out.append(row)
        problems.extend((path, p) for p in _row_problems(row, ranged_possible=True))
        return
    if isinstance(obj, Mapping):
        inner = obj if "source" in obj else block
        for key, value in obj.items():
            if not path and key in RUN_SETTINGS:
                continue
            if key in _PROVENANCE_KEYS and inner is obj:
                continue
            _walk(value, _join(path, key), inner, out, problems)
        return
    if isinstance(obj, list | tuple):
        for i, value in enumerate(obj):
            _walk(value, f"{path}[{i}]", block, out, problems)
        return
    if _is_number(obj):
        if block is None:
            row = AssumptionRow(path, float(obj), None, None, None, "", "", "")
            out.append(row)
            problems.append(
                (
                    path,
                    "a number without a source: give it {value, source, owner} or put it "
                    "in a block that has a source",
                )
            )
            return
        row = AssumptionRow(
            path,
            float(obj),
            None,
            None,
            None,
            str(block.get("unit", "")),
            str(block.get("source", "")).strip(),
            str(block.get("owner", "")).strip(),
        )
        out.append(row)
        problems.extend((path, p) for p in _row_problems(row, ranged_possible=False))


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _row_problems(row: AssumptionRow, *, ranged_possible: bool) -> list[str]:
    problems = []
    if not row.source:
        problems.append("no source")
    if not row.owner:
        problems.append("no owner")
    if row.source and is_assumption_source(row.source):
        if not ranged_possible:
            problems.append(
                "sourced as an assumption but cannot carry low/high here: cite a document, "
                "or make it an assumption object {low, likely, high, source, owner}"
            )
        elif row.low is None or row.high is None:
            problems.append("an assumption needs a low/high range (give low, likely and high)")
    return problems


def list_assumptions(config: ScenarioConfig | Mapping[str, Any]) -> list[AssumptionRow]:
    """Every number of the scenario (run settings aside) in file order, with its provenance."""
    rows: list[AssumptionRow] = []
    _walk(plain(config), "", None, rows, [])
    return rows


def provenance_problems(config: ScenarioConfig | Mapping[str, Any]) -> list[tuple[str, str]]:
    """(key path, problem) for every number without a proper source; empty when all are sourced."""
    rows: list[AssumptionRow] = []
    problems: list[tuple[str, str]] = []
    _walk(plain(config), "", None, rows, problems)
    return problems


# --- names people read ------------------------------------------------------------------------

LEAF_LABELS_NB = {
    "admissions_per_year": "innleggelser per år ved OUS",
    "outpatient_consultations_per_year": "polikliniske konsultasjoner per år ved OUS",
    "achievement": "måloppnåelse for tabell 1",
    "in_scope_share": "andel som hører til katalogens forløp",
    "pack_min_per_delivery": "pakkeminutter per leveranse",
    "fee_nok_per_delivery": "PPL-gebyr per leveranse",
    "fixed_area_m2": "fast areal",
    "rent_nok_per_m2_year": "husleie per m²",
    "order_min_per_patient_week": "helsepersonells bestillingstid per pasientuke",
    "fixed_cost_nok_per_year": "faste driftskostnader",
    "shelf_location_volume_l": "volum per hylleplass",
    "shelf_m2_per_location": "areal per hylleplass",
    "pallet_location_volume_l": "volum per pallplass",
    "pallet_m2_per_location": "areal per pallplass",
    "pallet_threshold_unit_volume_l": "enhetsvolum som lagres på pall",
    "fill_rate": "fyllingsgrad på lagerplassene",
    "service_level": "servicegrad for sikkerhetslageret",
    "capacity_l": "lastevolum per bil",
    "load_factor": "utnyttelse av lastevolumet",
    "cost_nok_per_km": "bilkostnad per km",
    "annual_cost_nok": "årskostnad per bil",
    "co2_kg_per_km_fossil": "CO₂ per km for fossil bil",
    "co2_kg_per_km_electric": "CO₂ per km for elbil",
    "electric_share": "elandel i bilparken",
    "speed_kmh": "gjennomsnittsfart",
    "road_factor": "veifaktor (vei-km per luftlinje-km)",
    "tour_constant": "turkonstant (Beardwood–Halton–Hammersley)",
    "service_min_per_stop": "minutter per stopp",
    "shift_hours": "skiftlengde",
    "peak_factor": "toppfaktor for travleste dag",
    "driver_cost_nok_per_hour": "sjåførkostnad per time",
    "hours_per_fte_year": "timer per årsverk",
    "productive_share": "produktiv andel av arbeidstiden",
    "clinical_cost_nok_per_hour": "timekostnad for helsepersonell",
    "logistics_cost_nok_per_hour": "timekostnad for logistikkpersonell",
    "travel_min_per_visit": "reisetid per hjemmebesøk",
    "video_overhead_min": "ekstra minutter per videokonsultasjon",
    "frequency_per_week": "leveringer per uke",
    "lead_time_days": "ledetid (dager)",
    "replenishment_days": "dager mellom påfyll",
    # issue 15, items 3-7: the rest of the workload, areas, transition, economics and targets
    "transition_year": "overgangsår (første år i drift)",
    "investment_nok": "investering",
    "setup_cost_nok": "etableringskostnad",
    "available_area_from_year": "år arealgrensen gjelder fra",
    "available_area_m2": "ledig areal i sykehusbygget",
    "km_per_visit": "helsepersonells km per hjemmebesøk",
    "shares": "andel i tabell 1",
    "courier_share": "andel prøver som hentes av kurer",
    "consultation_min": "minutter per video- eller telefonkonsultasjon",
    "alarm_share_of_measurements": "andel målinger som gir alarm",
    "min_per_alarm": "minutter per alarm",
    "review_min_per_monitored_patient_day": "gjennomgang per overvåket pasientdag (min)",
    "response_centre_hours_per_week": "responssenterets åpningstid per uke",
    "response_centre_min_staffed": "minste bemanning i responssenteret",
    "video_hours_per_week": "åpningstid for video og telefon per uke",
    "workstation_utilisation": "utnyttelse av arbeidsplassene",
    "workstation_m2": "areal per arbeidsplass",
    "pick_station_m2": "areal per pakkeplass",
    "station_hours_per_day": "timer per pakkeplass per dag",
    "goods_in_m2_per_m3_day": "varemottak: m² per m³ om dagen",
    "returns_hold_days": "dager returer venter",
    "mtu_cleaning_min_per_device": "MTU-vask: minutter per enhet",
    "mtu_cleaning_station_m2": "areal per vaskeplass for MTU",
    "window_factor": "tidsvindusfaktor (kalibrert)",
    "km_calibration": "km-faktor for lokale turer (kalibrert)",
    "trip_km": "km per tur for å nå området (kalibrert)",
    "discount_rate": "kalkulasjonsrente",
    "npv_first_year": "nåverdiens første år",
    "npv_last_year": "nåverdiens siste år",
    "home_share": "mål: andel av aktiviteten hjemme",
    "digital_share": "mål: andel konsultasjoner på video eller telefon",
}
KIND_NB = {"ahs": "AHS", "ambulant": "ambulant", "dho": "digital oppfølging"}
SITE_NB = {"aker": "Aker", "rikshospitalet": "Rikshospitalet", "radiumhospitalet": "Radiumhospitalet",
           "ulleval": "Ullevål"}
NODE_NB = {
    "logistics_centre": "logistikksenteret",
    "supply_centre": "forsyningssenteret",
    "mhb": "MHB",
    "pharmacy_radium": "sykehusapoteket",
    "clinic": "klinikkene",
}


def describe(path: str) -> str:
    """A Norwegian name for the number at ``path``: ``Alt 1: helsepersonells bestillingstid …``.

    Keys the table does not know (a key added later) are shown with spaces for underscores.
    """
    parts = [p for p in path.replace("[", ".[").split(".") if p]
    words = [p for p in parts if not p.startswith("[")]
    leaf = words[-1] if words else path
    year = None
    if leaf.isdigit() and len(words) >= 2:
        year, leaf = leaf, words[-2]
    qualifier = None
    parent = -2 if year is None else -3
    if len(words) >= -parent and words[parent] in ("km_per_visit", "shares", "available_area_m2"):
        # a per-kind or per-site number: named by its parent, the kind or site in brackets
        qualifier, leaf = leaf, words[parent]
    label = LEAF_LABELS_NB.get(leaf, leaf.replace("_", " "))
    if qualifier is not None:
        label = f"{label} ({KIND_NB.get(qualifier, SITE_NB.get(qualifier, qualifier.replace('_', ' ')))})"
    if year is not None:
        label = f"{label} {year}"
    if words and words[0] == "clinician_travel" and leaf != "km_per_visit":
        label = f"helsepersonells biler: {label}"
    if "scope" in words and len(words) >= 2 and words[1] in KIND_NB:
        label = f"{KIND_NB[words[1]]}: {label}"
    if "nodes" in words:
        node = words[words.index("nodes") + 1]
        label = f"{label} ({NODE_NB.get(node, node.replace('_', ' '))})"
    if words and words[0] == "delivery_models" and len(words) > 1 and words[1].startswith("alt"):
        label = f"Alt {words[1][3:]}: {label}"
    return label[0].upper() + label[1:]
