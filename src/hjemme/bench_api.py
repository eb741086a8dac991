"""``hjemme bench api``: does the API hold load? Plan and alarm-worklist reads at 10 and 50 clients.

Issue 12 targets ≥ 200 req/s with p95 < 100 ms for ``GET /api/plans/{date}`` at 10 concurrent
clients, and no errors. How it measures (wall clock, one machine, the numbers are machine-bound):

* a fresh SQLite file in a temporary directory is seeded like ``hjemme demo`` (``patients``
  patients, one log-in per role), today is planned (``plan_seconds`` of routing search), and red
  vitals are ingested for ``alarm_patients`` patients so the response centre's worklist has alarms;
* a real server — ``uvicorn`` in a child process on 127.0.0.1, one worker, as ``hjemme serve`` runs
  it — serves that file; the coordinator and the response-centre nurse log in through
  ``/api/auth/token``;
* per (endpoint, clients): ``warmup`` requests, then ``requests`` requests shared by ``clients``
  concurrent httpx clients (asyncio, keep-alive), only to 127.0.0.1. Each request's latency is
  send → whole body read; req/s is requests ÷ the wall time of the run; errors are non-200 answers
  and transport errors. The load generator shares the machine's cores with the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from hjemme.domain.time import local_date
from hjemme.planning.params import PlannerParams
from hjemme.services.database import open_database
from hjemme.services.ingest import ingest_device_messages
from hjemme.services.journal import plan_day
from hjemme.services.seeding import link_demo_clinician, prepare_demo
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope

HOST = "127.0.0.1"
SECTION = "## API load"
PLAN_TARGET_RPS = 200.0
PLAN_TARGET_P95_MS = 100.0
RED_VITALS = {"respiratory_rate": (28, "/min"), "spo2": (88, "%"), "systolic_bp": (88, "mm[Hg]"),
              "pulse": (135, "/min"), "temperature": (39.6, "Cel")}


@dataclass(frozen=True, slots=True)
class ApiBenchParams:
    patients: int = 300
    plan_seconds: float = 2.0
    alarm_patients: int = 60
    clients: tuple[int, ...] = (10, 50)
    requests: int = 1000
    warmup: int = 20
    seed: int = 2026

    def __post_init__(self) -> None:
        if self.patients < 10 or self.requests < 1 or self.warmup < 0 or not self.clients:
            raise ValueError("bench api needs ≥ 10 patients, ≥ 1 request and at least one client count")
        if any(c < 1 for c in self.clients):
            raise ValueError("client counts must be at least 1")


@dataclass(frozen=True, slots=True)
class ApiBenchRow:
    """One (endpoint, clients) run."""

    endpoint: str
    clients: int
    requests: int
    seconds: float
    latencies_ms: tuple[float, ...]
    errors: int
    body_kb: float
    items: int
    server_cpu_s: float | None = None
    """CPU seconds the server process used during the run (Linux ``/proc``), None elsewhere."""

    @property
    def cpu_ms_per_request(self) -> float | None:
        return self.server_cpu_s / self.requests * 1000 if self.server_cpu_s is not None else None

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
        return ordered[index]


# -- the world and the server ------------------------------------------------------------------------


def seed_world(
    url: str, params: ApiBenchParams, now: dt.datetime, progress: Callable[[str], None]
) -> dt.date:
    """A demo population, today's plan and open alarms in the database at ``url``; today's date."""
    today = local_date(now)
    engine = open_database(url=url)
    try:
        progress(f"seeding {params.patients} patients")
        prepare_demo(engine=engine, date=today, now=now, n_patients=params.patients, seed=params.seed)
        progress(f"planning {today} ({params.plan_seconds} s search)")
        outcome = plan_day(engine=engine, date=today, now=now,
                           params=PlannerParams(time_limit_s=params.plan_seconds, seed=params.seed))
        link_demo_clinician(engine=engine, plan=outcome.plan)
        with session_scope(engine) as session:
            patients = [p.id for p in repo.list_patients(session, limit=params.alarm_patients)]
        at = now - dt.timedelta(minutes=5)
        messages = [
            (f"hjemme/devices/bench-{p}/observations", json.dumps([
                {"id": f"bench-{p}-{name}", "patient_id": p, "parameter": name, "value": value, "unit": unit,
                 "effective_at": at.isoformat()} for name, (value, unit) in RED_VITALS.items()
            ]).encode())
            for p in patients
        ]
        ingest_device_messages(engine=engine, messages=messages, now=now)
    finally:
        engine.dispose()
    return today


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of process ``pid`` so far (Linux), or None where unknown.

    Machine-load-independent: on a shared machine req/s and latencies vary with the neighbours, the
    server's CPU per request does not.
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Server:
    base: str
    pid: int


@contextlib.contextmanager
def server(url: str, progress: Callable[[str], None]) -> Iterator[Server]:
    """``uvicorn`` serving hjemme on ``url`` in a child process."""
    import httpx

    port = _free_port()
    env = {**os.environ, "HJEMME_DATABASE_URL": url, "HJEMME_SECRET_KEY": secrets.token_urlsafe(48),
           "HJEMME_RESEARCH_KEY": secrets.token_urlsafe(48)}
    command = [sys.executable, "-m", "uvicorn", "hjemme.api.app:create_app", "--factory", "--host", HOST,
               "--port", str(port), "--no-proxy-headers", "--no-access-log", "--log-level", "warning"]
    process = subprocess.Popen(command, env=env)
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/login", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the bench server did not start")
            time.sleep(0.2)
        progress(f"server up at {base} (pid {process.pid})")
        yield Server(base, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- the load ------------------------------------------------------------------------------------------


async def _load(base: str, path: str, token: str, clients: int, requests: int, warmup: int
                ) -> tuple[float, list[float], int, int, int]:
    """``requests`` GETs of ``path`` by ``clients`` concurrent clients: seconds, latencies, errors,
    bytes and items of the last body."""
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    latencies: list[float] = []
    errors = 0
    last = b""
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30.0) as client:
        for _ in range(warmup):
            await client.get(path)
        remaining = requests

        async def worker() -> None:
            nonlocal remaining, errors, last
            while remaining > 0:
                remaining -= 1
                started = time.perf_counter()
                try:
                    response = await client.get(path)
                    body = response.content
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    body, ok = b"", False
                latencies.append((time.perf_counter() - started) * 1000)
                if ok:
                    last = body
                else:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        seconds = time.perf_counter() - started
    data = json.loads(last) if last else None
    if isinstance(data, list):
        items = len(data)
    else:
        items = sum(len(r["stops"]) for r in data["routes"]) if data else 0
    return seconds, latencies, errors, len(last), items


def _token(base: str, username: str, password: str) -> str:
    import httpx

    response = httpx.post(f"{base}/api/auth/token", data={"username": username, "password": password})
    response.raise_for_status()
    return str(response.json()["access_token"])


def run_api_bench(params: ApiBenchParams, progress: Callable[[str], None]) -> list[ApiBenchRow]:
    """Seed, serve and load (see the module docstring); one row per (endpoint, clients)."""
    now = dt.datetime.now(dt.UTC)
    rows: list[ApiBenchRow] = []
    with tempfile.TemporaryDirectory(prefix="hjemme-bench-api-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        today = seed_world(url, params, now, progress)
        with server(url, progress) as running:
            base = running.base
            endpoints = (
                ("GET /api/plans/{date}", f"/api/plans/{today.isoformat()}", "coordinator"),
                ("GET /api/alarms", "/api/alarms?status=open", "responder"),
            )
            for label, path, user in endpoints:
                token = _token(base, user, f"{user}-demo")
                for clients in params.clients:
                    progress(f"{label} × {clients} clients")
                    cpu_before = cpu_seconds(running.pid)
                    seconds, latencies, errors, size, items = asyncio.run(
                        _load(base, path, token, clients, params.requests, params.warmup)
                    )
                    cpu_after = cpu_seconds(running.pid)
                    cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
                    rows.append(ApiBenchRow(label, clients, params.requests, seconds, tuple(latencies),
                                            errors, size / 1024, items, cpu))
    return rows


def _load_average() -> str:
    try:
        return ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def markdown_block(rows: list[ApiBenchRow], heading: str, params: ApiBenchParams) -> str:
    """The run's table for ``docs/benchmarks.md``."""
    lines = [
        heading,
        "",
        "| endpoint | clients | requests | req/s | p50 ms | p95 ms | errors | CPU ms/req | body | items |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        cpu = f"{r.cpu_ms_per_request:.1f}" if r.cpu_ms_per_request is not None else "–"
        lines.append(
            f"| {r.endpoint} | {r.clients} | {r.requests:,} | {r.per_second:,.0f} | {r.percentile(50):.1f} | "
            f"{r.percentile(95):.1f} | {r.errors} | {cpu} | {r.body_kb:.0f} KB | {r.items} |"
        )
    plan = next((r for r in rows if r.endpoint.startswith("GET /api/plans") and r.clients == 10), None)
    verdict = ""
    if plan is not None:
        fast = plan.percentile(95) < PLAN_TARGET_P95_MS
        met = plan.per_second >= PLAN_TARGET_RPS and fast and not plan.errors
        verdict = " — met" if met else " — not met"
    lines += [
        "",
        f"Target (issue 12): plan at 10 clients ≥ {PLAN_TARGET_RPS:.0f} req/s, "
        f"p95 < {PLAN_TARGET_P95_MS:.0f} ms, no errors{verdict}. Real server (uvicorn, one worker, "
        f"SQLite) on 127.0.0.1; {params.patients} demo patients, today planned "
        f"({params.plan_seconds} s search), red vitals for "
        f"{params.alarm_patients} patients; {params.warmup} warm-up requests per run; items = stops in "
        f"the plan / alarms in the worklist; load generator (httpx, asyncio) on the same cores; "
        f"CPU ms/req = the server process's user + system time during the run ÷ requests (independent "
        f"of what else the machine runs). Load average (1, 5, 15 min) at the end: {_load_average()}.",
    ]
    return "\n".join(lines)
