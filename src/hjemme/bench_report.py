"""Benchmark reports: every benchmark appends its table to ``docs/benchmarks.md`` the same way.

Each benchmark owns one ``## Section``; a run appends a ``### <date> — <machine>`` block at the end
of its section and leaves every other section as it was, so the file is a history per benchmark.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path

DEFAULT_REPORT = Path("docs/benchmarks.md")


def machine_description() -> str:
    """Where a number was measured: architecture, cores, Python (benchmarks are machine-bound)."""
    cpu = platform.processor() or platform.machine()
    return f"{platform.system()} {cpu} · {os.cpu_count()} cores · Python {platform.python_version()}"


def run_heading(now: dt.datetime, note: str = "") -> str:
    """``### 2026-11-23 23:40 UTC — Linux x86_64 · 2 cores · Python 3.11.7`` (+ a note)."""
    stamp = now.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"### {stamp} — {machine_description()}" + (f" · {note}" if note else "")


def append_report(path: Path, block: str, section: str) -> None:
    """Append ``block`` at the end of ``section`` in ``path``, creating either when missing."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    block = block.strip("\n") + "\n"
    if f"\n{section}\n" not in f"\n{text}":
        text = text.rstrip("\n") + f"\n\n{section}\n\n{block}"
    else:
        start = f"\n{text}".index(f"\n{section}\n") + len(section)
        following = text.find("\n## ", start)
        end = len(text) if following == -1 else following
        rest = text[end:].lstrip("\n")
        text = text[:end].rstrip("\n") + "\n\n" + block + ("\n" + rest if rest else "")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
