"""What the scenario outputs call things, in bokmål and English (issue 14 items 6 and 7).

Sheet names are full words, not codes cut at Excel's 31 characters: each is chosen short enough
(``SHEET_NAMES`` is checked against the limit in the tests). The long labels are the charts'
titles and the first row of each metric's sheet.
"""

from __future__ import annotations

from hjemme.scenario.summary import ALTERNATIVE_LABELS_NB, METRIC_LABELS_NB

EXCEL_SHEET_NAME_MAX = 31

METRIC_LABELS_EN = {
    "patients_at_home": "Patients at home per day",
    "transports_per_week": "Transports (stops at a patient) per week",
    "trips_per_week": "Vehicle trips per week",
    "deliveries_per_patient_week": "Deliveries per patient per week",
    "vehicles": "Vehicles",
    "km_per_year": "Km driven per year",
    "co2_tonnes_per_year": "CO₂ from driving (tonnes per year)",
    "storage_m2": "Storage area OUS must provide (m²)",
    "risk_pooling_saving_m2": "Storage area saved by pooled stock (m²)",
    "safety_stock_l": "Safety stock (litres)",
    "clinical_fte": "Clinical FTEs (incl. health staff's logistics)",
    "health_staff_logistics_hours_per_week": "Health staff's hours on logistics per week",
    "cost_nok_per_year": "Cost (NOK per year)",
}
ALTERNATIVE_LABELS_EN = {
    "alt1": "Alt 1 – logistics centre",
    "alt2": "Alt 2 – direct deliveries",
    "alt3": "Alt 3 – clinical areas and supply centre",
}
METRIC_SHEETS = {
    "nb": {
        "patients_at_home": "Pasienter hjemme per dag",
        "transports_per_week": "Transporter per uke",
        "trips_per_week": "Kjøreturer per uke",
        "deliveries_per_patient_week": "Leveranser per pasient og uke",
        "vehicles": "Kjøretøy",
        "km_per_year": "Kjørte km per år",
        "co2_tonnes_per_year": "CO₂ per år (tonn)",
        "storage_m2": "Lagerareal (m²)",
        "risk_pooling_saving_m2": "Areal spart ved felles lager",
        "safety_stock_l": "Sikkerhetslager (liter)",
        "clinical_fte": "Kliniske årsverk",
        "health_staff_logistics_hours_per_week": "Helsepersonells logistikktimer",
        "cost_nok_per_year": "Kostnad per år (NOK)",
    },
    "en": {
        "patients_at_home": "Patients at home per day",
        "transports_per_week": "Transports per week",
        "trips_per_week": "Vehicle trips per week",
        "deliveries_per_patient_week": "Deliveries per patient-week",
        "vehicles": "Vehicles",
        "km_per_year": "Km driven per year",
        "co2_tonnes_per_year": "CO₂ per year (tonnes)",
        "storage_m2": "Storage area (m²)",
        "risk_pooling_saving_m2": "Area saved by pooled stock",
        "safety_stock_l": "Safety stock (litres)",
        "clinical_fte": "Clinical FTEs",
        "health_staff_logistics_hours_per_week": "Health staff logistics hours",
        "cost_nok_per_year": "Cost per year (NOK)",
    },
}
SHEET_NAMES = {
    "nb": {"summary": "Sammendrag", "assumptions": "Forutsetninger", "deep": "Dyp modus"},
    "en": {"summary": "Summary", "assumptions": "Assumptions", "deep": "Deep mode"},
}
HEADERS = {
    "nb": {
        "year": "År",
        "alternative": "Alternativ",
        "metric": "Nøkkeltall",
        "p10": "P10",
        "p50": "P50 (median)",
        "p90": "P90",
        "key": "Nøkkel i scenariofilen",
        "value": "Verdi",
        "low": "Lav",
        "likely": "Sannsynlig",
        "high": "Høy",
        "unit": "Enhet",
        "source": "Kilde",
        "owner": "Eier",
        "note": "Merknad",
        "days": "Dager",
        "fast_stops_per_day": "Stopp per dag (rask)",
        "deep_stops_per_day": "Stopp per dag (dyp)",
        "fast_km_per_day": "Km per dag (rask)",
        "deep_km_per_day": "Km per dag (dyp)",
        "km_difference_pct": "Avvik i km (%)",
        "fast_vehicles": "Kjøretøy (rask)",
        "deep_vehicles": "Kjøretøy (dyp)",
        "unplanned_per_day": "Uplanlagte per dag",
        "validator_violations": "Brudd funnet av validatoren",
    },
    "en": {
        "year": "Year",
        "alternative": "Alternative",
        "metric": "Measure",
        "p10": "P10",
        "p50": "P50 (median)",
        "p90": "P90",
        "key": "Key in the scenario file",
        "value": "Value",
        "low": "Low",
        "likely": "Likely",
        "high": "High",
        "unit": "Unit",
        "source": "Source",
        "owner": "Owner",
        "note": "Note",
        "days": "Days",
        "fast_stops_per_day": "Stops per day (fast)",
        "deep_stops_per_day": "Stops per day (deep)",
        "fast_km_per_day": "Km per day (fast)",
        "deep_km_per_day": "Km per day (deep)",
        "km_difference_pct": "Difference in km (%)",
        "fast_vehicles": "Vehicles (fast)",
        "deep_vehicles": "Vehicles (deep)",
        "unplanned_per_day": "Unplanned per day",
        "validator_violations": "Violations found by the validator",
    },
}
AXIS_YEAR = {"nb": "År", "en": "Year"}


def metric_label(metric: str, language: str) -> str:
    labels = METRIC_LABELS_NB if language == "nb" else METRIC_LABELS_EN
    return labels.get(metric, metric)


def alternative_label(alternative: str, language: str) -> str:
    labels = ALTERNATIVE_LABELS_NB if language == "nb" else ALTERNATIVE_LABELS_EN
    return labels.get(alternative, alternative)


def metric_sheet(metric: str, language: str) -> str:
    """The metric's sheet name: short full words (a code only for a metric nobody named, cut to fit)."""
    return METRIC_SHEETS[language].get(metric, metric)[:EXCEL_SHEET_NAME_MAX]
