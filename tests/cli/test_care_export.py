"""``hjemme care`` and ``hjemme export research`` through the command line (issue 12)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from hjemme.cli.main import app
from hjemme.domain.security import Role
from hjemme.services.database import open_database
from hjemme.settings import get_settings
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from tests.store import factories

runner = CliRunner()
NOW = dt.datetime.now(dt.UTC)


def _seed(url: str, people: list[tuple[int, str]]) -> None:
    engine = open_database(url=url)
    try:
        with session_scope(engine) as session:
            repo.add_patients(session, [factories.patient(f"P{i:03d}", birth_year=y, district_id=d)
                                        for i, (y, d) in enumerate(people)])
            repo.add_enrolments(session, [factories.enrolment(f"E{i:03d}", f"P{i:03d}", start_date=NOW.date(),
                                                              preferred_staff_ids=())
                                          for i in range(len(people))])
            repo.add_user(session, username="kari", password_hash="x", role=Role.CLINICIAN, created_at=NOW)
    finally:
        engine.dispose()


def test_assign_then_the_user_sees_the_patient(database_env: str) -> None:
    """After ``care assign`` the clinician's care holds the patient, marked as assigned."""
    _seed(database_env, [(1950, "alna")])
    before = runner.invoke(app, ["care", "patients", "kari"])
    assert before.exit_code == 0 and json.loads(before.output)["patients"] == {}
    assert runner.invoke(app, ["care", "assign", "kari", "P000"]).exit_code == 0
    after = runner.invoke(app, ["care", "patients", "kari"])
    assert json.loads(after.output)["patients"] == {"P000": "assigned"}
    assert runner.invoke(app, ["care", "unassign", "kari", "P000"]).exit_code == 0
    assert json.loads(runner.invoke(app, ["care", "patients", "kari"]).output)["patients"] == {}


def test_unknown_user_or_patient_exits_2(database_env: str) -> None:
    """Assigning to an unknown user or an unknown patient exits 2 naming it."""
    _seed(database_env, [(1950, "alna")])
    result = runner.invoke(app, ["care", "assign", "nobody", "P000"])
    assert result.exit_code == 2 and "nobody" in result.output
    result = runner.invoke(app, ["care", "assign", "kari", "P404"])
    assert result.exit_code == 2 and "P404" in result.output


@pytest.fixture
def research_env(database_env: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The test database and a research key, as an installation configures them."""
    monkeypatch.setenv("HJEMME_RESEARCH_KEY", "cli-test-research-key-0123456789-abcdefghij")
    get_settings.cache_clear()
    return database_env


def test_export_research_needs_the_research_key(database_env: str, tmp_path: Path) -> None:
    """Without HJEMME_RESEARCH_KEY the export exits 2 naming the variable and writes nothing."""
    result = runner.invoke(app, ["export", "research", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "HJEMME_RESEARCH_KEY" in result.output
    assert not (tmp_path / "out").exists()


def test_export_research_writes_parquet_tables(research_env: str, tmp_path: Path) -> None:
    """Five alike patients export: four Parquet files with pseudonyms and no patient id."""
    _seed(research_env, [(1950, "alna")] * 5)
    result = runner.invoke(app, ["export", "research", "--format", "parquet", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["measurements.parquet", "pathways.parquet", "plan_kpis.parquet", "proms.parquet"]
    rows = pq.read_table(tmp_path / "out" / "pathways.parquet").to_pylist()
    assert len(rows) == 5 and all(r["pseudonym"].startswith("R-") for r in rows)
    assert "P000" not in (tmp_path / "out" / "pathways.parquet").read_bytes().decode("latin-1")


def test_export_research_refuses_a_rare_group_and_writes_nothing(research_env: str, tmp_path: Path) -> None:
    """One patient alone in a group makes the export exit 1 naming the combination; no file is written."""
    _seed(research_env, [(1950, "alna")] * 5 + [(1990, "grorud")])
    result = runner.invoke(app, ["export", "research", "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "area=grorud" in result.output
    assert not (tmp_path / "out").exists()
    wider = runner.invoke(app, ["export", "research", "--out", str(tmp_path / "out"), "--k", "2"])
    assert wider.exit_code == 1  # still one patient alone
    bad = runner.invoke(app, ["export", "research", "--out", str(tmp_path / "o"), "--age-band-years", "7"])
    assert bad.exit_code == 2 and "--age-band-years" in bad.output and "7" in bad.output
