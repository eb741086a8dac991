"""Backup and restore of the whole database (issue 12): ``hjemme backup OUT`` / ``hjemme restore IN``.

* **SQLite**: Python's ``sqlite3`` online backup API, page by page, consistent while the server
  keeps writing (it is not a file copy of a database in WAL mode, which could miss the WAL). A
  restore copies the backup *into* the live file the same way; it must be an hjemme database
  (it has Alembic's version table).
* **PostgreSQL**: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists
  --single-transaction``, the server's own tools, which must be on ``PATH`` (a clear error
  otherwise). When the URL pins a schema through ``options=-csearch_path=<schema>`` (as the
  tests do), only that schema is dumped and restored. The password travels in ``PGPASSWORD``, not
  on the command line where ``ps`` would show it.

A running server keeps plan views in memory for up to a minute (:mod:`hjemme.services.plan_cache`);
restart it after a restore.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from sqlalchemy.engine import URL

from hjemme.errors import ConflictError, HjemmeError, InputError
from hjemme.store.database import normalise_url

FORMAT_SQLITE = "sqlite"
FORMAT_PG_DUMP = "pg_dump custom"


@dataclass(frozen=True, slots=True)
class BackupResult:
    """What a backup wrote: the file, its size and its format."""

    path: Path
    size_bytes: int
    format: str


def backup_database(*, url: str, out: Path, overwrite: bool = False) -> BackupResult:
    """Write a consistent copy of the database at ``url`` to ``out``; an existing ``out`` is a
    :class:`ConflictError` unless ``overwrite``."""
    if out.exists() and not overwrite:
        raise ConflictError(f"{out} exists already (overwrite it with --force)")
    out.parent.mkdir(parents=True, exist_ok=True)
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        _sqlite_copy(_sqlite_path(parsed), out)
        kind = FORMAT_SQLITE
    elif parsed.get_backend_name() == "postgresql":
        schema = _schema_of(parsed)
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={out}",
              *([f"--schema={schema}"] if schema else []), f"--dbname={_libpq_url(parsed)}"], parsed)
        kind = FORMAT_PG_DUMP
    else:
        raise InputError("HJEMME_DATABASE_URL", f"cannot back up a {parsed.get_backend_name()} database")
    return BackupResult(out, out.stat().st_size, kind)


def restore_database(*, url: str, source: Path) -> None:
    """Replace the contents of the database at ``url`` with the backup ``source``."""
    if not source.is_file():
        raise InputError("IN", f"{source} is not a file")
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        _check_sqlite_backup(source)
        _sqlite_copy(source, _sqlite_path(parsed))
    elif parsed.get_backend_name() == "postgresql":
        schema = _schema_of(parsed)
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
              *([f"--schema={schema}"] if schema else []), f"--dbname={_libpq_url(parsed)}", str(source)],
             parsed)
    else:
        raise InputError("HJEMME_DATABASE_URL", f"cannot restore a {parsed.get_backend_name()} database")


def _sqlite_path(parsed: URL) -> Path:
    if parsed.database in (None, "", ":memory:"):
        raise InputError("HJEMME_DATABASE_URL", "an in-memory SQLite database has nothing to back up")
    return Path(parsed.database or "").expanduser()


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy ``source`` into ``target`` with SQLite's online backup API."""
    source_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        target_db = sqlite3.connect(target)
        try:
            source_db.backup(target_db)
        finally:
            target_db.close()
    except sqlite3.Error as error:
        raise HjemmeError(f"SQLite backup from {source} to {target} failed: {error}") from None
    finally:
        source_db.close()


def _check_sqlite_backup(source: Path) -> None:
    """An :class:`InputError` unless ``source`` is an SQLite file holding an hjemme schema."""
    try:
        connection = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            found = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        found = None
    if found is None:
        raise InputError("IN", f"{source} is not an hjemme SQLite backup")


def _schema_of(parsed: URL) -> str | None:
    """The schema an ``options=-csearch_path=<schema>`` URL pins, if any."""
    options = parsed.query.get("options")
    text = unquote(options if isinstance(options, str) else (options[0] if options else ""))
    for part in text.split():
        if part.startswith("-csearch_path="):
            return part.split("=", 1)[1].split(",")[0].strip('"') or None
    return None


def _libpq_url(parsed: URL) -> str:
    """The URL as libpq reads it: no SQLAlchemy driver, no password (that goes in ``PGPASSWORD``)."""
    return parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise HjemmeError(f"{name} is not installed (the PostgreSQL client tools are needed for this)")
    return found


def _run(command: list[str], parsed: URL) -> None:
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tool = Path(command[0]).name
        raise HjemmeError(f"{tool} failed ({done.returncode}): {done.stderr.strip()[:500]}")
