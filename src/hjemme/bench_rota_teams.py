"""``hjemme bench rota-teams``: hjemme's rota for every team of a synthetic Oslo population (issue 17).

For each clinic with clinical staff: forecast demand from its patients' stays, solve the rota, check
it with the independent checker (broken rules must be 0, and nobody planned past their contract's
tolerance), measure cover; then a sick call (the member with most shifts on days 3–5 is away those
days) re-planned from day 3, counting the cells that changed for the others. Pure engines only: no
database.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from hjemme.catalogue import load_catalogue
from hjemme.domain.people import CLINICAL_ROLES
from hjemme.rota.check import check_rota
from hjemme.rota.demand import forecast_demand, team_work
from hjemme.rota.problem import RotaParams, RotaProblem, RotaStaff
from hjemme.rota.solve import solve_rota
from hjemme.synthetic.population import generate_population

SECTION = "## Staff rota for the synthetic teams"
SICK_DAYS = (3, 4, 5)


@dataclass(frozen=True, slots=True)
class TeamRow:
    team: str
    staff: int
    needed: int  # person-shifts the forecast asks for
    covered: int  # of those, staffed
    emptiest_pct: float  # the lowest share staffed of any shift the forecast needs people on
    broken: int  # broken rules in the rota (the checker's count)
    past_contract: int  # people planned past their contract's tolerance (the checker's warnings)
    seconds: float
    sick_changed_others: int
    sick_cells: int  # cells the sick member lost
    sick_broken: int
    sick_seconds: float

    @property
    def cover_pct(self) -> float:
        return 100.0 * self.covered / self.needed if self.needed else 100.0


def run_team_rota_bench(
    patients: int,
    seed: int,
    first_day: dt.date,
    weeks: int,
    params: RotaParams,
    progress: Callable[[str], None] | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> list[TeamRow]:
    catalogue = load_catalogue()
    population = generate_population(catalogue, patients, seed, first_day)
    by_id = {p.id: p for p in population.patients}
    days = 7 * weeks
    rows = []
    for team in sorted({s.clinic for s in population.staff if s.role in CLINICAL_ROLES}):
        members = [s for s in population.staff if s.clinic == team and s.role in CLINICAL_ROLES]
        if len(members) < 2:
            continue
        if progress:
            progress(f"{team}: {len(members)} staff …")
        work = team_work(population.enrolments, by_id, team, first_day, days, catalogue)
        demand = forecast_demand(work, days=days)
        staff = tuple(RotaStaff(s.id, s.name, s.skills, s.contract_pct) for s in members)
        problem = RotaProblem(team, first_day, days, staff, demand)
        began = clock()
        result = solve_rota(problem, params)
        seconds = clock() - began
        findings = check_rota(problem, result.cells)
        broken = sum(1 for b in findings if b.hard)
        have = {(d, c): 0 for d in range(days) for c in ("D", "E", "N")}
        for (_, day), code in result.cells.items():
            have[day, code] += 1
        needed = sum(c.total for c in demand)
        covered = sum(min(c.total, have[c.day, c.shift]) for c in demand)
        emptiest = min((100.0 * have[c.day, c.shift] / c.total for c in demand if c.total), default=100.0)
        sick = max(staff, key=lambda s: sum((s.id, d) in result.cells for d in SICK_DAYS)).id
        away = frozenset((sick, d) for d in SICK_DAYS)
        sick_problem = RotaProblem(team, first_day, days, staff, demand, unavailable=away)
        began = clock()
        again = solve_rota(sick_problem, params, previous=result.cells, keep_before=SICK_DAYS[0])
        sick_seconds = clock() - began
        rows.append(
            TeamRow(
                team=team,
                staff=len(staff),
                needed=needed,
                covered=covered,
                emptiest_pct=min(100.0, emptiest),
                broken=broken,
                past_contract=sum(
                    1
                    for b in findings
                    if b.code == "contract" and float(b.values["hours"]) > float(b.values["target"])
                ),
                seconds=seconds,
                sick_changed_others=sum(1 for k in again.changed if k[0] != sick),
                sick_cells=sum(1 for k in away if k in result.cells),
                sick_broken=sum(1 for b in check_rota(sick_problem, again.cells) if b.hard),
                sick_seconds=sick_seconds,
            )
        )
    return rows


def markdown_table(rows: list[TeamRow]) -> str:
    lines = [
        "| team | staff | person-shifts needed | covered | emptiest shift | broken rules | past contract | s "
        "| sick call: cells lost | others' cells changed | broken rules | s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.team} | {r.staff} | {r.needed} | {r.cover_pct:.0f} % | {r.emptiest_pct:.0f} % "
            f"| {r.broken} | {r.past_contract} "
            f"| {r.seconds:.1f} "
            f"| {r.sick_cells} | {r.sick_changed_others} | {r.sick_broken} | {r.sick_seconds:.1f} |"
        )
    return "\n".join(lines)
