"""``hjemme export research``: the pseudonymised research export written as CSV or Parquet files."""

from __future__ import annotations

import datetime as dt
import enum
from pathlib import Path

import typer

from hjemme.cli._common import CLI_PRINCIPAL, cli_errors, database
from hjemme.services import research
from hjemme.settings import get_settings

app = typer.Typer(name="export", help="Pseudonymised exports.", no_args_is_help=True, add_completion=False)


class FileFormat(enum.StrEnum):
    CSV = "csv"
    PARQUET = "parquet"


class Geography(enum.StrEnum):
    DISTRICT = "district"
    ZONE = "zone"


def _width(value: int) -> int:
    if value not in research.AGE_BAND_CHOICES:
        raise typer.BadParameter(f"{value} is not one of {', '.join(map(str, research.AGE_BAND_CHOICES))}")
    return value


@app.command("research")
def research_command(
    out: Path = typer.Option(..., "--out", help="Directory to write the tables into (created if missing)."),
    file_format: FileFormat = typer.Option(FileFormat.CSV, "--format", case_sensitive=False,
                                           help="csv or parquet."),
    age_band_years: int = typer.Option(10, "--age-band-years", callback=_width,
                                       help="Width of the age bands: 5, 10, 20 or 30."),
    geography: Geography = typer.Option(Geography.DISTRICT, "--geography", case_sensitive=False,
                                        help="district, or the coarser zone (centre, inner, outer)."),
    k: int | None = typer.Option(None, "--k", help="Smallest group size (default HJEMME_RESEARCH_K, 5)."),
) -> None:
    """Write pathways, measurements, proms and plan_kpis tables; exit 1 naming the quasi-identifier
    combination when the export is not k-anonymous (nothing is written then)."""
    settings = get_settings()
    if not settings.research_key:
        typer.echo("HJEMME_RESEARCH_KEY is not set: pseudonyms need the research key (at least 32 random "
                   "characters, never the signing key).", err=True)
        raise typer.Exit(2)
    with cli_errors(), database() as engine:
        export = research.export_research(
            engine=engine, principal=CLI_PRINCIPAL, research_key=settings.research_key,
            at=dt.datetime.now(dt.UTC), client=None, k=settings.research_k if k is None else k,
            age_band_years=age_band_years, geography=geography.value)
        files = research.export_files(export, file_format.value)
    out.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (out / name).write_bytes(content)
    typer.echo(f"Wrote {', '.join(files)} to {out} ({export.patients} patients, smallest group "
               f"{export.smallest_group}, k={export.k}).")
