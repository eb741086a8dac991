"""``hjemme patient|staff|vehicle|import`` and ``hjemme user link`` through the command line."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from hjemme.cli.main import app
from hjemme.services.database import open_database
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope

runner = CliRunner()
ADMIT = [
    "patient",
    "admit",
    "--name",
    "Kari CLI",
    "--birth-year",
    "1950",
    "--address",
    "Storgata 1, Oslo",
    "--district",
    "gamle_oslo",
    "--pathway",
    "wound_care",
    "--days",
    "10",
    "--start",
    "2026-12-01",
]


def _patients(url: str) -> list[str]:
    engine = open_database(url=url)
    try:
        with session_scope(engine) as session:
            return [p.name for p in repo.list_patients(session)]
    finally:
        engine.dispose()


def test_admit_change_pause_and_discharge(database_env: str) -> None:
    """A patient admitted on the command line can be changed, paused and discharged by id."""
    result = runner.invoke(app, ADMIT)
    assert result.exit_code == 0, result.output
    pid = result.output.split("patient ")[1].split(",")[0]
    for args in (
        ["change", pid, "--date", "2026-12-04", "--pathway", "palliative"],
        ["pause", pid, "--date", "2026-12-05", "--until", "2026-12-06"],
        ["discharge", pid, "--date", "2026-12-09"],
    ):
        step = runner.invoke(app, ["patient", *args])
        assert step.exit_code == 0, (args, step.output)
    assert _patients(database_env) == ["Kari CLI"]


def test_bad_input_exits_2_naming_the_option(database_env: str) -> None:
    """An unknown pathway exits 2 naming --pathway; nothing is stored."""
    result = runner.invoke(app, [*ADMIT[:-6], "--pathway", "nope", "--days", "10", "--start", "2026-12-01"])
    assert result.exit_code == 2 and "--pathway" in result.output
    assert _patients(database_env) == []


def test_import_dry_run_then_import_then_rejected(database_env: str, tmp_path: Path) -> None:
    """A dry run writes nothing; the import writes; the same file again is rejected listing its rows."""
    path = tmp_path / "staff.csv"
    path.write_text(
        "id;name;profession;skills;home_base\nN1;Nina;nurse;nurse,wound;ullevaal\n", encoding="utf-8"
    )
    assert runner.invoke(app, ["import", "staff", str(path), "--dry-run"]).exit_code == 0
    assert runner.invoke(app, ["import", "staff", str(path)]).exit_code == 0
    again = runner.invoke(app, ["import", "staff", str(path)])
    assert again.exit_code == 2 and "row 2, id = 'N1': already stored" in again.output


def test_staff_absence_vehicle_and_user_link(database_env: str) -> None:
    """A nurse is registered, falls sick, a clinician user is linked to her; a van goes for service."""
    assert (
        runner.invoke(
            app,
            [
                "staff",
                "add",
                "N7",
                "--name",
                "Nora",
                "--profession",
                "nurse",
                "--skills",
                "nurse",
                "--home-base",
                "aker",
            ],
        ).exit_code
        == 0
    )
    assert (
        runner.invoke(app, ["staff", "absent", "N7", "--kind", "sick", "--date", "2026-12-01"]).exit_code == 0
    )
    assert (
        runner.invoke(
            app, ["user", "add", "nora", "--role", "clinician"], input="hemmelig passord\n"
        ).exit_code
        == 0
    )
    link = runner.invoke(app, ["user", "link", "nora", "--staff-id", "N7"])
    assert link.exit_code == 0, link.output
    assert (
        runner.invoke(
            app,
            [
                "vehicle",
                "add",
                "V1",
                "--kind",
                "van",
                "--home-site",
                "logistics_centre",
                "--volume-l",
                "3000",
                "--weight-kg",
                "800",
            ],
        ).exit_code
        == 0
    )
    assert runner.invoke(app, ["vehicle", "out", "V1", "--date", "2026-12-01"]).exit_code == 0
    bad = runner.invoke(app, ["user", "link", "nora", "--patient-id", "P1"])
    assert bad.exit_code == 2
