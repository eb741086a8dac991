"""``hjemme rota plan|check|edit|publish|replan|export|list`` through the command line."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from hjemme.cli.main import app
from hjemme.services.database import open_database
from hjemme.services.seeding import seed_population
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope

runner = CliRunner()
MONDAY = "2026-11-30"


def _seed(url: str) -> str:
    engine = open_database(url=url)
    try:
        seed_population(engine=engine, n_patients=80, seed=2, date=dt.date(2026, 11, 30))
        with session_scope(engine) as session:
            staff = repo.list_staff(session)
        return Counter(s.clinic for s in staff if s.role.value == "nurse").most_common(1)[0][0]
    finally:
        engine.dispose()


def test_plan_check_edit_publish_export(database_env: str, tmp_path: Path) -> None:
    """A planned rota checks clean; an edit breaking the rest rule is named and exits 1 on check;
    the clean draft publishes, exports and is listed."""
    team = _seed(database_env)
    plan = runner.invoke(
        app, ["rota", "plan", "--team", team, "--from", MONDAY, "--weeks", "2", "--time-limit", "5"]
    )
    assert plan.exit_code == 0, plan.output
    rota_id = re.search(r"Planned rota #(\d+)", plan.output).group(1)
    assert "0 broken rule(s)" in plan.output
    checked = runner.invoke(app, ["rota", "check", rota_id], terminal_width=80)
    assert checked.exit_code == 0
    # a week per table, so an 80-column terminal shows every name and day in full
    assert all(line.count("│") <= 9 for line in checked.output.splitlines())
    assert all(f"{d:02d}.12" in checked.output for d in range(1, 14))
    assert _member_names(database_env, team) <= set(re.findall(r"│ ([^│]*?) +│", checked.output))
    # each person's hours planned against the contract, nights and weekends, under the weeks
    loads = re.findall(r"│ ([^│]*?) +│ +([\d.]+) +│ +([\d.]+) +│ +(\d+) +│ +(\d+) +│", checked.output)
    assert {name for name, *_ in loads} == _member_names(database_env, team)
    assert all(0 < float(contract) <= 71 for _, _, contract, _, _ in loads)  # two weeks, at most full time
    export = tmp_path / "rota.xlsx"
    assert (
        runner.invoke(app, ["rota", "export", rota_id, "--out", str(export), "--lang", "en"]).exit_code == 0
    )
    assert load_workbook(export)["Rota"]["A1"].value == "Name"
    published = runner.invoke(app, ["rota", "publish", rota_id])
    assert published.exit_code == 0 and f"Published rota #{rota_id}" in published.output
    listed = runner.invoke(app, ["rota", "list", "--team", team])
    assert f"#{rota_id}" in listed.output and "published" in listed.output
    staff_id = _first_member(database_env, team)
    first_edit = runner.invoke(
        app, ["rota", "edit", rota_id, "--staff", staff_id, "--date", "2026-12-02", "--shift", "E"]
    )
    draft = re.search(r"Rota #(\d+) edited", first_edit.output).group(1)
    assert draft != rota_id  # a published rota is copied into a new draft
    edited = runner.invoke(
        app,
        ["rota", "edit", draft, "--staff", staff_id, "--date", "2026-12-03", "--shift", "D", "--lang", "en"],
    )
    assert f"Rota #{draft} edited" in edited.output
    check = runner.invoke(app, ["rota", "check", draft, "--lang", "en"])
    assert check.exit_code == 1 and "rest between shifts" in check.output
    refused = runner.invoke(app, ["rota", "publish", draft])
    assert refused.exit_code == 1 and "breaks" in refused.output


def _member_names(url: str, team: str) -> set[str]:
    engine = open_database(url=url)
    try:
        with session_scope(engine) as session:
            return {s.name for s in repo.list_staff(session) if s.clinic == team}
    finally:
        engine.dispose()


def _first_member(url: str, team: str) -> str:
    engine = open_database(url=url)
    try:
        with session_scope(engine) as session:
            return sorted(
                s.id for s in repo.list_staff(session) if s.clinic == team and s.role.value == "nurse"
            )[0]
    finally:
        engine.dispose()


def test_unknown_team_is_bad_input(database_env: str) -> None:
    """Planning a team with no clinical staff exits 2 naming --team."""
    _seed(database_env)
    result = runner.invoke(app, ["rota", "plan", "--team", "nowhere", "--from", MONDAY, "--weeks", "2"])
    assert result.exit_code == 2 and "--team" in result.output


def test_team_shift_times_and_wishes_from_the_command_line(database_env: str) -> None:
    """``rota shifts`` sets a team's day shift (a 12-hour one exits 2 naming --day), the next plan
    lists the new times; ``rota wish`` records a wish (a bad weight exits 2) and ``withdraw-wish`` withdraws it."""
    team = _seed(database_env)
    refused = runner.invoke(app, ["rota", "shifts", "--team", team, "--day", "07:00-19:00"])
    assert refused.exit_code == 2 and "--day" in refused.output
    shown = runner.invoke(app, ["rota", "shifts", "--team", team, "--day", "07:00-15:00"])
    assert shown.exit_code == 0 and "D  07:00–15:00  8 h" in shown.output and "N  22:15–07:45" in shown.output
    staff_id = _first_member(database_env, team)
    bad = runner.invoke(
        app,
        ["rota", "wish", "--staff", staff_id, "--date", "2099-12-01", "--kind", "day_off", "--weight", "9"],
    )
    assert bad.exit_code == 2 and "--weight" in bad.output
    made = runner.invoke(
        app,
        [
            "rota",
            "wish",
            "--staff",
            staff_id,
            "--date",
            "2099-12-01",
            "--kind",
            "shift_wanted",
            "--shift",
            "d",
        ],
    )
    assert made.exit_code == 0, made.output
    wish_id = re.search(r"Wish #(\d+) recorded", made.output).group(1)
    withdrawn = runner.invoke(app, ["rota", "withdraw-wish", wish_id])
    assert withdrawn.exit_code == 0 and "withdrawn" in withdrawn.output
    plan = runner.invoke(
        app, ["rota", "plan", "--team", team, "--from", "2099-11-30", "--weeks", "1", "--time-limit", "2"]
    )
    assert plan.exit_code == 0 and "D 07:00–15:00" in plan.output
