"""What drives the answer (issue 15, item 2): one-at-a-time sensitivity, break-evens and Sobol indices.

The cost lead of Alt 1 once rested on one unsourced number (health staff's ordering time) and
nothing showed it. This module makes such dependence visible, for every uncertain assumption —
any assumption with ``low < high``, so one a later key adds joins by itself:

* **one at a time** (:func:`one_at_a_time`): each factor at its low and at its high, everything else
  at ``likely``, all metrics of all alternatives; a tornado per metric shows how the gap between the
  leading alternative and the runner-up moves (a bar that crosses zero flips the ranking);
* **break-even** (:func:`break_evens`): for each pair of alternatives, metric and factor, the value
  of that factor at which the two are equal, found by scanning outward from ``likely`` over the range
  and up to two range-widths beyond each end, then bisecting the bracket — "Alt 2 is cheapest if
  ordering time in Alt 1 exceeds 9.3 min";
* **Sobol** (:func:`sobol_indices`): first-order and total indices from SALib's Saltelli sampling,
  each factor drawn from its triangular distribution (the same one the Monte Carlo draws from).

Evaluation is deterministic (:func:`~hjemme.scenario.factors.evaluate_central`): the census is its
mean (no Poisson draw), so a change in a metric is the assumption's doing alone. Factors and how
they are set live in :mod:`hjemme.scenario.factors`. Pure functions; progress goes through an
optional callback.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from hjemme.errors import HjemmeError
from hjemme.scenario.config import ScenarioConfig
from hjemme.scenario.factors import (
    MAIN_ASSUMPTIONS,
    Factor,
    Results,
    assumption_at,
    evaluate_central,
    range_problem,
    uncertain_factors,
    with_ranges,
    with_values,
)
from hjemme.scenario.model import ProjectionModel
from hjemme.scenario.summary import DECIDING, candidates

__all__ = [  # the factors are part of this module's surface too (the page and the tests use them)
    "KEY_METRICS",
    "MAIN_ASSUMPTIONS",
    "SOBOL_METRICS",
    "BreakEven",
    "Factor",
    "OatRow",
    "SensitivityResult",
    "SobolRow",
    "Tornado",
    "TornadoBar",
    "assumption_at",
    "break_evens",
    "evaluate_central",
    "leader_and_runner_up",
    "one_at_a_time",
    "phase_totals",
    "range_problem",
    "run_sensitivity",
    "sobol_evaluations",
    "sobol_indices",
    "tornados",
    "triangular_ppf",
    "uncertain_factors",
    "with_ranges",
    "with_values",
]

KEY_METRICS = ("cost_nok_per_year", "co2_tonnes_per_year", "km_per_year", "storage_m2")
"""The metrics a decision is read on first; tornados and break-evens are computed for these."""
SOBOL_METRICS = ("cost_nok_per_year", "co2_tonnes_per_year")
SCAN_STEPS = 8  # grid points on each side of likely before bisecting


@dataclass(frozen=True, slots=True)
class OatRow:
    """One factor at low and at high: every alternative's metrics, next to the base case."""

    factor: Factor
    low: Results
    high: Results


@dataclass(frozen=True, slots=True)
class TornadoBar:
    factor: Factor
    gap_low: float  # runner-up minus leader with the factor at low (negative: the ranking flips)
    gap_high: float

    @property
    def swing(self) -> float:
        return abs(self.gap_high - self.gap_low)


@dataclass(frozen=True, slots=True)
class Tornado:
    """For one metric: how each factor moves the leader's lead over the runner-up."""

    metric: str
    leader: str
    runner_up: str
    base_gap: float
    bars: tuple[TornadoBar, ...]  # largest swing first; factors that move nothing are left out


@dataclass(frozen=True, slots=True)
class BreakEven:
    """``challenger`` becomes lower than ``leader`` on ``metric`` when ``factor`` passes ``value``."""

    metric: str
    leader: str
    challenger: str
    factor: Factor
    value: float
    direction: str  # "above": the flip happens when the factor exceeds value; "below": falls under
    within_range: bool  # value lies between the factor's low and high

    @property
    def distance(self) -> float:
        """How far from ``likely``, in range-widths (0 = at likely): the nearest ones matter most."""
        width = self.factor.high - self.factor.low
        return abs(self.value - self.factor.likely) / width if width > 0 else math.inf


@dataclass(frozen=True, slots=True)
class SobolRow:
    metric: str
    alternative: str  # an alternative, or "gap" (runner-up minus leader at the base case)
    factor: Factor
    s1: float
    s1_conf: float
    st: float
    st_conf: float


@dataclass(frozen=True)
class SensitivityResult:
    """Everything ``hjemme scenario sensitivity`` and the report show, for one year."""

    year: int
    base: Results
    factors: tuple[Factor, ...]
    oat: tuple[OatRow, ...]
    tornados: tuple[Tornado, ...]
    break_evens: tuple[BreakEven, ...]
    sobol: tuple[SobolRow, ...] = ()
    sobol_n: int = 0
    metrics: tuple[str, ...] = field(default=KEY_METRICS)


class _Evaluator:
    """Evaluates the scenario with some factors set; counts calls for progress reports."""

    def __init__(
        self,
        model: ProjectionModel,
        config: ScenarioConfig,
        year: int,
        on_eval: Callable[[], None] | None = None,
        *,
        economics: bool = True,
    ) -> None:
        self.model, self.config, self.year, self.on_eval = model, config, year, on_eval
        self.economics = economics  # NPV too (≈ 3× the work; Sobol's cost and CO2 do not need it)

    def __call__(self, settings: Mapping[Factor, float]) -> Results:
        values = {path: v for factor, v in settings.items() for path in factor.paths}
        out = evaluate_central(
            self.model, with_values(self.config, values), self.year, economics=self.economics
        )
        if self.on_eval is not None:
            self.on_eval()
        return out


# --- one at a time ----------------------------------------------------------------------------


def one_at_a_time(
    model: ProjectionModel,
    config: ScenarioConfig,
    year: int,
    factors: Sequence[Factor],
    on_eval: Callable[[], None] | None = None,
) -> tuple[Results, list[OatRow]]:
    """The base case and each factor at its low and at its high (2·n + 1 evaluations)."""
    run = _Evaluator(model, config, year, on_eval)
    base = run({})
    rows = [OatRow(f, run({f: f.low}), run({f: f.high})) for f in factors]
    return base, rows


def leader_and_runner_up(base: Results, metric: str) -> tuple[str, str] | None:
    """The lowest and second-lowest candidate (Alt 1–3; Alt 0 is the baseline) on ``metric``
    (alphabetical on ties)."""
    ranked = sorted((base[alt][metric], alt) for alt in candidates(base) if metric in base[alt])
    return (ranked[0][1], ranked[1][1]) if len(ranked) >= 2 else None


def tornados(base: Results, rows: Sequence[OatRow], metrics: Iterable[str]) -> list[Tornado]:
    """Per metric: the runner-up's minus the leader's value at each factor's low and high."""
    out = []
    for metric in metrics:
        pair = leader_and_runner_up(base, metric)
        if pair is None:
            continue
        lead, runner = pair
        bars = []
        for row in rows:
            gap_low = row.low[runner][metric] - row.low[lead][metric]
            gap_high = row.high[runner][metric] - row.high[lead][metric]
            bar = TornadoBar(row.factor, gap_low, gap_high)
            if bar.swing > 1e-9 * max(1.0, abs(base[lead][metric])):
                bars.append(bar)
        bars.sort(key=lambda b: (-b.swing, b.factor.key))
        out.append(Tornado(metric, lead, runner, base[runner][metric] - base[lead][metric], tuple(bars)))
    return out


# --- break-even -------------------------------------------------------------------------------


def break_evens(
    model: ProjectionModel,
    config: ScenarioConfig,
    year: int,
    factors: Sequence[Factor],
    metrics: Sequence[str],
    base: Results | None = None,
    *,
    on_factor: Callable[[], None] | None = None,
) -> list[BreakEven]:
    """For every pair of alternatives, metric and factor: where their ranking flips, if it does.

    From ``likely``, each side is scanned outward over ``SCAN_STEPS`` points up to the factor's
    search bound; the first point where the pair's order differs from the base case brackets the
    break-even, which is then bisected to 1/10 000 of the range. At most one break-even per side.
    """
    run = _Evaluator(model, config, year)
    base = base if base is not None else run({})
    alts = candidates(base)  # Alt 0 (today) is the baseline, not a choice: no break-even against it
    metrics = [m for m in metrics if alts and m in base[alts[0]]]  # NPV only in the last year
    pairs = [(a, b) for i, a in enumerate(alts) for b in alts[i + 1 :]]
    out: list[BreakEven] = []
    for factor in factors:
        lo, hi = factor.bounds
        cache: dict[float, Results | None] = {factor.likely: base}

        def at(
            x: float, factor: Factor = factor, cache: dict[float, Results | None] = cache
        ) -> Results | None:
            """The results with the factor at x; ``None`` where the model refuses x (outside its domain)."""
            if x not in cache:
                try:
                    cache[x] = run({factor: x})
                except (ValueError, ArithmeticError, HjemmeError):
                    cache[x] = None
            return cache[x]

        def order(x: float, a: str, b: str, metric: str) -> int | None:
            r = at(x)
            return None if r is None else _sign(r[a][metric] - r[b][metric])

        for side, end in (("below", lo), ("above", hi)):
            if end == factor.likely:
                continue
            points = [
                factor.likely + (end - factor.likely) * k / SCAN_STEPS for k in range(1, SCAN_STEPS + 1)
            ]
            for metric in metrics:
                for a, b in pairs:
                    sign0 = _sign(base[a][metric] - base[b][metric])
                    if sign0 == 0:
                        continue
                    leader, challenger = (a, b) if sign0 < 0 else (b, a)
                    previous = factor.likely
                    for x in points:
                        now = order(x, a, b, metric)
                        if now is None:
                            break  # beyond what the model accepts: no break-even on this side
                        if now not in (sign0, 0):  # an exact tie is degenerate (e.g. no patients at all)
                            value = _bisect(
                                lambda v, a=a, b=b, m=metric, s0=sign0: order(v, a, b, m) in (s0, 0, None),
                                previous,
                                x,
                                factor.high - factor.low,
                            )
                            out.append(
                                BreakEven(
                                    metric,
                                    leader,
                                    challenger,
                                    factor,
                                    value,
                                    side,
                                    factor.low <= value <= factor.high,
                                )
                            )
                            break
                        previous = x
        if on_factor is not None:
            on_factor()
    out.sort(key=lambda e: (e.metric, e.distance, e.factor.key))
    return out


def _sign(x: float) -> int:
    return 0 if x == 0 else (1 if x > 0 else -1)


def _bisect(same: Callable[[float], bool], inside: float, outside: float, width: float) -> float:
    """The point between ``inside`` (base order holds) and ``outside`` (it does not) where it changes."""
    tol = max(width, 1e-12) * 1e-4
    for _ in range(60):
        if abs(outside - inside) <= tol:
            break
        mid = (inside + outside) / 2.0
        if same(mid):
            inside = mid
        else:
            outside = mid
    return (inside + outside) / 2.0


# --- Sobol ------------------------------------------------------------------------------------


def triangular_ppf(u: np.ndarray, low: float, likely: float, high: float) -> np.ndarray:
    """Inverse CDF of the triangular distribution: uniform [0, 1] → the factor's own distribution."""
    width = high - low
    if width <= 0:
        return np.full_like(u, likely)
    c = (likely - low) / width
    left = low + np.sqrt(u * width * (likely - low))
    right = high - np.sqrt((1.0 - u) * width * (high - likely))
    return np.where(u < c, left, right)


def sobol_indices(
    model: ProjectionModel,
    config: ScenarioConfig,
    year: int,
    factors: Sequence[Factor],
    *,
    n: int,
    seed: int,
    metrics: Sequence[str] = SOBOL_METRICS,
    base: Results | None = None,
    on_eval: Callable[[], None] | None = None,
) -> list[SobolRow]:
    """First-order and total Sobol indices of each metric per alternative and of the leader's lead.

    Saltelli sampling (SALib) of ``n·(d + 2)`` points on the unit cube, each coordinate mapped to
    its factor's triangular distribution; ``n`` should be a power of two. The lead is the base-case
    runner-up's value minus the leader's, so its indices say what decides the ranking.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    if not factors:
        return []
    run = _Evaluator(model, config, year, on_eval, economics="npv_cost_nok" in metrics)
    base = base if base is not None else evaluate_central(model, config, year)
    problem = {
        "num_vars": len(factors),
        "names": [f.key for f in factors],
        "bounds": [[0.0, 1.0]] * len(factors),
    }
    unit = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    columns = [triangular_ppf(unit[:, j], f.low, f.likely, f.high) for j, f in enumerate(factors)]
    results = [run({f: float(columns[j][i]) for j, f in enumerate(factors)}) for i in range(unit.shape[0])]
    out: list[SobolRow] = []
    for metric in metrics:
        if metric not in base[next(iter(base))]:
            continue
        outputs: dict[str, np.ndarray] = {
            alt: np.array([r[alt][metric] for r in results]) for alt in candidates(base)
        }
        pair = leader_and_runner_up(base, metric)
        if pair is not None:
            outputs["gap"] = outputs[pair[1]] - outputs[pair[0]]
        for name, y in outputs.items():
            if float(np.ptp(y)) <= 1e-9 * max(1.0, float(np.max(np.abs(y)))):
                continue  # the output does not depend on these factors (round-off aside)
            si = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
            for j, f in enumerate(factors):
                out.append(
                    SobolRow(
                        metric,
                        name,
                        f,
                        float(si["S1"][j]),
                        float(si["S1_conf"][j]),
                        float(si["ST"][j]),
                        float(si["ST_conf"][j]),
                    )
                )
    return out


def sobol_evaluations(n: int, factors: int) -> int:
    """How many model evaluations :func:`sobol_indices` makes (for a progress bar)."""
    return n * (factors + 2) if factors else 0


# --- all together -----------------------------------------------------------------------------


def run_sensitivity(
    model: ProjectionModel,
    config: ScenarioConfig,
    year: int,
    *,
    metrics: Sequence[str] | None = None,
    sobol_n: int = 0,
    seed: int | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> SensitivityResult:
    """One-at-a-time runs, tornados and break-evens for ``year``; Sobol indices when ``sobol_n > 0``.

    ``metrics`` defaults to every deciding metric the model outputs (``summary.DECIDING``, key
    metrics first), so a metric added to the model joins by itself.

    ``on_progress(phase, done, total)`` is called as work advances; phases are ``oat`` (evaluations),
    ``break_even`` (factors) and ``sobol`` (evaluations).
    """
    factors = uncertain_factors(config)

    def counter(phase: str, total: int) -> Callable[[], None] | None:
        if on_progress is None:
            return None
        done = [0]

        def tick() -> None:
            done[0] += 1
            on_progress(phase, done[0], total)

        return tick

    base, rows = one_at_a_time(model, config, year, factors, counter("oat", 1 + 2 * len(factors)))
    available = set(base[next(iter(base))])
    wanted = metrics or (*KEY_METRICS, *(m for m in DECIDING if m not in KEY_METRICS))
    chosen = tuple(m for m in wanted if m in available)
    evens = break_evens(
        model, config, year, factors, chosen, base, on_factor=counter("break_even", len(factors))
    )
    sobol: list[SobolRow] = []
    if sobol_n > 0:
        sobol = sobol_indices(
            model,
            config,
            year,
            factors,
            n=sobol_n,
            seed=config.seed if seed is None else seed,
            base=base,
            on_eval=counter("sobol", sobol_evaluations(sobol_n, len(factors))),
        )
    return SensitivityResult(
        year,
        base,
        tuple(factors),
        tuple(rows),
        tuple(tornados(base, rows, chosen)),
        tuple(evens),
        tuple(sobol),
        sobol_n,
        chosen,
    )


def phase_totals(config: ScenarioConfig, sobol_n: int = 0) -> dict[str, int]:
    """The units of work of each phase of :func:`run_sensitivity` (for progress bars)."""
    d = len(uncertain_factors(config))
    totals = {"oat": 1 + 2 * d, "break_even": d}
    if sobol_n > 0:
        totals["sobol"] = sobol_evaluations(sobol_n, d)
    return totals
