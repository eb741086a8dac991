"""``hjemme bench rota-teams``: every synthetic team's rota breaks no rule, before and after a sick call."""

from __future__ import annotations

import datetime as dt

from hjemme.bench_rota_teams import markdown_table, run_team_rota_bench
from hjemme.rota.problem import RotaParams


def test_every_team_rota_keeps_the_rules_and_the_sick_call_changes_few_cells():
    """Forty patients, one week: each team's rota and its sick-call re-plan pass the checker, nobody
    is planned past their contract, and the re-plan changes fewer of the others' cells than the team
    has staff-days."""
    rows = run_team_rota_bench(40, 1, dt.date(2030, 3, 4), 1, RotaParams(time_limit_s=3, workers=2))
    assert rows
    for row in rows:
        assert row.broken == 0 and row.sick_broken == 0, row
        assert row.past_contract == 0, row
        assert row.sick_changed_others <= row.staff * 7 // 2
        assert row.emptiest_pct <= row.cover_pct + 1e-9  # no shift better staffed than the average
    assert "| team |" in markdown_table(rows) and "| emptiest shift |" in markdown_table(rows)
