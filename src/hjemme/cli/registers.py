"""``hjemme patient|staff|vehicle|import …`` and ``hjemme user link``: the registers of a real
service (issue 13), as thin commands over :mod:`hjemme.services.stays`,
:mod:`hjemme.services.availability` and :mod:`hjemme.services.imports`."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from pathlib import Path

import typer

from hjemme.cli._common import CLI_PRINCIPAL, EXIT_BAD_INPUT, cli_errors, database, parse_date_option
from hjemme.domain.time import local_date
from hjemme.services import availability, imports, stays
from hjemme.services.user_links import link_user

patient_app = typer.Typer(help="Refer, admit, change, pause and discharge patients.", no_args_is_help=True)
staff_app = typer.Typer(help="Register staff and their absences.", no_args_is_help=True)
vehicle_app = typer.Typer(help="Register vehicles and periods out of service.", no_args_is_help=True)
import_app = typer.Typer(
    help="Import patients, staff, absences or vehicles from .xlsx/.csv.", no_args_is_help=True
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _date(value: dt.date | str | None) -> dt.date:
    return value if isinstance(value, dt.date) else local_date(_now())


def _ids(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def _minutes(value: str | None, option: str) -> int | None:
    if not value:
        return None
    try:
        hours, minutes = value.split(":")
        return int(hours) * 60 + int(minutes)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a time HH:MM", param_hint=option) from None


def _days(result: stays.StayResult | availability.RegisterResult) -> None:
    for day in result.days:
        typer.echo(f"  plan {day.date} now version {day.version} (journal #{day.seq})")


DATE = typer.Option(
    None, "--date", callback=parse_date_option, help="From this day (YYYY-MM-DD; default today)."
)


@patient_app.command("admit")
def admit_command(
    name: str = typer.Option(..., "--name"),
    birth_year: int = typer.Option(..., "--birth-year"),
    address: str = typer.Option(..., "--address"),
    pathway: str = typer.Option(..., "--pathway", help="Pathway id (see the catalogue)."),
    days: int = typer.Option(..., "--days", help="Length of the stay in days."),
    start: str | None = typer.Option(
        None, "--start", callback=parse_date_option, help="First day (default today)."
    ),
    district: str = typer.Option("", "--district", help="Oslo district id (bydel), e.g. grunerlokka."),
    lat: float | None = typer.Option(None, "--lat"),
    lon: float | None = typer.Option(None, "--lon"),
    phone: str = typer.Option("", "--phone"),
    access_notes: str = typer.Option("", "--access-notes", help="Key box, door code …"),
    delivery_notes: str = typer.Option("", "--delivery-notes"),
    next_of_kin: str = typer.Option("", "--next-of-kin"),
    language: str = typer.Option("nb", "--language"),
    interpreter: bool = typer.Option(False, "--interpreter/--no-interpreter"),
    lives_alone: bool = typer.Option(False, "--lives-alone/--not-alone"),
    clinic: str = typer.Option("", "--clinic"),
    preferred: str = typer.Option(
        "", "--preferred", help="Preferred clinicians' staff ids, comma-separated."
    ),
    excluded: str = typer.Option("", "--excluded", help="Excluded clinicians' staff ids, comma-separated."),
    national_id: str | None = typer.Option(None, "--national-id", help="Fødselsnummer/D-nummer (11 digits)."),
    hospital_id: str | None = typer.Option(None, "--hospital-id"),
    patient_id: str = typer.Option("", "--patient-id"),
    episode_id: str = typer.Option("", "--episode-id"),
    referral: bool = typer.Option(False, "--referral", help="Only register the referral (no work yet)."),
) -> None:
    """Refer or admit a patient (a referred stay is admitted by admitting the patient again)."""
    admission = stays.Admission(
        name=name,
        birth_year=birth_year,
        address=address,
        pathway_id=pathway,
        start_date=_date(start),
        length_days=days,
        district=district,
        lat=lat,
        lon=lon,
        phone=phone,
        access_notes=access_notes,
        delivery_notes=delivery_notes,
        next_of_kin=next_of_kin,
        language=language,
        needs_interpreter=interpreter,
        lives_alone=lives_alone,
        clinic=clinic,
        preferred_staff_ids=_ids(preferred),
        excluded_staff_ids=_ids(excluded),
        national_id=national_id,
        hospital_id=hospital_id,
        patient_id=patient_id,
        episode_id=episode_id,
        referral_only=referral,
    )
    with cli_errors(), database() as engine:
        result = stays.admit_patient(engine=engine, principal=CLI_PRINCIPAL, admission=admission, now=_now())
    typer.echo(
        f"{'Referred' if referral else 'Admitted'} patient {result.patient_id}, stay {result.episode_id}."
    )
    _days(result)


@patient_app.command("change")
def change_command(
    patient_id: str = typer.Argument(...),
    date: str | None = DATE,
    pathway: str = typer.Option("", "--pathway", help="New pathway (stage) from the date."),
    until: str | None = typer.Option(
        None, "--until", callback=parse_date_option, help="New last day of the stay."
    ),
    address: str = typer.Option("", "--address", help="New address from the date."),
    district: str = typer.Option("", "--district"),
    lat: float | None = typer.Option(None, "--lat"),
    lon: float | None = typer.Option(None, "--lon"),
    access_notes: str | None = typer.Option(None, "--access-notes"),
    delivery_notes: str | None = typer.Option(None, "--delivery-notes"),
    preferred: str | None = typer.Option(None, "--preferred", help="Preferred clinicians (comma-separated)."),
    excluded: str | None = typer.Option(None, "--excluded", help="Excluded clinicians (comma-separated)."),
    resume: bool = typer.Option(False, "--resume", help="End a pause: home again from the date."),
    visits_per_day: int | None = typer.Option(
        None, "--visits-per-day", help="The patient's own number of visits on a visit day."
    ),
    visit_every_days: int | None = typer.Option(
        None, "--visit-every-days", help="A visit day every N days from the date (1: daily)."
    ),
    visit_windows: str | None = typer.Option(
        None,
        "--visit-windows",
        help="Visit windows in Oslo time, comma-separated: one for all visits or one per visit "
        "(08:00-10:00,16:00-18:00).",
    ),
    pathway_visits: bool = typer.Option(
        False, "--pathway-visits", help="The pathway's own visit frequency and windows again from the date."
    ),
    reason: str = typer.Option("", "--reason"),
) -> None:
    """Change the patient's open stay from a date: one of --pathway, --until, --address,
    --preferred/--excluded, --resume, or the patient's own visits (--visits-per-day,
    --visit-every-days, --visit-windows; --pathway-visits to hand them back to the pathway)."""
    own_visits = visits_per_day is not None or visit_every_days is not None or visit_windows is not None
    chosen = [
        k
        for k, v in (
            ("pathway", pathway),
            ("until", until),
            ("address", address),
            ("clinicians", preferred is not None or excluded is not None),
            ("resume", resume),
            ("visits", own_visits or pathway_visits),
        )
        if v
    ]
    if len(chosen) != 1:
        typer.echo(
            "Error: give exactly one of --pathway, --until, --address, --preferred/--excluded, --resume, "
            "--visits-per-day/--visit-every-days/--visit-windows, --pathway-visits",
            err=True,
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    with cli_errors():
        windows = stays.parse_windows(_ids(visit_windows)) if visit_windows is not None else None
    change = stays.StayChangeRequest(
        kind=chosen[0],
        date=_date(date),
        pathway_id=pathway,
        until=until if isinstance(until, dt.date) else None,
        address=address,
        district=district,
        lat=lat,
        lon=lon,
        access_notes=access_notes,
        delivery_notes=delivery_notes,
        preferred_staff_ids=_ids(preferred) if preferred is not None else None,
        excluded_staff_ids=_ids(excluded) if excluded is not None else None,
        visits_per_day=visits_per_day,
        visit_every_days=visit_every_days,
        visit_windows=windows,
        pathway_visits=pathway_visits,
        reason=reason,
    )
    with cli_errors(), database() as engine:
        result = stays.change_stay(
            engine=engine, principal=CLI_PRINCIPAL, patient_id=patient_id, change=change, now=_now()
        )
    typer.echo(f"Changed stay {result.episode_id} of {result.patient_id} ({chosen[0]}) from {change.date}.")
    _days(result)


@patient_app.command("pause")
def pause_command(
    patient_id: str = typer.Argument(...),
    date: str | None = DATE,
    until: str = typer.Option(
        ..., "--until", callback=parse_date_option, help="Expected last day in hospital."
    ),
    reason: str = typer.Option("", "--reason"),
) -> None:
    """Pause the stay while the patient is readmitted to hospital."""
    change = stays.StayChangeRequest(
        kind="pause",
        date=_date(date),
        until=until,  # type: ignore[arg-type]
        reason=reason,
    )
    with cli_errors(), database() as engine:
        result = stays.change_stay(
            engine=engine, principal=CLI_PRINCIPAL, patient_id=patient_id, change=change, now=_now()
        )
    typer.echo(f"Paused stay {result.episode_id} of {result.patient_id} {change.date} – {until}.")
    _days(result)


@patient_app.command("discharge")
def discharge_command(
    patient_id: str = typer.Argument(...),
    date: str | None = DATE,
    died: bool = typer.Option(False, "--died", help="The patient died (no work from the date)."),
    reason: str = typer.Option("", "--reason"),
) -> None:
    """Discharge the patient on the date (no work from that day on)."""
    with cli_errors(), database() as engine:
        result = stays.discharge_patient(
            engine=engine,
            principal=CLI_PRINCIPAL,
            patient_id=patient_id,
            date=_date(date),
            died=died,
            reason=reason,
            now=_now(),
        )
    typer.echo(
        f"{'Died' if died else 'Discharged'}: stay {result.episode_id} of {result.patient_id} ends "
        f"before {_date(date)}."
    )
    _days(result)


@staff_app.command("add")
def staff_add_command(
    staff_id: str = typer.Argument(...),
    name: str = typer.Option(..., "--name"),
    profession: str = typer.Option(
        ..., "--profession", help="nurse, doctor, physiotherapist, … driver, courier"
    ),
    skills: str = typer.Option(..., "--skills", help="Comma-separated skills (catalogue skills.yaml)."),
    home_base: str = typer.Option(..., "--home-base", help="Site id, e.g. ullevaal."),
    contract: int = typer.Option(100, "--contract", help="Contract percentage (stillingsprosent)."),
    phone: str = typer.Option("", "--phone"),
    shift_start: str = typer.Option("08:00", "--shift-start"),
    shift_end: str = typer.Option("16:00", "--shift-end"),
    qualified_carrier: bool = typer.Option(False, "--qualified-carrier"),
) -> None:
    """Register (or update) a member of staff."""
    with cli_errors(), database() as engine:
        staff = availability.new_staff(
            id=staff_id,
            name=name,
            role=profession,
            skills=list(_ids(skills)),
            home_base=home_base,
            phone=phone,
            contract_pct=contract,
            shift=(_minutes(shift_start, "--shift-start") or 0, _minutes(shift_end, "--shift-end") or 0),
            qualified_carrier=qualified_carrier,
        )
        result = availability.register_staff(engine=engine, principal=CLI_PRINCIPAL, staff=staff, now=_now())
    typer.echo(f"{'Registered' if result.created else 'Updated'} staff {staff_id}.")


@staff_app.command("absent")
def staff_absent_command(
    staff_id: str = typer.Argument(...),
    kind: str = typer.Option("sick", "--kind", help="sick, holiday, course or other."),
    date: str | None = DATE,
    to: str | None = typer.Option(
        None, "--to", callback=parse_date_option, help="Last day (default: the date)."
    ),
    from_time: str | None = typer.Option(None, "--from-time", help="Part of the day: from HH:MM."),
    to_time: str | None = typer.Option(None, "--to-time", help="Part of the day: to HH:MM."),
    note: str = typer.Option("", "--note"),
) -> None:
    """Register an absence; a day already planned gets it through its journal."""
    with cli_errors(), database() as engine:
        result = availability.record_absence(
            engine=engine,
            principal=CLI_PRINCIPAL,
            staff_id=staff_id,
            kind=kind,
            from_date=_date(date),
            to_date=to if isinstance(to, dt.date) else None,
            from_min=_minutes(from_time, "--from-time") or 0,
            to_min=_minutes(to_time, "--to-time") or 24 * 60,
            note=note,
            now=_now(),
        )
    typer.echo(f"Registered absence #{result.id} for {staff_id}.")
    _days(result)


@vehicle_app.command("add")
def vehicle_add_command(
    vehicle_id: str = typer.Argument(...),
    kind: str = typer.Option(..., "--kind", help="car, van, cold_van or courier."),
    home_site: str = typer.Option(..., "--home-site"),
    volume_l: float = typer.Option(..., "--volume-l"),
    weight_kg: float = typer.Option(..., "--weight-kg"),
    name: str = typer.Option("", "--name"),
    cold_chain: bool = typer.Option(False, "--cold-chain"),
    qualified_carrier: bool = typer.Option(False, "--qualified-carrier"),
    electric: bool = typer.Option(True, "--electric/--fossil"),
    next_service: str | None = typer.Option(None, "--next-service", callback=parse_date_option),
) -> None:
    """Register (or update) a vehicle."""
    with cli_errors(), database() as engine:
        vehicle = availability.new_vehicle(
            id=vehicle_id,
            name=name,
            kind=kind,
            home_site=home_site,
            volume_l=volume_l,
            weight_kg=weight_kg,
            cold_chain=cold_chain,
            qualified_carrier=qualified_carrier,
            electric=electric,
            next_service_date=next_service if isinstance(next_service, dt.date) else None,
        )
        result = availability.register_vehicle(
            engine=engine, principal=CLI_PRINCIPAL, vehicle=vehicle, now=_now()
        )
    typer.echo(f"{'Registered' if result.created else 'Updated'} vehicle {vehicle_id}.")


@vehicle_app.command("out")
def vehicle_out_command(
    vehicle_id: str = typer.Argument(...),
    date: str | None = DATE,
    to: str | None = typer.Option(
        None, "--to", callback=parse_date_option, help="Last day (default: the date)."
    ),
    reason: str = typer.Option("service", "--reason", help="service, repair or other."),
    note: str = typer.Option("", "--note"),
) -> None:
    """Take a vehicle out of service; a day already planned gets it through its journal."""
    with cli_errors(), database() as engine:
        result = availability.record_out_of_service(
            engine=engine,
            principal=CLI_PRINCIPAL,
            vehicle_id=vehicle_id,
            from_date=_date(date),
            to_date=to if isinstance(to, dt.date) else None,
            reason=reason,
            note=note,
            now=_now(),
        )
    typer.echo(f"Vehicle {vehicle_id} out of service (#{result.id}).")
    _days(result)


def _import(kind: str, file: Path, dry_run: bool, output: str) -> None:
    try:
        content = file.read_bytes()
    except OSError as error:
        typer.echo(f"Error: cannot read {file}: {error.strerror}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    try:
        with database() as engine:
            result = imports.import_file(
                engine=engine,
                principal=CLI_PRINCIPAL,
                kind=kind,
                filename=file.name,
                content=content,
                now=_now(),
                dry_run=dry_run,
            )
    except imports.ImportRejectedError as rejected:
        if output == "json":
            typer.echo(json.dumps([asdict(e) for e in rejected.errors], ensure_ascii=False))
        typer.echo(f"Rejected: {len(rejected.errors)} row error(s); nothing imported.", err=True)
        for e in rejected.errors:
            typer.echo(f"  row {e.row}, {e.column} = {e.value!r}: {e.why}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    verb = "Checked" if dry_run else "Imported"
    typer.echo(f"{verb} {result.rows} {kind} row(s){' (dry run: nothing written)' if dry_run else ''}.")


def _import_command(kind: str) -> None:
    def command(
        file: Path = typer.Argument(..., help="An .xlsx or .csv file (see docs/import.md)."),
        dry_run: bool = typer.Option(False, "--dry-run", help="Check every row, write nothing."),
        output: str = typer.Option("text", "--format", help="text or json (rejected rows on stdout)."),
    ) -> None:
        with cli_errors():
            _import(kind, file, dry_run, output)

    command.__doc__ = f"Import {kind} from a file, all or nothing."
    import_app.command(kind)(command)


for _kind in imports.KINDS:
    _import_command(_kind)


@import_app.command("template")
def template_command(
    kind: str = typer.Argument(..., help="patients, staff, absences or vehicles"),
    out: Path = typer.Option(..., "--out", help="Where to write the template (.xlsx or .csv)."),
) -> None:
    """Write the template of a file kind."""
    with cli_errors():
        out.write_bytes(imports.template(kind, "csv" if out.suffix.lower() == ".csv" else "xlsx"))
    typer.echo(f"Wrote {out}.")


def user_link_command(
    username: str = typer.Argument(...),
    staff_id: str | None = typer.Option(None, "--staff-id", help="Link a clinician to a member of staff."),
    patient_id: str | None = typer.Option(None, "--patient-id", help="Link a patient user to a patient."),
) -> None:
    """Link a clinician user to a member of staff, or a patient user to a patient."""
    with cli_errors(), database() as engine:
        link_user(
            engine=engine,
            principal=CLI_PRINCIPAL,
            username=username,
            staff_id=staff_id,
            patient_id=patient_id,
            now=_now(),
        )
    typer.echo(f"Linked {username} to {staff_id or patient_id}.")
