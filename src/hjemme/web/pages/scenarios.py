"""Scenarios for management (given to coordinators and administrators, see docs/web.md): pick the
default scenario or upload a YAML file, run it in fast mode in the background with a progress bar,
then read the charts (P10–P90 bands), the alternatives side by side, and download the Excel
workbook and the HTML report. The runs live in :mod:`hjemme.web.scenario_runs`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from hjemme.domain.security import Role
from hjemme.scenario.config import ScenarioFileError
from hjemme.scenario.labels import alternative_label, metric_label
from hjemme.scenario.numbers import format_number
from hjemme.scenario.summary import METRIC_LABELS_NB
from hjemme.services.auth import Principal
from hjemme.web.deps import page_context, page_for_roles, settings_of
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


@router.get("/scenarios")
def scenarios(request: Request, user: ManagerDep) -> Response:
    return _form(request, user)


def _form(request: Request, user: Principal, errors: list[str] | None = None, detail: str = "",
          status_code: int = 200) -> Response:
    context = {
        **page_context(user), "errors": errors or [], "detail": detail,
        "default_name": _default_path(request).name, "replications": DEFAULT_REPLICATIONS,
        "max_replications": MAX_REPLICATIONS,
    }
    return render(request, "scenarios/index.html", context, status_code=status_code)


@router.post("/scenarios/runs")
async def start_run(request: Request, user: ManagerDep) -> Response:
    """Validate the chosen or uploaded file and start it; bad input shows the key path, nothing runs.

    Reading and checking a scenario file takes seconds for a large one: it runs in a worker thread,
    so the event loop (and everyone else's pages) keeps answering meanwhile (#12).
    """
    form = await request.form()
    raw = str(form.get("replications", "")).strip()
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_REPLICATIONS:
        return _form(request, user, [REPLICATIONS_ERROR], status_code=422)
    upload = form.get("file")
    content: bytes | None = None
    if form.get("source") == "upload":
        if not (isinstance(upload, UploadFile) and upload.filename):
            return _form(request, user, [N_("Choose a scenario file to upload.")], status_code=422)
        content = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(content) > MAX_UPLOAD_BYTES:
            return _form(request, user, [N_("The file is larger than 1 MB.")], status_code=422)
    name = Path(upload.filename or "scenario.yaml").name if isinstance(upload, UploadFile) else ""
    return await run_in_threadpool(_start, request, user, content, name, int(raw))


def _start(request: Request, user: Principal, content: bytes | None, name: str,
           replications: int) -> Response:
    runs = runs_of(request)
    run_id, directory = runs.new_directory()
    config_path = directory / "scenario.yaml"
    if content is not None:
        config_path.write_bytes(content)
    else:
        config_path.write_bytes(_default_path(request).read_bytes())
        name = _default_path(request).name
    try:
        runs.start(run_id, config_path, name, replications)
    except ScenarioFileError as exc:
        runs.discard(run_id)
        where = exc.path or N_("(the whole file)")
        return _form(request, user, [N_("The scenario file is not valid; nothing was run.")],
                     detail=f"{where}: {exc.problem}", status_code=422)
    except ScenarioBusyError:
        runs.discard(run_id)
        return _form(request, user, [N_("Another scenario is running; start this one when it is done.")],
                     status_code=409)
    return RedirectResponse(f"/scenarios/runs/{run_id}", status_code=303)


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
    return {
        "year": last, "years": years, "table": table, "charts": charts,
        "alternatives": [alternative_label(a, language) for a in alternatives],
        "downloads": [name for name in DOWNLOADS if (directory / name).is_file()],
    }
