"""Reading rows from .xlsx and .csv files and turning each into a register value (issue 13), with
every problem recorded as a :class:`RowError` (row, column, value, why) instead of raised."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook

from hjemme.catalogue import Catalogue
from hjemme.domain.availability import Absence
from hjemme.domain.people import Staff, Vehicle
from hjemme.errors import InputError
from hjemme.services.availability import check_staff, check_vehicle, make_absence, new_staff, new_vehicle
from hjemme.services.stays import Admission, check_admission


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    column: str
    value: str
    why: str


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


class Cells:
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


def _patient(c: Cells, catalogue: Catalogue, now: dt.datetime) -> Admission | None:
    admission = Admission(
        patient_id=c.text("patient_id"),
        national_id=_national_id(c.text("national_id")),
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


def _national_id(value: str) -> str | None:
    """Excel stores a national id typed as a number without its leading zero (01015012345 → 1015012345)."""
    return value.zfill(11) if value.isdigit() and len(value) == 10 else (value or None)


def _staff(c: Cells, catalogue: Catalogue, now: dt.datetime) -> Staff | None:
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


def _absence(c: Cells, catalogue: Catalogue, now: dt.datetime) -> Absence | None:
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


def _vehicle(c: Cells, catalogue: Catalogue, now: dt.datetime) -> Vehicle | None:
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


PARSERS: dict[str, Callable[[Cells, Catalogue, dt.datetime], Any]] = {
    "patients": _patient,
    "staff": _staff,
    "absences": _absence,
    "vehicles": _vehicle,
}
