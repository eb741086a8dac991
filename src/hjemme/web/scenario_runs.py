"""Scenario runs started from the web: each in its own directory, in a background thread.

A projection reads a scenario file and writes files; it holds no patient data and nothing to audit,
so, like ``hjemme scenario run`` (``cli/scenario.py``), this adapter calls the scenario engine
directly: ``scenario.fast.run_fast`` and ``scenario.sensitivity.run_sensitivity`` with a progress
callback, then ``scenario.outputs.write_outputs`` and the PDF. A run started from the page's form
carries the manager's changed assumptions (``ranges``) and, when it ends, hands its decision and
key numbers to ``on_finish`` — the page stores them through ``services.scenario_runs`` (issue 15).

Every run gets a fresh id (32 hex digits) and the directory ``<root>/<id>/`` (root is
``var/scenarios`` unless the app sets ``app.state.scenario_root``); an uploaded file is saved there
as ``scenario.yaml`` and validated before anything runs. Files are served only by id and a fixed
name from :data:`DOWNLOADS`, never from a path a user typed.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from hjemme.catalogue import load_catalogue
from hjemme.scenario.config import ScenarioConfig, load_scenario
from hjemme.scenario.model import build_model
from hjemme.scenario.sensitivity import phase_totals, with_ranges

Ranges = Mapping[str, tuple[float, float, float]]
OnFinish = Callable[[str, dict[str, Any], str], None]
"""``on_finish(status, results, error)``: called once when a run ends."""
RUN_ID = re.compile(r"^[0-9a-f]{32}$")
DOWNLOADS = {
    "scenario.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "scenario-en.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "rapport.html": "text/html; charset=utf-8",
    "summary.csv": "text/csv; charset=utf-8",
    "summary.json": "application/json",
    "rapport.pdf": "application/pdf",
    "break_even.csv": "text/csv; charset=utf-8",
    "sensitivity.csv": "text/csv; charset=utf-8",
}
"""The only files of a run that can be downloaded, with their media types."""
STATUS_FILE = "status.json"
CONFIG_FILE = "scenario.yaml"
MAX_RUNNING = 1
"""Runs at a time: the machine is small and a projection uses a whole core."""


class ScenarioBusyError(Exception):
    """Another run is still going; start this one when it is done."""


@dataclass
class RunState:
    """Where a run is: ``running``, ``done`` or ``failed``; replications done of the total."""

    run_id: str
    name: str
    status: str
    done: int
    total: int
    error: str = ""

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


class ScenarioRuns:
    """The runs under one root directory; safe to use from many request threads."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._states: dict[str, RunState] = {}
        self._threads: dict[str, threading.Thread] = {}
        self.pdf = True  # print the report with Chromium when there is one

    def new_directory(self) -> tuple[str, Path]:
        """A fresh run id and its (new, empty) directory."""
        run_id = uuid.uuid4().hex
        directory = self.root / run_id
        directory.mkdir(parents=True)
        return run_id, directory

    def discard(self, run_id: str) -> None:
        """Remove a run that never started (its file was invalid)."""
        directory = self.directory(run_id)
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)

    def directory(self, run_id: str) -> Path | None:
        """The run's directory, or ``None`` for anything that is not a run id of this root."""
        if not RUN_ID.match(run_id):
            return None
        directory = self.root / run_id
        return directory if directory.is_dir() else None

    def validate(self, path: Path) -> ScenarioConfig:
        """Read and check a scenario file; raises ``ScenarioFileError`` naming the key path."""
        config = load_scenario(path)
        build_model(config, load_catalogue())  # cross-references to the catalogue fail here
        return config

    def busy(self) -> bool:
        """Whether a run is going (a new one would be refused)."""
        with self._lock:
            return sum(1 for s in self._states.values() if s.status == "running") >= MAX_RUNNING

    def start(self, run_id: str, config_path: Path, name: str, replications: int, *,
              ranges: Ranges | Callable[[ScenarioConfig], Ranges] | None = None,
              on_finish: OnFinish | None = None, before_start: Callable[[], None] | None = None) -> RunState:
        """Run the validated file (with ``ranges`` changed) in a background thread: fast mode, then the
        sensitivity of the last year, then the report. ``ranges`` may be a function of the validated
        scenario (the page checks its form against it and may raise); ``before_start`` runs once all is
        valid and nothing else is running (the page stores the run there)."""
        config = self.validate(config_path)
        if callable(ranges):
            ranges = ranges(config)
        if ranges:
            config = with_ranges(config, ranges, note="endret i scenariosiden")
            (self.root / run_id / "overrides.json").write_text(
                json.dumps({k: list(v) for k, v in ranges.items()}, ensure_ascii=False), encoding="utf-8")
        total = replications + sum(phase_totals(config).values())
        with self._lock:
            running = sum(1 for s in self._states.values() if s.status == "running")
            if running >= MAX_RUNNING:
                raise ScenarioBusyError
            if before_start is not None:
                before_start()
            state = RunState(run_id, name, "running", 0, total)
            self._states[run_id] = state
            thread = threading.Thread(
                target=self._run, args=(state, config, replications, on_finish), name=f"scenario-{run_id}",
                daemon=True,
            )
            self._threads[run_id] = thread
        self._save(state)
        thread.start()
        return state

    def state(self, run_id: str) -> RunState | None:
        """The run's state (from memory, or from its status file after a restart)."""
        with self._lock:
            if run_id in self._states:
                return RunState(**asdict(self._states[run_id]))
        directory = self.directory(run_id)
        if directory is None or not (directory / STATUS_FILE).is_file():
            return None
        state = RunState(**json.loads((directory / STATUS_FILE).read_text(encoding="utf-8")))
        if state.status == "running":  # the server stopped while it ran
            state.status, state.error = "failed", "stopped"
        return state

    def wait(self, run_id: str, timeout_s: float) -> None:
        """Block until the run's thread ends (for tests and scripts)."""
        thread = self._threads.get(run_id)
        if thread is not None:
            thread.join(timeout_s)

    def _run(self, state: RunState, config: ScenarioConfig, replications: int,
             on_finish: OnFinish | None) -> None:
        from hjemme.scenario.fast import run_fast
        from hjemme.scenario.outputs import write_outputs
        from hjemme.scenario.pdf import write_pdf
        from hjemme.scenario.sensitivity import run_sensitivity

        directory = self.root / state.run_id

        def advance(_replication: int) -> None:
            with self._lock:
                state.done += 1

        def progressed(_phase: str, _done: int, _total: int) -> None:
            advance(0)

        results: dict[str, Any] = {}
        try:
            model = build_model(config, load_catalogue())
            samples = run_fast(model, replications=replications, seed=config.seed, years=config.years,
                               alternatives=sorted(config.delivery_models), on_replication=advance)
            sensitivity = run_sensitivity(model, config, config.years[-1], on_progress=progressed)
            paths = write_outputs(directory, config, samples, replications=replications, seed=config.seed,
                                  sensitivity=sensitivity)
            if self.pdf:
                write_pdf(paths["html"], directory / "rapport.pdf")
            results = run_results(directory)
            with self._lock:
                state.status, state.done = "done", state.total
        except Exception as exc:  # noqa: BLE001 - a failed run is shown on its page, not lost in a thread
            with self._lock:
                state.status, state.error = "failed", type(exc).__name__
        self._save(state)
        if on_finish is not None:
            try:
                on_finish(state.status, results, state.error)
            except Exception:  # noqa: BLE001, S110 - the files are written; the page still shows them
                pass

    def _save(self, state: RunState) -> None:
        with self._lock:
            text = json.dumps(asdict(state), ensure_ascii=False)
        (self.root / state.run_id / STATUS_FILE).write_text(text, encoding="utf-8")


def run_results(directory: Path) -> dict[str, Any]:
    """What a finished run keeps for comparison: the decision and each alternative's P50 in its last year."""
    records = json.loads((directory / "summary.json").read_text(encoding="utf-8"))
    decision_path = directory / "decision.json"
    decision = json.loads(decision_path.read_text(encoding="utf-8")) if decision_path.is_file() else {}
    last = max(r["year"] for r in records)
    p50: dict[str, dict[str, float]] = {}
    for r in records:
        if r["year"] == last:
            p50.setdefault(r["alternative"], {})[r["metric"]] = r["p50"]
    return {"year": last, "decision": decision, "p50": p50}
