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
    "km_per_year": "Km driven per year, goods (incl. the supplier's carrier)",
    "supplier_carrier_km_per_year": "Km per year by the supplier's carrier",
    "co2_tonnes_per_year": "CO₂ from goods transport (tonnes per year)",
    "clinician_km_per_year": "Health staff's km driven per year",
    "clinician_travel_hours_per_week": "Health staff's travel hours per week",
    "clinician_co2_tonnes_per_year": "CO₂ from health staff's travel (tonnes per year)",
    "sample_transports_per_week": "Sample transports to the lab per week",
    "sample_km_per_year": "Km per year of sample transport",
    "total_km_per_year": "All km driven per year (goods, health staff, samples)",
    "total_co2_tonnes_per_year": "All CO₂ from driving (tonnes per year)",
    "storage_m2": "Storage area OUS must provide (m²)",
    "area_excess_m2": "Area beyond what the hospital buildings have (m²)",
    "infeasible": "Not feasible: too little area (1 = yes)",
    "risk_pooling_saving_m2": "Storage area saved by pooled stock (m²)",
    "safety_stock_l": "Safety stock (litres)",
    "clinical_fte": "Clinical FTEs (incl. health staff's logistics)",
    "health_staff_logistics_hours_per_week": "Health staff's hours on logistics per week",
    "digital_consultations_per_year": "Video and phone consultations per year (all of Table 1)",
    "video_fte": "FTEs for video and phone consultations",
    "alarms_per_day": "Alarms per day to the response centre",
    "response_centre_fte": "FTEs in the response centre",
    "digital_workstations": "Workstations for digital follow-up",
    "digital_workstation_m2": "Area for digital follow-up (m²)",
    "home_activity_share": "Share of OUS activity at home (target 30 %)",
    "digital_consultation_share": "Share of outpatient consultations by video/phone (target 20 %)",
    "cost_nok_per_year": "Cost (NOK per year)",
    "npv_cost_nok": "Net present value of costs 2024–2035 (NOK)",
    "break_even_patients_per_day": "Smallest volume at which Alt 1 pays off (patients per day)",
}
ALTERNATIVE_LABELS_EN = {
    "alt0": "Alt 0 – today",
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
        "supplier_carrier_km_per_year": "Km, leverandørens transportør",
        "clinician_km_per_year": "Helsepersonells km per år",
        "clinician_travel_hours_per_week": "Helsepersonells reisetimer",
        "clinician_co2_tonnes_per_year": "Helsepersonells CO₂ (tonn)",
        "sample_transports_per_week": "Prøvetransporter per uke",
        "sample_km_per_year": "Prøvetransport km per år",
        "total_km_per_year": "Alle kjørte km per år",
        "total_co2_tonnes_per_year": "All CO₂ fra kjøring (tonn)",
        "area_excess_m2": "Areal over det som finnes (m²)",
        "infeasible": "Ikke gjennomførbart",
        "digital_consultations_per_year": "Video og telefon per år",
        "video_fte": "Årsverk video og telefon",
        "alarms_per_day": "Alarmer per dag",
        "response_centre_fte": "Årsverk i responssenteret",
        "digital_workstations": "Arbeidsplasser digital oppf.",
        "digital_workstation_m2": "Areal digital oppfølging (m²)",
        "home_activity_share": "Andel aktivitet hjemme",
        "digital_consultation_share": "Andel video og telefon",
        "npv_cost_nok": "Nåverdi 2024–2035 (NOK)",
        "break_even_patients_per_day": "Minste volum for Alt 1",
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
        "supplier_carrier_km_per_year": "Km by the supplier's carrier",
        "clinician_km_per_year": "Health staff km per year",
        "clinician_travel_hours_per_week": "Health staff travel hours",
        "clinician_co2_tonnes_per_year": "Health staff CO₂ (tonnes)",
        "sample_transports_per_week": "Sample transports per week",
        "sample_km_per_year": "Sample transport km per year",
        "total_km_per_year": "All km driven per year",
        "total_co2_tonnes_per_year": "All CO₂ from driving (t)",
        "area_excess_m2": "Area beyond what exists (m²)",
        "infeasible": "Not feasible",
        "digital_consultations_per_year": "Video and phone per year",
        "video_fte": "FTEs video and phone",
        "alarms_per_day": "Alarms per day",
        "response_centre_fte": "FTEs in the response centre",
        "digital_workstations": "Digital follow-up desks",
        "digital_workstation_m2": "Digital follow-up area (m²)",
        "home_activity_share": "Share of activity at home",
        "digital_consultation_share": "Share by video and phone",
        "npv_cost_nok": "Net present value (NOK)",
        "break_even_patients_per_day": "Smallest volume for Alt 1",
    },
}
SHEET_NAMES = {
    "nb": {
        "summary": "Sammendrag",
        "assumptions": "Forutsetninger",
        "deep": "Dyp modus",
        "mcse": "Monte Carlo-usikkerhet",
    },
    "en": {
        "summary": "Summary",
        "assumptions": "Assumptions",
        "deep": "Deep mode",
        "mcse": "Monte Carlo error",
    },
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
        "replications": "Replikasjoner",
        "mcse": "Standardfeil (MCSE)",
        "mcse_pct": "Standardfeil i % av P50",
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
        "replications": "Replications",
        "mcse": "Standard error (MCSE)",
        "mcse_pct": "Standard error as % of P50",
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
