"""SVG charts of the alarm page (issue 14): each measured parameter over the last 72 hours, with the
pathway's limits as dashed lines, the patient's own limits (personal baseline) as a shaded band and
the measurements the alarm cites as larger dots. Pure geometry in a 600 × 180 view box; the
template draws it with SVG attributes only (no inline style, no script).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hjemme.services.alarm_view import Series

WIDTH, HEIGHT = 600, 180
LEFT, RIGHT, TOP, BOTTOM = 48, 590, 10, 150


def chart(series: Series, since: dt.datetime, until: dt.datetime) -> dict[str, Any]:
    values = [p.value for p in series.points]
    limits = [v for v in (series.low, series.high, series.own_low, series.own_high) if v is not None]
    low, high = min(values + limits), max(values + limits)
    pad = (high - low) * 0.08 or max(abs(high) * 0.05, 1.0)
    low, high = low - pad, high + pad
    span_s = max((until - since).total_seconds(), 1.0)

    def x(at: dt.datetime) -> float:
        return round(LEFT + (RIGHT - LEFT) * min(max((at - since).total_seconds() / span_s, 0.0), 1.0), 1)

    def y(value: float) -> float:
        return round(BOTTOM - (BOTTOM - TOP) * (value - low) / (high - low), 1)

    dots = [{"x": x(p.effective_at), "y": y(p.value), "cited": p.observation_id in series.evidence, "o": p}
            for p in series.points]
    band = None
    if series.own_low is not None or series.own_high is not None:
        top = y(series.own_high if series.own_high is not None else high)
        bottom = y(series.own_low if series.own_low is not None else low)
        band = {"y": top, "height": round(bottom - top, 1)}
    ticks = [since + (until - since) * i / 3 for i in range(4)]
    return {
        "parameter": series.parameter, "unit": series.unit, "rows": list(series.points),
        "points": " ".join(f"{d['x']},{d['y']}" for d in dots), "dots": dots,
        "limits": [{"y": y(v), "value": v} for v in (series.low, series.high) if v is not None],
        "band": band, "own": (series.own_low, series.own_high),
        "y_labels": [{"y": y(v), "value": v} for v in (low + pad, high - pad)],
        "x_ticks": [{"x": x(t), "at": t} for t in ticks],
        "latest": series.points[-1], "low": min(values), "high": max(values),
        "pathway": (series.low, series.high),
    }
