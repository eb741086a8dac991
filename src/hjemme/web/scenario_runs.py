"""Scenario runs started from the web: each in its own directory, in a background thread.

A projection reads a scenario file and writes files; it holds no stored data and nothing to audit,
so, like ``hjemme scenario run`` (``cli/scenario.py``), this adapter calls the scenario engine
directly: ``scenario.fast.run_fast`` with a progress callback, then ``scenario.outputs.write_outputs``.

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
from dataclasses import asdict, dataclass
from pathlib import Path

from hjemme.catalogue import load_catalogue
from hjemme.scenario.config import ScenarioConfig, load_scenario
from hjemme.scenario.model import build_model

RUN_ID = re.compile(r"^[0-9a-f]{32}$")
DOWNLOADS = {
    "scenario.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "scenario-en.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "rapport.html": "text/html; charset=utf-8",
    "summary.csv": "text/csv; charset=utf-8",
    "summary.json": "application/json",
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

    def start(self, run_id: str, config_path: Path, name: str, replications: int) -> RunState:
        """Run the validated file in fast mode in a background thread."""
        config = self.validate(config_path)
        with self._lock:
            running = sum(1 for s in self._states.values() if s.status == "running")
            if running >= MAX_RUNNING:
                raise ScenarioBusyError
            state = RunState(run_id, name, "running", 0, replications)
            self._states[run_id] = state
            thread = threading.Thread(
                target=self._run, args=(state, config, replications), name=f"scenario-{run_id}", daemon=True
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

    def _run(self, state: RunState, config: ScenarioConfig, replications: int) -> None:
        from hjemme.scenario.fast import run_fast
        from hjemme.scenario.outputs import write_outputs

        directory = self.root / state.run_id

        def advance(_replication: int) -> None:
            with self._lock:
                state.done += 1

        try:
            model = build_model(config, load_catalogue())
            samples = run_fast(model, replications=replications, seed=config.seed, years=config.years,
                               alternatives=sorted(config.delivery_models), on_replication=advance)
            write_outputs(directory, config, samples, replications=replications, seed=config.seed)
            with self._lock:
                state.status = "done"
        except Exception as exc:  # noqa: BLE001 - a failed run is shown on its page, not lost in a thread
            with self._lock:
                state.status, state.error = "failed", type(exc).__name__
        self._save(state)

    def _save(self, state: RunState) -> None:
        with self._lock:
            text = json.dumps(asdict(state), ensure_ascii=False)
        (self.root / state.run_id / STATUS_FILE).write_text(text, encoding="utf-8")
