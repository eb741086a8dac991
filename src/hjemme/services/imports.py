"""Files in, for a clinic without an EHR feed (issue 13, item 6): patients, staff, absences and
vehicles from ``.xlsx`` or ``.csv``.

All or nothing: every row is checked first, and when any is rejected nothing is written and the
:class:`ImportRejectedError` lists every rejected row with its row number (as the spreadsheet shows
it, the header being row 1), the column, the value and why. ``dry_run`` checks without writing.
The columns are documented in ``docs/import.md``; :func:`template` makes the downloadable template.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, replace
from typing import Any

from openpyxl import Workbook
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hjemme.catalogue import Catalogue, load_catalogue
from hjemme.domain.availability import Absence
from hjemme.domain.journal import EntryKind
from hjemme.errors import InputError
from hjemme.services.access import require_role
from hjemme.services.auth import Principal
from hjemme.services.availability import (
    REGISTRARS,
    register_in,
)
from hjemme.services.day_sync import planned_dates, stored_problem, write_through_journal
from hjemme.services.import_rows import PARSERS, Cells, RowError, read_rows
from hjemme.services.journal import DayChange
from hjemme.services.stay_days import admission_day_changes
from hjemme.services.stays import admit_in, new_id
from hjemme.store import realdata as store
from hjemme.store.database import session_scope
from hjemme.store.tables import PatientRecord, StaffRecord, VehicleRecord

KINDS = ("patients", "staff", "absences", "vehicles")
MAX_ROWS = 50_000
COLUMNS: dict[str, tuple[tuple[str, bool, str], ...]] = {
    "patients": (
        ("patient_id", False, "P-1001"),
        ("national_id", False, "01017012345"),
        ("hospital_id", False, "DIPS-778899"),
        ("name", True, "Kari Nordmann"),
        ("birth_year", True, "1950"),
        ("address", True, "Sannergata 12A, 0557 Oslo"),
        ("district", False, "grunerlokka"),
        ("lat", False, ""),
        ("lon", False, ""),
        ("phone", False, "+47 912 34 567"),
        ("access_notes", False, "Nøkkelboks 1234"),
        ("delivery_notes", False, "Ring på"),
        ("next_of_kin", False, "Ola Nordmann (sønn) +47 987 65 432"),
        ("language", False, "nb"),
        ("needs_interpreter", False, "nei"),
        ("lives_alone", False, "ja"),
        ("clinic", False, ""),
        ("pathway", True, "wound_care"),
        ("start_date", True, "2026-12-01"),
        ("length_days", True, "14"),
        ("preferred_staff", False, ""),
        ("excluded_staff", False, ""),
    ),
    "staff": (
        ("id", True, "N-0042"),
        ("name", True, "Nina Hansen"),
        ("profession", True, "nurse"),
        ("skills", True, "nurse;wound;sampling"),
        ("home_base", True, "ullevaal"),
        ("contract_pct", False, "80"),
        ("phone", False, "+47 900 00 000"),
        ("shift_start", False, "08:00"),
        ("shift_end", False, "16:00"),
        ("clinic", False, ""),
        ("qualified_carrier", False, "nei"),
    ),
    "absences": (
        ("staff_id", True, "N-0042"),
        ("kind", True, "sick"),
        ("from_date", True, "2026-12-02"),
        ("to_date", False, "2026-12-04"),
        ("from_time", False, ""),
        ("to_time", False, ""),
        ("note", False, ""),
    ),
    "vehicles": (
        ("id", True, "VAN-07"),
        ("name", False, "Varebil 7"),
        ("kind", True, "van"),
        ("home_site", True, "logistics_centre"),
        ("volume_l", True, "3000"),
        ("weight_kg", True, "800"),
        ("cold_chain", False, "ja"),
        ("qualified_carrier", False, "nei"),
        ("electric", False, "ja"),
        ("last_service", False, "2026-06-01"),
        ("next_service", False, "2026-12-15"),
    ),
}
"""Per kind: (column, required, example). Booleans: ja/nei, yes/no, true/false, 1/0."""


class ImportRejectedError(InputError):
    """The file was not imported: ``errors`` lists every rejected row."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        first = errors[0]
        super().__init__(
            "file",
            f"{len(errors)} rejected row(s), nothing imported; first: row {first.row}, "
            f"{first.column} = {first.value!r}: {first.why}",
        )


@dataclass(frozen=True, slots=True)
class ImportResult:
    kind: str
    rows: int
    written: int  # 0 on a dry run
    dry_run: bool
    planned_days: int = 0


def template(kind: str, fmt: str = "xlsx") -> bytes:
    """A template with the columns and one example row (``xlsx`` or ``csv``)."""
    columns = _columns(kind)
    header = [c for c, _, _ in columns]
    example = [e for _, _, e in columns]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        writer.writerows([header, example])
        return out.getvalue().encode("utf-8-sig")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = kind
    sheet.append(header)
    sheet.append(example)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def import_file(
    *,
    engine: Engine,
    principal: Principal,
    kind: str,
    filename: str,
    content: bytes,
    now: dt.datetime,
    dry_run: bool = False,
    client: str | None = None,
    catalogue: Catalogue | None = None,
) -> ImportResult:
    """Check every row of the file and, unless ``dry_run``, store them all in one transaction."""
    require_role(principal, REGISTRARS)
    catalogue = catalogue or load_catalogue()
    columns = _columns(kind)
    rows = list(read_rows(filename, content))
    if not rows:
        raise InputError("file", "the file has no rows below the header")
    if len(rows) > MAX_ROWS:
        raise InputError("file", f"at most {MAX_ROWS} rows at a time")
    missing = [c for c, required, _ in columns if required and c not in rows[0][1]]
    if missing:
        raise InputError("file", f"missing column(s): {', '.join(missing)}")
    errors: list[RowError] = []
    parse = PARSERS[kind]
    items: list[tuple[int, Any]] = []
    for number, row in rows:
        cells = Cells(number, row, errors)
        item = parse(cells, catalogue, now)
        if item is not None and cells.ok:
            items.append((number, item))
    with session_scope(engine) as session:
        _check_stored(session, kind, items, errors)
    if errors:
        raise ImportRejectedError(sorted(errors, key=lambda e: (e.row, e.column)))
    values = [item for _, item in items]
    if dry_run:
        return ImportResult(kind, len(rows), 0, True)
    if kind == "patients":
        values = [
            replace(a, patient_id=a.patient_id or new_id("P"), episode_id=a.episode_id or new_id("E"))
            for a in values
        ]
        changes = admission_day_changes(engine, values, now, catalogue)
    else:
        changes = _absence_changes(engine, values, now) if kind == "absences" else []

    def write(session: Session) -> None:
        resource = f"import {kind} {filename}"
        if kind == "patients":
            admit_in(
                session,
                principal=principal,
                admissions=values,
                now=now,
                catalogue=catalogue,
                client=client,
                resource=resource,
            )
        elif kind == "staff":
            register_in(
                session,
                principal=principal,
                staff=values,
                vehicles=[],
                now=now,
                catalogue=catalogue,
                client=client,
            )
        elif kind == "vehicles":
            register_in(
                session,
                principal=principal,
                staff=[],
                vehicles=values,
                now=now,
                catalogue=catalogue,
                client=client,
            )
        else:
            for absence in values:
                store.add_absence(session, absence, username=principal.username, at=now)

    effects = write_through_journal(
        engine=engine, principal=principal, changes=changes, write=write, now=now, client=client
    )
    return ImportResult(kind, len(rows), len(values), False, len(effects))


# -- checks against what is stored ----------------------------------------------------------------


def _check_stored(session: Session, kind: str, items: list[tuple[int, Any]], errors: list[RowError]) -> None:
    """Duplicates within the file and clashes with stored rows become row errors."""

    def unique(column: str, values: list[tuple[int, str | None]], stored: set[str]) -> None:
        seen: dict[str, int] = {}
        for number, value in values:
            if not value:
                continue
            if value in stored:
                errors.append(RowError(number, column, value, "already stored"))
            elif value in seen:
                errors.append(RowError(number, column, value, f"also on row {seen[value]}"))
            seen.setdefault(value, number)

    if kind == "patients":
        for column, attr, record_column in (
            ("patient_id", "patient_id", PatientRecord.id),
            ("national_id", "national_id", PatientRecord.national_id),
            ("hospital_id", "hospital_id", PatientRecord.hospital_id),
        ):
            values = [(n, getattr(a, attr)) for n, a in items]
            wanted = [v for _, v in values if v]
            stored = (
                set(session.scalars(select(record_column).where(record_column.in_(wanted[:30000]))))
                if wanted
                else set()
            )
            unique(column, values, {s for s in stored if s})
    elif kind in ("staff", "vehicles"):
        table = StaffRecord if kind == "staff" else VehicleRecord
        values = [(n, s.id) for n, s in items]
        unique("id", values, set(session.scalars(select(table.id))))
    else:
        known = set(session.scalars(select(StaffRecord.id)))
        for number, absence in items:
            if absence.staff_id not in known:
                errors.append(RowError(number, "staff_id", absence.staff_id, "no such member of staff"))


def _absence_changes(
    engine: Engine, absences: list[Absence], now: dt.datetime
) -> list[tuple[dt.date, DayChange]]:
    changes = []
    for absence in absences:
        for date in planned_dates(engine, start=absence.from_date, end=absence.to_date, now=now):
            stored = stored_problem(engine, date)
            if stored is not None and any(r.staff_id == absence.staff_id for r in stored[0].resources):
                changes.append(
                    (
                        date,
                        DayChange(
                            EntryKind.ABSENT,
                            staff_id=absence.staff_id,
                            from_min=absence.from_min,
                            to_min=absence.to_min,
                            reason=str(absence.kind),
                        ),
                    )
                )
    return sorted(changes, key=lambda c: c[0])


def _columns(kind: str) -> tuple[tuple[str, bool, str], ...]:
    if kind not in COLUMNS:
        raise InputError("kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    return COLUMNS[kind]
