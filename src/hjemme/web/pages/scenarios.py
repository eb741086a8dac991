"""Scenarios for management (given to coordinators and administrators, see docs/web.md): pick the
default scenario or upload a YAML file, change the main assumptions in the form (issue 15), name the
run and start it in the background with a progress bar; then read the decision (which alternative,
how sure, what would change it), the charts (P10–P90 bands), the alternatives side by side, and
download the report (HTML and PDF) and the Excel workbook. Named runs are kept
(``services.scenario_runs``) and compared side by side on ``/scenarios/compare``. The runs' files
live in :mod:`hjemme.web.scenario_runs`.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from hjemme.domain.security import Role
from hjemme.domain.time import format_local
from hjemme.errors import ConflictError, InputError, NotFoundError
from hjemme.scenario.assumptions import describe
from hjemme.scenario.config import ScenarioConfig, ScenarioFileError, load_scenario
from hjemme.scenario.labels import alternative_label, metric_label
from hjemme.scenario.numbers import format_number
from hjemme.scenario.sensitivity import MAIN_ASSUMPTIONS, assumption_at, range_problem
from hjemme.scenario.summary import ALTERNATIVE_LABELS_NB, METRIC_LABELS_NB
from hjemme.services import scenario_runs as stored
from hjemme.services.auth import Principal
from hjemme.web.deps import EngineDep, NowDep, engine_of, page_context, page_for_roles, settings_of
from hjemme.web.rendering import N_, language_of, render
from hjemme.web.scenario_runs import DOWNLOADS, ScenarioBusyError, ScenarioRuns

router = APIRouter()
ManagerDep = Annotated[Principal, Depends(page_for_roles(Role.MANAGEMENT, Role.COORDINATOR, Role.ADMIN))]

DEFAULT_SCENARIO = Path(__file__).resolve().parents[4] / "scenarios" / "default.yaml"
"""The repository's documented default scenario (``scenarios/default.yaml``)."""
DEFAULT_REPLICATIONS = 5
MAX_REPLICATIONS = 50
MAX_UPLOAD_BYTES = 1_000_000


def runs_of(request: Request) -> ScenarioRuns:
    """The app's run registry (one per app), under ``app.state.scenario_root`` or ``var/scenarios``."""
    state = request.app.state
    runs: ScenarioRuns | None = getattr(state, "scenario_runs", None)
    if runs is None:
        runs = ScenarioRuns(Path(getattr(state, "scenario_root", Path("var") / "scenarios")))
        state.scenario_runs = runs
    return runs


def _default_path(request: Request) -> Path:
    return Path(getattr(request.app.state, "scenario_default", DEFAULT_SCENARIO))


RANGE_ERRORS = {
    "number": N_("%(label)s: give numbers, e.g. 3 or 2,5."),
    "not_finite": N_("%(label)s: give numbers, e.g. 3 or 2,5."),
    "order": N_("%(label)s: low must not exceed likely, nor likely exceed high."),
    "negative": N_("%(label)s: cannot be negative."),
    "share": N_("%(label)s: is a share and cannot be above 1."),
}
NAME_TAKEN = N_("A run with this name exists already; choose another name.")


def _default_config(request: Request) -> ScenarioConfig | None:
    try:
        return load_scenario(_default_path(request))
    except ScenarioFileError:
        return None


def main_assumptions(config: ScenarioConfig | None, form: Any = None) -> list[dict[str, Any]]:
    """The form's rows: the main assumptions present in the scenario, with the values to show."""
    rows: list[dict[str, Any]] = []
    if config is None:
        return rows
    for i, path in enumerate(MAIN_ASSUMPTIONS):
        try:
            a = assumption_at(config, path)
        except KeyError:
            continue
        given = (a.low, a.likely, a.high) if a.value is None else (a.value, a.value, a.value)
        row = {"index": i, "path": path, "label": describe(path), "unit": a.unit, "source": a.source,
               "owner": a.owner}
        for key, value in zip(("low", "likely", "high"), given, strict=True):
            field = f"{key}-{i}"  # a field the form did not send keeps the file's value
            row[key] = str(form.get(field)) if form is not None and field in form else _plain(value)
        rows.append(row)
    return rows


def _plain(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}".replace(".", ",") if abs(value) < 1e7 else f"{value:.0f}"


def _number(text: str) -> float | None:
    cleaned = text.strip().replace("\u202f", "").replace(" ", "").replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return None


def parse_ranges(config: ScenarioConfig, form: Any) -> tuple[dict[str, tuple[float, float, float]],
                                                             list[Any]]:
    """The changed ranges of the form, and the errors (message, label) of those refused."""
    ranges: dict[str, tuple[float, float, float]] = {}
    errors: list[Any] = []
    for row in main_assumptions(config, form):
        values = [_number(row[k]) for k in ("low", "likely", "high")]
        if any(v is None for v in values):
            errors.append((RANGE_ERRORS["number"], row["label"]))
            continue
        low, likely, high = (float(v) for v in values)  # type: ignore[arg-type]
        original = assumption_at(config, row["path"])
        problem = range_problem(original, low, likely, high)
        if problem is not None:
            errors.append((RANGE_ERRORS[problem], row["label"]))
            continue
        before = ((original.low, original.likely, original.high) if original.value is None
                  else (original.value,) * 3)
        if (low, likely, high) != tuple(float(b) for b in before):  # type: ignore[arg-type]
            ranges[row["path"]] = (low, likely, high)
    return ranges, errors


@router.get("/scenarios")
def scenarios(request: Request, user: ManagerDep) -> Response:
    return _form(request, user)


def _form(request: Request, user: Principal, errors: list[Any] | None = None, detail: str = "",
          status_code: int = 200, form: Any = None) -> Response:
    runs = stored.list_scenario_runs(engine=engine_of(request), principal=user)
    language = language_of(request, settings_of(request).language)
    context = {
        **page_context(user), "errors": errors or [], "detail": detail,
        "default_name": _default_path(request).name, "replications": DEFAULT_REPLICATIONS,
        "max_replications": MAX_REPLICATIONS, "main": main_assumptions(_default_config(request), form),
        "run_name": str(form.get("name", "")) if form is not None else "", "runs": runs,
        "alt_labels": {a: alternative_label(a, language) for a in ALTERNATIVE_LABELS_NB},
    }
    return render(request, "scenarios/index.html", context, status_code=status_code)


@router.post("/scenarios/runs")
async def start_run(request: Request, user: ManagerDep, now: NowDep) -> Response:
    """Validate the chosen or uploaded file and start it; bad input shows the key path, nothing runs.

    Reading and checking a scenario file takes seconds for a large one: it runs in a worker thread,
    so the event loop (and everyone else's pages) keeps answering meanwhile (#12).
    """
    form = await request.form()
    raw = str(form.get("replications", "")).strip()
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_REPLICATIONS:
        return _form(request, user, [REPLICATIONS_ERROR], status_code=422, form=form)
    upload = form.get("file")
    content: bytes | None = None
    if form.get("source") == "upload":
        if not (isinstance(upload, UploadFile) and upload.filename):
            return _form(request, user, [N_("Choose a scenario file to upload.")], status_code=422)
        content = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(content) > MAX_UPLOAD_BYTES:
            return _form(request, user, [N_("The file is larger than 1 MB.")], status_code=422)
    name = Path(upload.filename or "scenario.yaml").name if isinstance(upload, UploadFile) else ""
    return await run_in_threadpool(_start, request, user, content, name, int(raw), form, now)


def _start(request: Request, user: Principal, content: bytes | None, name: str,
           replications: int, form: Any, now: dt.datetime) -> Response:
    """Check the file and the changed assumptions, keep the run by name, start it; nothing is
    stored or run when any of it is refused."""
    runs = runs_of(request)
    run_id, directory = runs.new_directory()
    config_path = directory / "scenario.yaml"
    if content is not None:
        config_path.write_bytes(content)
    else:
        config_path.write_bytes(_default_path(request).read_bytes())
        name = _default_path(request).name
    engine = engine_of(request)
    run_name = (" ".join(str(form.get("name", "")).split())
                or f"{name} {format_local(now, 'nb')} ({run_id[:6]})")
    changed: dict[str, list[float]] = {}

    def choose(config: ScenarioConfig) -> dict[str, tuple[float, float, float]]:
        ranges, errors = parse_ranges(config, form)
        if errors:
            raise _FormErrors(errors)
        changed.update({k: list(v) for k, v in ranges.items()})
        return ranges

    try:
        def keep() -> None:
            stored.record_scenario_run(engine=engine, principal=user, run_id=run_id, name=run_name,
                                       scenario=name, replications=replications,
                                       overrides=changed, now=now)

        def finish(status: str, results: dict[str, Any], error: str) -> None:
            stored.finish_scenario_run(engine=engine, principal=user, run_id=run_id, status=status,
                                       results=results, error=error, now=_now())

        runs.start(run_id, config_path, run_name, replications, ranges=choose, on_finish=finish,
                   before_start=keep)
    except _FormErrors as exc:
        runs.discard(run_id)
        return _form(request, user, exc.errors, status_code=422, form=form)
    except ScenarioFileError as exc:
        runs.discard(run_id)
        where = exc.path or N_("(the whole file)")
        return _form(request, user, [N_("The scenario file is not valid; nothing was run.")],
                     detail=f"{where}: {exc.problem}", status_code=422, form=form)
    except ScenarioBusyError:
        runs.discard(run_id)
        return _form(request, user, [N_("Another scenario is running; start this one when it is done.")],
                     status_code=409, form=form)
    except ConflictError:
        runs.discard(run_id)
        return _form(request, user, [NAME_TAKEN], status_code=409, form=form)
    except InputError:
        runs.discard(run_id)
        return _form(request, user, [N_("Give the run a name of at most 200 characters.")], status_code=422,
                     form=form)
    return RedirectResponse(f"/scenarios/runs/{run_id}", status_code=303)


class _FormErrors(Exception):
    """The form's changed assumptions were refused; ``errors`` are (message, label) pairs."""

    def __init__(self, errors: list[Any]) -> None:
        super().__init__(len(errors))
        self.errors = errors


def _now() -> dt.datetime:
    """The wall clock of the adapter (engines never read it)."""
    return dt.datetime.now(dt.UTC)


REPLICATIONS_ERROR = N_("Replications must be a whole number from 1 to 50.")


@router.get("/scenarios/runs/{run_id}")
def show_run(request: Request, user: ManagerDep, run_id: str) -> Response:
    """The run's progress while it runs; its charts, table and downloads when it is done."""
    runs = runs_of(request)
    state = runs.state(run_id)
    if state is None:
        return render(request, "errors/404.html", page_context(user), status_code=404)
    context: dict[str, Any] = {**page_context(user), "run": state}
    directory = runs.directory(run_id)
    if state.status == "done" and directory is not None:
        context.update(_results(directory, language_of(request, settings_of(request).language)))
    return render(request, "scenarios/run.html", context)


@router.get("/scenarios/runs/{run_id}/progress")
def run_progress(request: Request, user: ManagerDep, run_id: str) -> Response:
    """The progress bar (polled by htmx); once the run ends, the page reloads to its results."""
    state = runs_of(request).state(run_id)
    if state is None:
        return Response(status_code=404)
    if state.status != "running":
        return Response(status_code=204, headers={"HX-Redirect": f"/scenarios/runs/{run_id}"})
    return render(request, "scenarios/progress.html", {"run": state})


@router.get("/scenarios/runs/{run_id}/files/{name}")
def download(request: Request, user: ManagerDep, run_id: str, name: str) -> Response:
    """One of the run's output files, by fixed name only."""
    directory = runs_of(request).directory(run_id)
    if directory is None or name not in DOWNLOADS or not (directory / name).is_file():
        return Response(status_code=404)
    return FileResponse(directory / name, media_type=DOWNLOADS[name], filename=name)


@router.get("/scenarios/runs/{run_id}/charts/{metric}.svg")
def chart(request: Request, user: ManagerDep, run_id: str, metric: str) -> Response:
    """The metric's chart (years on x, one line per alternative with its P10–P90 band), in the page's
    language when the run wrote one in it (runs before issue 14 have the bokmål charts only)."""
    directory = runs_of(request).directory(run_id)
    if directory is None or metric not in METRIC_LABELS_NB:
        return Response(status_code=404)
    path = directory / "charts" / f"{metric}.svg"
    english = directory / "charts" / "en" / f"{metric}.svg"
    if language_of(request, settings_of(request).language) == "en" and english.is_file():
        path = english
    if not path.is_file():
        return Response(status_code=404)
    return FileResponse(path, media_type="image/svg+xml")


def _results(directory: Path, language: str) -> dict[str, Any]:
    records = json.loads((directory / "summary.json").read_text(encoding="utf-8"))
    years = sorted({r["year"] for r in records})
    alternatives = sorted({r["alternative"] for r in records})
    last = years[-1] if years else None
    index = {(r["alternative"], r["metric"]): r for r in records if r["year"] == last}
    metrics = [m for m in METRIC_LABELS_NB if any(r["metric"] == m for r in records)]
    def number(value: float) -> str:
        return format_number(value, language)

    table = [
        (metric_label(m, language), [
            (number(index[(a, m)]["p50"]), number(index[(a, m)]["p10"]), number(index[(a, m)]["p90"]))
            if (a, m) in index else ("", "", "")
            for a in alternatives
        ])
        for m in metrics
    ]
    charts = [(m, metric_label(m, language)) for m in metrics
              if (directory / "charts" / f"{m}.svg").is_file()]
    decision_path = directory / "decision.json"
    decision = json.loads(decision_path.read_text(encoding="utf-8")) if decision_path.is_file() else {}
    return {
        "decision": decision,
        "year": last, "years": years, "table": table, "charts": charts,
        "alternatives": [alternative_label(a, language) for a in alternatives],
        "downloads": [name for name in DOWNLOADS if (directory / name).is_file()],
    }


@router.get("/scenarios/compare")
def compare(request: Request, user: ManagerDep, engine: EngineDep) -> Response:
    """Named runs side by side: changed assumptions, the decision, and each alternative's key numbers."""
    ids = [i for i in request.query_params.getlist("run") if i]
    language = language_of(request, settings_of(request).language)
    context: dict[str, Any] = {**page_context(user), "columns": [], "rows": [], "errors": []}
    if len(ids) < 2:
        context["errors"] = [N_("Choose at least two runs to compare.")]
        return render(request, "scenarios/compare.html", context)
    try:
        runs = stored.get_scenario_runs(engine=engine, principal=user, run_ids=ids[:6])
    except NotFoundError:
        return render(request, "errors/404.html", page_context(user), status_code=404)
    context["columns"] = runs
    context["changed"] = [
        (describe(path), [_range_text(r.overrides.get(path), language) for r in runs])
        for path in sorted({p for r in runs for p in r.overrides}, key=lambda p: describe(p))
    ]
    alternatives = sorted({a for r in runs for a in r.results.get("p50", {})})
    rows = []
    for metric in ("cost_nok_per_year", "co2_tonnes_per_year", "km_per_year", "storage_m2", "vehicles"):
        for alt in alternatives:
            values = [r.results.get("p50", {}).get(alt, {}).get(metric) for r in runs]
            if any(v is not None for v in values):
                rows.append((metric_label(metric, language), alternative_label(alt, language),
                             [format_number(v, language) for v in values]))
    context["rows"] = rows
    context["decisions"] = [r.results.get("decision", {}) for r in runs]
    return render(request, "scenarios/compare.html", context)


def _range_text(value: Any, language: str) -> str:
    if not value:
        return "–"
    return " – ".join(format_number(float(v), language) for v in value)
