"""``hjemme backup OUT`` and ``hjemme restore IN``: the whole database to a file and back."""

from __future__ import annotations

from pathlib import Path

import typer

from hjemme.cli._common import cli_errors, database
from hjemme.services.backup import backup_database, restore_database
from hjemme.settings import get_settings


def backup_command(
    out: Path = typer.Argument(..., help="The backup file to write."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Back up the database (SQLite: online backup API; PostgreSQL: pg_dump custom format)."""
    with cli_errors(), database():  # migrated: a backup always holds a complete schema
        result = backup_database(url=get_settings().database_url, out=out, overwrite=force)
    typer.echo(f"Backed up to {result.path} ({result.size_bytes:,} bytes, {result.format}).")


def restore_command(
    source: Path = typer.Argument(..., metavar="IN", help="A file written by hjemme backup."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask; replace the database's contents."),
) -> None:
    """Replace the database's contents with a backup (restart a running server afterwards)."""
    url = get_settings().database_url
    if not yes and not typer.confirm(f"Replace everything in {url.split('@')[-1]} with {source}?"):
        raise typer.Exit(1)
    with cli_errors():
        restore_database(url=url, source=source)
    with cli_errors(), database():
        pass  # an older backup is migrated to this version's schema
    typer.echo(f"Restored from {source}; restart a running server.")
