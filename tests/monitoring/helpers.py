"""Plain factories for monitoring tests."""

from __future__ import annotations

import datetime as dt

from hjemme.monitoring.observations import CANONICAL_UNIT, Observation, Parameter

T0 = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


def obs(parameter: str, value: float, minutes: float = 0, *, ident: str | None = None,
        patient: str = "P1", received_min: float | None = None) -> Observation:
    """An observation ``minutes`` after T0 (negative for earlier)."""
    p = Parameter(parameter)
    at = T0 + dt.timedelta(minutes=minutes)
    received = T0 + dt.timedelta(minutes=received_min if received_min is not None else minutes)
    return Observation(ident or f"{parameter}-{minutes:g}", patient, p, float(value), CANONICAL_UNIT[p], at,
                       received, "dev-1")


def at(minutes: float = 0, *, hours: float = 0, days: float = 0) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes, hours=hours, days=days)
