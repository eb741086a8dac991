"""The pseudonymised research export (issue 12, item 3): measurements, PROMs, pathways, plan KPIs.

What leaves, and why it stays pseudonymous:

* every patient is named by the same keyed pseudonym as the researcher's patient list
  (HMAC-SHA256 under ``HJEMME_RESEARCH_KEY``, never the signing key): no id, name, address,
  phone, birth year or exact date;
* quasi-identifiers are generalised: an age band (ten years by default) instead of a birth year,
  the district or, coarser, its zone (``area``; no coordinates), ISO weeks instead of dates;
  measurements are summarised per patient, parameter and week (count, mean, min, max) rather
  than given one by one with a time;
* the export is refused (:class:`~hjemme.errors.ConflictError`, naming the combination) unless
  every combination of the quasi-identifiers (:data:`QUASI_IDENTIFIERS`) is shared by at least
  ``k`` patients (``HJEMME_RESEARCH_K``, default 5);
* rows are shuffled, so neither row order nor position says anything about patient ids.

Every export is access-logged: one row per patient whose data it holds.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from sqlalchemy import func, select

from hjemme.catalogue import Catalogue, load_catalogue
from hjemme.domain.research import AGE_BAND_YEARS, age_band, check_k_anonymity, iso_week
from hjemme.domain.security import Role
from hjemme.domain.time import local_date
from hjemme.errors import ConflictError, InputError
from hjemme.planning.plan_json import KPI_KEYS
from hjemme.services.access import log_access, pseudonym, require_role
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.monitoring_tables import ObservationRecord, PromResponseRecord
from hjemme.store.tables import PlanRecord

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from hjemme.services.auth import Principal

EXPORTERS = frozenset({Role.RESEARCHER, Role.ADMIN})
FORMATS = ("csv", "parquet")
QUASI_IDENTIFIERS = ("age_band", "area")
"""What a neighbour or a newspaper could know of a patient; pathway and measurements are the
research content (sensitive attributes), ISO weeks are event times, not properties of a person."""
AGE_BAND_CHOICES = (5, 10, 20, 30)
GEOGRAPHIES = ("district", "zone")
"""``area`` is the district id (``district``) or the catalogue's zone of it (``zone``: centre, inner,
outer), the coarser choice when districts make groups too small."""

SCHEMAS: Mapping[str, pa.Schema] = {
    "pathways": pa.schema([
        ("pseudonym", pa.string()), ("age_band", pa.string()), ("area", pa.string()),
        ("pathway_id", pa.string()), ("service_kind", pa.string()), ("diagnosis_code", pa.string()),
        ("start_week", pa.string()), ("length_days", pa.int32()),
    ]),
    "measurements": pa.schema([
        ("pseudonym", pa.string()), ("age_band", pa.string()), ("area", pa.string()),
        ("week", pa.string()), ("parameter", pa.string()), ("unit", pa.string()), ("count", pa.int32()),
        ("mean", pa.float64()), ("min", pa.float64()), ("max", pa.float64()),
    ]),
    "proms": pa.schema([
        ("pseudonym", pa.string()), ("age_band", pa.string()), ("area", pa.string()),
        ("week", pa.string()), ("questionnaire_id", pa.string()), ("score", pa.float64()),
        ("alert", pa.bool_()),
    ]),
    "plan_kpis": pa.schema([
        ("week", pa.string()), ("plan_version", pa.int32()),
        *((key, pa.float64()) for key in KPI_KEYS),
    ]),
}
"""The export's tables and their columns, in the order of ``docs/api.md``."""


class KAnonymityError(ConflictError):
    """The export would hold a quasi-identifier combination shared by fewer than ``k`` patients."""

    def __init__(self, k: int, combination: Mapping[str, Any], patients: int, rare_groups: int) -> None:
        self.k, self.combination = k, dict(combination)
        self.patients, self.rare_groups = patients, rare_groups
        shown = ", ".join(f"{name}={value}" for name, value in self.combination.items())
        more = f" (and {rare_groups - 1} more such combinations)" if rare_groups > 1 else ""
        super().__init__(
            f"the export is not {k}-anonymous: the quasi-identifier combination {shown} is shared by only "
            f"{patients} patient(s){more}; use wider age bands (age_band_years) or geography=zone")


@dataclass(frozen=True, slots=True)
class ResearchExport:
    """The export's tables (rows already shuffled) and how many patients it covers."""

    tables: Mapping[str, list[dict[str, Any]]]
    patients: int
    k: int
    smallest_group: int


def export_research(
    *,
    engine: Engine,
    principal: Principal,
    research_key: str,
    at: dt.datetime,
    client: str | None,
    k: int = 5,
    age_band_years: int = AGE_BAND_YEARS,
    geography: str = "district",
    catalogue: Catalogue | None = None,
    rng: random.Random | None = None,
) -> ResearchExport:
    """Build the export, refuse it unless it is ``k``-anonymous, and access-log the patients in it."""
    require_role(principal, EXPORTERS)
    if age_band_years not in AGE_BAND_CHOICES:
        raise InputError("age_band_years", f"must be one of {', '.join(map(str, AGE_BAND_CHOICES))}")
    if geography not in GEOGRAPHIES:
        raise InputError("geography", f"must be one of {', '.join(GEOGRAPHIES)}")
    if not 2 <= k <= 1000:
        raise InputError("k", "must be between 2 and 1000")
    catalogue = catalogue or load_catalogue()
    on = local_date(at)
    with session_scope(engine) as session:
        people = {p.id: {"pseudonym": pseudonym(p.id, research_key=research_key),
                         "age_band": age_band(p.birth_year, on, age_band_years),
                         "area": _area(p.district_id, geography, catalogue)}
                  for p in repo.list_patients(session)}
        pathways = []
        for e in repo.list_enrolments(session):
            pathway = catalogue.pathways.get(e.pathway_id)
            pathways.append({**people[e.patient_id], "pathway_id": e.pathway_id,
                             "service_kind": str(pathway.service_kind) if pathway else None,
                             "diagnosis_code": pathway.diagnosis_code if pathway else None,
                             "start_week": iso_week(e.start_date), "length_days": e.length_days})
        measurements = _measurements(session.execute(select(
            ObservationRecord.patient_id, ObservationRecord.parameter, ObservationRecord.unit,
            ObservationRecord.value, ObservationRecord.effective_at)), people)
        proms = [{**people[r.patient_id], "week": iso_week(local_date(r.authored_at)),
                  "questionnaire_id": r.questionnaire_id, "score": r.score, "alert": r.alert}
                 for r in session.scalars(select(PromResponseRecord))]
        kpis = _plan_kpis(session)
        covered = {row["pseudonym"] for table in (pathways, measurements, proms) for row in table}
        by_pseudonym = {person["pseudonym"]: pid for pid, person in people.items()}
        check = check_k_anonymity(
            (person for person in people.values() if person["pseudonym"] in covered),
            QUASI_IDENTIFIERS, k, subject="pseudonym")
        if not check.holds:
            worst = check.rare[0]
            raise KAnonymityError(check.k, worst.values, worst.patients, len(check.rare))
        log_access(session=session, principal=principal, patient_ids=sorted(by_pseudonym[p] for p in covered),
                   resource="research export", client=client, at=at)
    rng = rng or random.SystemRandom()
    tables = {"pathways": pathways, "measurements": measurements, "proms": proms, "plan_kpis": kpis}
    for rows in tables.values():
        rng.shuffle(rows)
    return ResearchExport(tables, len(covered), k, check.smallest)


def _area(district_id: str, geography: str, catalogue: Catalogue) -> str:
    if geography == "district":
        return district_id
    district = catalogue.districts.get(district_id)
    return district.zone if district is not None else "unknown"


def _measurements(rows: Iterable[Any], people: Mapping[str, Mapping[str, str]]) -> list[dict[str, Any]]:
    """One row per patient, parameter and ISO week: count, mean, min and max of the values."""
    groups: dict[tuple[str, str, str, str], list[float]] = defaultdict(list)
    for patient_id, parameter, unit, value, effective_at in rows:
        groups[(patient_id, iso_week(local_date(effective_at)), parameter, unit)].append(value)
    return [{**people[patient_id], "week": week, "parameter": parameter, "unit": unit, "count": len(values),
             "mean": round(sum(values) / len(values), 3), "min": min(values), "max": max(values)}
            for (patient_id, week, parameter, unit), values in groups.items()]


def _plan_kpis(session: Any) -> list[dict[str, Any]]:
    """The KPIs of the latest plan of each date, the date generalised to its ISO week."""
    newest = (select(PlanRecord.date, func.max(PlanRecord.version).label("version"))
              .group_by(PlanRecord.date).subquery())
    query = select(PlanRecord.date, PlanRecord.version, PlanRecord.json).join(
        newest, (PlanRecord.date == newest.c.date) & (PlanRecord.version == newest.c.version))
    found = []
    for date, version, text in session.execute(query):
        kpis = json.loads(text).get("kpis") or {}
        found.append({"week": iso_week(date), "plan_version": version,
                      **{key: _number(kpis.get(key)) for key in KPI_KEYS}})
    return found


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


# -- files ------------------------------------------------------------------------------------------


def table_bytes(name: str, rows: Sequence[Mapping[str, Any]], file_format: str) -> bytes:
    """One table of the export as a CSV (UTF-8, header row) or Parquet file."""
    if file_format not in FORMATS:
        raise InputError("format", f"must be one of {', '.join(FORMATS)}")
    table = pa.Table.from_pylist(list(rows), schema=SCHEMAS[name])
    buffer = io.BytesIO()
    if file_format == "csv":
        pa_csv.write_csv(table, buffer)
    else:
        pq.write_table(table, buffer)
    return buffer.getvalue()


def export_files(export: ResearchExport, file_format: str) -> dict[str, bytes]:
    """File name → content of every table of ``export`` in ``file_format``."""
    return {f"{name}.{file_format}": table_bytes(name, rows, file_format)
            for name, rows in export.tables.items()}


def export_zip(export: ResearchExport, file_format: str) -> bytes:
    """The export's tables as one ZIP archive (what ``GET /api/exports/research`` serves)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in export_files(export, file_format).items():
            archive.writestr(name, content)
    return buffer.getvalue()
