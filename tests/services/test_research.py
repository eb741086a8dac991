"""The pseudonymised research export (issue 12, item 3), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import defaultdict
from collections.abc import Iterator

import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, func, select

from hjemme.domain.research import age_band
from hjemme.domain.security import Role
from hjemme.errors import InputError, PermissionDeniedError
from hjemme.services.access import pseudonym
from hjemme.services.auth import Principal
from hjemme.services.research import SCHEMAS, KAnonymityError, export_files, export_research
from hjemme.store import repositories as repo
from hjemme.store.database import create_db_engine, session_scope, upgrade
from hjemme.store.monitoring_tables import ObservationRecord, PromResponseRecord
from hjemme.store.tables import AccessLogRecord, EnrolmentRecord, PatientRecord
from tests.store import factories

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
RESEARCHER = Principal("researcher1", Role.RESEARCHER)
KEY = "research-key-for-tests-0123456789-0123456789"
SIGNING_KEY = "signing-key-for-tests-0123456789-0123456789"


def _populate(engine: Engine, people: list[tuple[int, str]]) -> None:
    """One patient per (birth year, district), each with an enrolment, two SpO2 values and a PROM."""
    with session_scope(engine) as session:
        repo.add_patients(session, [factories.patient(f"P{i:03d}", birth_year=year, district_id=district,
                                                      name=f"Name {i}", phone=f"+47 900 00 {i:03d}")
                                    for i, (year, district) in enumerate(people)])
        repo.add_enrolments(session, [factories.enrolment(f"E{i:03d}", f"P{i:03d}", pathway_id="ahs_lung")
                                      for i in range(len(people))])
        for i in range(len(people)):
            for n, value in enumerate((91.0, 95.0)):
                session.add(ObservationRecord(
                    observation_id=f"o{i}-{n}", patient_id=f"P{i:03d}", parameter="spo2", value=value, unit="%",
                    effective_at=NOW - dt.timedelta(hours=n), received_at=NOW, device_id=None))
            session.add(PromResponseRecord(
                response_id=f"r{i}", patient_id=f"P{i:03d}", questionnaire_id="cat", authored_at=NOW,
                received_at=NOW, score=12.0, alert=False, item_scores={}, raw={}))


def _export(engine: Engine, k: int = 5, **options: object) -> object:
    return export_research(engine=engine, principal=RESEARCHER, research_key=KEY, at=NOW, client="10.0.0.9",
                           k=k, rng=random.Random(7), **options)  # type: ignore[arg-type]


EIGHT = [(1950, "alna")] * 5 + [(1951, "frogner")] * 5


def test_export_holds_no_identity_birth_year_or_date(db_engine: Engine) -> None:
    """No id, name, phone, birth year or date reaches the export; pseudonyms use the research key."""
    _populate(db_engine, EIGHT)
    export = _export(db_engine)
    text = b"".join(export_files(export, "csv").values()).decode()
    for secret in ("P000", "Name 1", "+47 900", "1950", "2026-11-23", "2026-11-20", "E00"):
        assert secret not in text
    pseudonyms = {row["pseudonym"] for row in export.tables["pathways"]}
    assert pseudonyms == {pseudonym(f"P{i:03d}", research_key=KEY) for i in range(10)}
    assert not pseudonyms & {pseudonym(f"P{i:03d}", research_key=SIGNING_KEY) for i in range(10)}


def test_quasi_identifiers_are_generalised(db_engine: Engine) -> None:
    """Ages come as bands, places as districts or zones, dates as ISO weeks; measurements per week."""
    _populate(db_engine, EIGHT)
    export = _export(db_engine)
    assert {r["age_band"] for r in export.tables["pathways"]} == {"70-79"}
    assert {r["start_week"] for r in export.tables["pathways"]} == {"2026-W47"}
    (row,) = [r for r in export.tables["measurements"] if r["pseudonym"] == pseudonym("P000", research_key=KEY)]
    assert (row["week"], row["count"], row["mean"], row["min"], row["max"]) == ("2026-W48", 2, 93.0, 91.0, 95.0)
    zones = _export(db_engine, geography="zone", age_band_years=20)
    assert {r["area"] for r in zones.tables["proms"]} == {"outer", "centre"}  # Alna, Frogner
    assert {r["age_band"] for r in zones.tables["proms"]} == {"60-79"}


def test_rows_do_not_come_in_patient_order(db_engine: Engine) -> None:
    """Rows are shuffled: the pseudonyms do not follow the patient ids."""
    _populate(db_engine, EIGHT)
    order = [r["pseudonym"] for r in _export(db_engine).tables["pathways"]]
    assert order != [pseudonym(f"P{i:03d}", research_key=KEY) for i in range(10)]


def test_rare_combination_refuses_the_export_naming_it(db_engine: Engine) -> None:
    """One patient alone in their age band and district makes the export refused, naming that group."""
    _populate(db_engine, EIGHT + [(1990, "grorud")])
    with pytest.raises(KAnonymityError) as refused:
        _export(db_engine)
    assert refused.value.combination == {"age_band": "30-39", "area": "grorud"}
    assert refused.value.patients == 1 and "not 5-anonymous" in str(refused.value)
    with session_scope(db_engine) as session:  # nothing left the system, so nothing is logged
        assert session.scalar(select(func.count()).select_from(AccessLogRecord)) == 0


def test_each_export_is_access_logged_per_patient(db_engine: Engine) -> None:
    """A passing export leaves one access-log row per patient in it, naming the research export."""
    _populate(db_engine, EIGHT)
    _export(db_engine)
    with session_scope(db_engine) as session:
        rows = list(session.scalars(select(AccessLogRecord)))
    assert len(rows) == 10 and {(r.username, r.resource) for r in rows} == {("researcher1", "research export")}


def test_csv_and_parquet_hold_the_same_tables(db_engine: Engine) -> None:
    """The CSV and the Parquet files hold the same rows and the documented columns."""
    _populate(db_engine, EIGHT)
    export = _export(db_engine)
    csv_files, parquet_files = export_files(export, "csv"), export_files(export, "parquet")
    for name, schema in SCHEMAS.items():
        from_parquet = pq.read_table(io.BytesIO(parquet_files[f"{name}.parquet"]))
        from_csv = pa_csv.read_csv(io.BytesIO(csv_files[f"{name}.csv"]))
        assert from_parquet.schema.names == schema.names == from_csv.schema.names
        assert from_parquet.num_rows == from_csv.num_rows == len(export.tables[name])


def test_only_researchers_and_admins_export_and_options_are_checked(db_engine: Engine) -> None:
    """A clinician may not export; an unknown age band width or geography is refused naming the option."""
    _populate(db_engine, EIGHT)
    with pytest.raises(PermissionDeniedError):
        export_research(engine=db_engine, principal=Principal("c", Role.CLINICIAN), research_key=KEY, at=NOW,
                        client=None)
    for option, value in (("age_band_years", 7), ("geography", "postcode")):
        with pytest.raises(InputError) as error:
            _export(db_engine, **{option: value})
        assert error.value.field == option


@pytest.fixture(scope="module")
def hypothesis_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One SQLite database for the property test (hypothesis re-runs the body, not the fixture)."""
    engine = create_db_engine(f"sqlite:///{tmp_path_factory.mktemp('research') / 'research.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(st.tuples(st.integers(1925, 2020), st.sampled_from(["alna", "frogner", "grorud"])),
                       min_size=1, max_size=30),
       k=st.integers(2, 6))
def test_any_export_that_passes_has_every_group_of_at_least_k(
    hypothesis_engine: Engine, people: list[tuple[int, str]], k: int
) -> None:
    """Whatever the population: an export that is not refused has ≥ k patients in every age band and
    area group of every table; a refused one names a group that really has fewer."""
    with session_scope(hypothesis_engine) as session:
        for table in (ObservationRecord, PromResponseRecord, EnrolmentRecord, PatientRecord, AccessLogRecord):
            session.execute(delete(table))
    _populate(hypothesis_engine, people)
    try:
        export = _export(hypothesis_engine, k=k)
    except KAnonymityError as refused:
        group = {p for p, (y, d) in enumerate(people)
                 if (_band(y), d) == (refused.combination["age_band"], refused.combination["area"])}
        assert 0 < len(group) == refused.patients < k
        return
    for name in ("pathways", "measurements", "proms"):
        members: dict[tuple[str, str], set[str]] = defaultdict(set)
        for row in export.tables[name]:
            members[(row["age_band"], row["area"])].add(row["pseudonym"])
        assert all(len(m) >= k for m in members.values()), name


def _band(year: int) -> str:
    return age_band(year, NOW.date())
