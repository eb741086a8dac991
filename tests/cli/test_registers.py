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


def _enrolments(url: str) -> list[object]:
    engine = open_database(url=url)
    try:
        with session_scope(engine) as session:
            return [s.visit_plans for s in repo.list_enrolments(session)]
    finally:
        engine.dispose()


def test_own_visits_from_a_date_and_back_to_the_pathway(database_env: str) -> None:
    """``hjemme patient change --visits-per-day/--visit-windows`` sets the patient's own visits from the
    date; ``--pathway-visits`` hands them back; a window ending before it starts exits 2 naming the
    option and stores nothing."""
    pid = runner.invoke(app, ADMIT).output.split("patient ")[1].split(",")[0]
    own = runner.invoke(
        app,
        ["patient", "change", pid, "--date", "2026-12-03", "--visits-per-day", "2",
         "--visit-windows", "08:00-10:00,16:00-18:00"],
    )
    assert own.exit_code == 0, own.output
    ((plan,),) = _enrolments(database_env)
    assert (plan.per_day, [str(w) for w in plan.windows]) == (2, ["08:00–10:00", "16:00–18:00"])
    bad = runner.invoke(
        app, ["patient", "change", pid, "--date", "2026-12-05", "--visit-windows", "10:00-09:00"]
    )
    assert bad.exit_code == 2 and "--visit-windows" in bad.output and "before it starts" in bad.output
    zero = runner.invoke(app, ["patient", "change", pid, "--date", "2026-12-05", "--visits-per-day", "0"])
    assert zero.exit_code == 2 and "--visits-per-day" in zero.output
    unknown = runner.invoke(app, ["patient", "change", pid, "--date", "2026-12-05", "--visits-per-week", "3"])
    assert unknown.exit_code == 2 and "--visits-per-week" in unknown.output
    assert [len(p) for p in _enrolments(database_env)] == [1]  # type: ignore[arg-type]
    back = runner.invoke(app, ["patient", "change", pid, "--date", "2026-12-06", "--pathway-visits"])
    assert back.exit_code == 0, back.output
    ((_, cleared),) = _enrolments(database_env)
    assert cleared.from_date.isoformat() == "2026-12-06" and cleared.is_pathway
