"""``hjemme care``: care assignments, whose patients a user may see, and emergency accesses to review."""

from __future__ import annotations

import datetime as dt
import json

import typer

from hjemme.cli._common import CLI_PRINCIPAL, cli_errors, database, parse_date_option
from hjemme.services import care

app = typer.Typer(name="care", help="Care relationships and emergency access (need-to-know).",
                  no_args_is_help=True, add_completion=False)


@app.command("assign")
def assign_command(
    username: str = typer.Argument(..., help="The user (a clinician) to assign."),
    patient_id: str = typer.Argument(..., help="The patient."),
    until: str | None = typer.Option(None, "--until", callback=parse_date_option,
                                     help="Last day of the assignment (YYYY-MM-DD; default: until ended)."),
) -> None:
    """Put a patient on a clinician's list (need-to-know follows it)."""
    with cli_errors(), database() as engine:
        care.assign_patient(engine=engine, principal=CLI_PRINCIPAL, username=username, patient_id=patient_id,
                            at=dt.datetime.now(dt.UTC), until=until if isinstance(until, dt.date) else None)
    typer.echo(f"Assigned {patient_id} to {username}.")


@app.command("unassign")
def unassign_command(
    username: str = typer.Argument(..., help="The user."),
    patient_id: str = typer.Argument(..., help="The patient."),
) -> None:
    """Take a patient off a clinician's list."""
    with cli_errors(), database() as engine:
        removed = care.unassign_patient(engine=engine, principal=CLI_PRINCIPAL, username=username,
                                        patient_id=patient_id, at=dt.datetime.now(dt.UTC))
    typer.echo(f"Removed {removed} assignment(s) of {patient_id} to {username}.")


@app.command("patients")
def patients_command(username: str = typer.Argument(..., help="The user whose care to show.")) -> None:
    """The patients a user may see today and why (route, team, assigned, emergency, carried), as JSON."""
    with cli_errors(), database() as engine:
        scope = care.scope_of_user(engine=engine, principal=CLI_PRINCIPAL, username=username,
                                   at=dt.datetime.now(dt.UTC))
    patients = "all" if scope.patient_ids is None else dict(sorted(scope.why.items()))
    typer.echo(json.dumps({"user": username, "date": scope.on.isoformat(), "patients": patients},
                          ensure_ascii=False, indent=1))


@app.command("emergency")
def emergency_command(
    unreviewed: bool = typer.Option(False, "--unreviewed", help="Only those not yet reviewed."),
) -> None:
    """Emergency accesses for review, newest first, as JSON lines."""
    with cli_errors(), database() as engine:
        grants = care.list_emergency_access(engine=engine, principal=CLI_PRINCIPAL,
                                            unreviewed_only=unreviewed)
    for g in grants:
        typer.echo(json.dumps({"id": g.id, "user": g.username, "patient": g.patient_id, "reason": g.reason,
                               "granted_at": g.granted_at.isoformat(), "expires_at": g.expires_at.isoformat(),
                               "reviewed_by": g.reviewed_by}, ensure_ascii=False))
