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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hjemme.catalogue import Catalogue, load_catalogue
from hjemme.domain.availability import Absence
from hjemme.domain.journal import EntryKind
from hjemme.domain.people import Staff, Vehicle
from hjemme.errors import InputError
from hjemme.services.access import require_role
from hjemme.services.auth import Principal
from hjemme.services.availability import (
    REGISTRARS,
    check_staff,
    check_vehicle,
    make_absence,
    new_staff,
    new_vehicle,
    register_in,
)
from hjemme.services.day_sync import planned_dates, stored_problem, write_through_journal
from hjemme.services.journal import DayChange
from hjemme.services.stay_days import admission_day_changes
from hjemme.services.stays import Admission, admit_in, check_admission, new_id
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


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    column: str
    value: str
    why: str


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
    parse = {"patients": _patient, "staff": _staff, "absences": _absence, "vehicles": _vehicle}[kind]
    items: list[tuple[int, Any]] = []
    for number, row in rows:
        cells = _Cells(number, row, errors)
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


# -- reading files --------------------------------------------------------------------------------


def read_rows(filename: str, content: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, column → text) for each non-empty row below the header."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        table = _xlsx(content)
    elif name.endswith(".csv"):
        table = _csv(content)
    else:
        raise InputError("file", f"{filename!r}: give an .xlsx or a .csv file")
    header: list[str] | None = None
    for number, cells in enumerate(table, start=1):
        texts = [_text(c) for c in cells]
        if header is None:
            header = [t.strip().lower() for t in texts]
            continue
        if any(texts):
            yield number, {h: (texts[i] if i < len(texts) else "") for i, h in enumerate(header) if h}


def _xlsx(content: bytes) -> Iterator[Sequence[Any]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise InputError("file", f"not a readable .xlsx workbook ({type(error).__name__})") from None
    sheet = book.worksheets[0]
    yield from sheet.iter_rows(values_only=True)


def _csv(content: bytes) -> Iterator[Sequence[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252")  # Excel's "CSV" on Norwegian Windows
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    yield from csv.reader(io.StringIO(text), delimiter=delimiter)


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.strftime("%H:%M")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, dt.time):
        return cell.strftime("%H:%M")
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


# -- parsing cells --------------------------------------------------------------------------------


class _Cells:
    """One row's cells; each getter records a :class:`RowError` instead of raising."""

    def __init__(self, number: int, row: dict[str, str], errors: list[RowError]) -> None:
        self.number, self.row, self.errors, self.ok = number, row, errors, True

    def fail(self, column: str, why: str) -> None:
        self.ok = False
        self.errors.append(RowError(self.number, column, self.row.get(column, ""), why))

    def text(self, column: str, required: bool = False) -> str:
        value = self.row.get(column, "").strip()
        if required and not value:
            self.fail(column, "required")
        return value

    def number_(self, column: str, kind: Callable[[str], Any], required: bool = False) -> Any:
        value = self.text(column, required)
        if not value:
            return None
        try:
            return kind(value.replace(",", ".") if kind is float else value)
        except ValueError:
            self.fail(column, "not a number")
            return None

    def date(self, column: str, required: bool = False) -> dt.date | None:
        value = self.text(column, required)
        if not value:
            return None
        for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
            try:
                return dt.datetime.strptime(value, fmt).date()
            except ValueError:
                continue
        self.fail(column, "not a date (YYYY-MM-DD or DD.MM.YYYY)")
        return None

    def minutes(self, column: str) -> int | None:
        value = self.text(column)
        if not value:
            return None
        try:
            hours, minutes = value.split(":")[:2]
            result = int(hours) * 60 + int(minutes)
            if 0 <= result <= 24 * 60:
                return result
        except ValueError:
            pass
        self.fail(column, "not a time of day (HH:MM)")
        return None

    def flag(self, column: str) -> bool:
        value = self.text(column).lower()
        if value in ("", "nei", "no", "false", "0", "n"):
            return False
        if value in ("ja", "yes", "true", "1", "j", "y"):
            return True
        self.fail(column, "ja or nei")
        return False

    def ids(self, column: str) -> tuple[str, ...]:
        return tuple(v.strip() for v in self.text(column).replace(",", ";").split(";") if v.strip())


def _patient(c: _Cells, catalogue: Catalogue, now: dt.datetime) -> Admission | None:
    admission = Admission(
        patient_id=c.text("patient_id"),
        national_id=c.text("national_id") or None,
        hospital_id=c.text("hospital_id") or None,
        name=c.text("name", True),
        birth_year=c.number_("birth_year", int, True) or 0,
        address=c.text("address", True),
        district=c.text("district"),
        lat=c.number_("lat", float),
        lon=c.number_("lon", float),
        phone=c.text("phone"),
        access_notes=c.text("access_notes"),
        delivery_notes=c.text("delivery_notes"),
        next_of_kin=c.text("next_of_kin"),
        language=c.text("language") or "nb",
        needs_interpreter=c.flag("needs_interpreter"),
        lives_alone=c.flag("lives_alone"),
        clinic=c.text("clinic"),
        pathway_id=c.text("pathway", True),
        start_date=c.date("start_date", True) or now.date(),
        length_days=c.number_("length_days", int, True) or 0,
        preferred_staff_ids=c.ids("preferred_staff"),
        excluded_staff_ids=c.ids("excluded_staff"),
    )
    if not c.ok:
        return None
    renamed = {
        "pathway_id": "pathway",
        "preferred_staff": "preferred_staff",
        "excluded_staff": "excluded_staff",
    }
    for field_name, why in check_admission(admission, catalogue):
        c.fail(renamed.get(field_name, field_name), why)
    return admission


def _staff(c: _Cells, catalogue: Catalogue, now: dt.datetime) -> Staff | None:
    start, end = c.minutes("shift_start"), c.minutes("shift_end")
    try:
        staff = new_staff(
            id=c.text("id", True),
            name=c.text("name", True),
            role=c.text("profession", True),
            skills=list(c.ids("skills")),
            home_base=c.text("home_base", True),
            phone=c.text("phone"),
            contract_pct=c.number_("contract_pct", int) or 100,
            shift=(start or 8 * 60, end or 16 * 60),
            clinic=c.text("clinic"),
            qualified_carrier=c.flag("qualified_carrier"),
        )
        check_staff(staff, catalogue)
    except InputError as error:
        c.fail(
            {"shift": "shift_start", "home_base": "home_base"}.get(error.field, error.field), error.problem
        )
        return None
    return staff


def _absence(c: _Cells, catalogue: Catalogue, now: dt.datetime) -> Absence | None:
    start, end = c.minutes("from_time"), c.minutes("to_time")
    first = c.date("from_date", True)
    if first is None or not c.ok:
        return None
    try:
        return make_absence(
            c.text("staff_id", True),
            c.text("kind", True),
            first,
            c.date("to_date"),
            start or 0,
            end or 24 * 60,
            c.text("note"),
        )
    except InputError as error:
        c.fail({"to": "to_date", "from_time": "from_time"}.get(error.field, error.field), error.problem)
        return None


def _vehicle(c: _Cells, catalogue: Catalogue, now: dt.datetime) -> Vehicle | None:
    try:
        vehicle = new_vehicle(
            id=c.text("id", True),
            name=c.text("name"),
            kind=c.text("kind", True),
            home_site=c.text("home_site", True),
            volume_l=c.number_("volume_l", float, True) or 0.0,
            weight_kg=c.number_("weight_kg", float, True) or 0.0,
            cold_chain=c.flag("cold_chain"),
            qualified_carrier=c.flag("qualified_carrier"),
            electric=c.flag("electric") if c.text("electric") else True,
            last_service_date=c.date("last_service"),
            next_service_date=c.date("next_service"),
        )
        if c.ok:
            check_vehicle(vehicle, catalogue)
    except InputError as error:
        c.fail(error.field, error.problem)
        return None
    return vehicle


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
