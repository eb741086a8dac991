"""Small hand-built rota problems for the engine's tests."""

from __future__ import annotations

import datetime as dt

from hjemme.rota.problem import DemandCell, RotaParams, RotaProblem, RotaStaff

MONDAY = dt.date(2026, 11, 30)
FAST = RotaParams(time_limit_s=4, workers=2)


def team(n: int = 8) -> tuple[RotaStaff, ...]:
    """``n`` nurses at 100 %; every third has IV therapy."""
    return tuple(
        RotaStaff(f"s{i}", f"Nurse {i}", frozenset({"nurse"} | ({"iv_therapy"} if i % 3 == 0 else set())))
        for i in range(n)
    )


def demand(days: int = 14, day: int = 2, evening: int = 1, night: int = 1) -> tuple[DemandCell, ...]:
    cells = []
    for d in range(days):
        cells += [
            DemandCell(d, "D", day, {"iv_therapy": 1}),
            DemandCell(d, "E", evening),
            DemandCell(d, "N", night),
        ]
    return tuple(cells)


def problem(days: int = 14, n: int = 8, **kwargs) -> RotaProblem:
    return RotaProblem("t", MONDAY, days, team(n), demand(days), **kwargs)


def line(cells: dict[tuple[str, int], str], staff_id: str, days: int) -> str:
    return "".join(cells.get((staff_id, d), ".") for d in range(days))
