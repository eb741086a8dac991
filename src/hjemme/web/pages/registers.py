"""The coordinator's registers (issue 13): open stays with admit, change and discharge forms; staff
with absences; vehicles out of service; file import with templates. Every form is one service call."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from hjemme.catalogue import load_catalogue
from hjemme.domain.people import EnrolmentStatus
from hjemme.domain.security import Role
from hjemme.domain.time import local_date
from hjemme.errors import ConflictError, InputError, NotFoundError
from hjemme.services import availability, imports, stays
from hjemme.services.auth import Principal
from hjemme.services.stay_views import list_open_stays, read_stay
from hjemme.web.deps import ClientDep, EngineDep, NowDep, page_context, page_for_roles
from hjemme.web.rendering import render

router = APIRouter()
CoordinatorDep = Annotated[Principal, Depends(page_for_roles(Role.COORDINATOR, Role.ADMIN))]


def _back(path: str, error: Exception | None = None, done: str = "") -> RedirectResponse:
    if isinstance(error, InputError):
        return RedirectResponse(
            f"{path}?field={quote(error.field)}&error={quote(error.problem)}", status_code=303
        )
    if error is not None:
        return RedirectResponse(f"{path}?error={quote(str(error))}", status_code=303)
    return RedirectResponse(f"{path}?done={quote(done)}", status_code=303)


def _date(value: Any, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(field, "give a date") from None


def _opt_date(value: Any, field: str) -> dt.date | None:
    return _date(value, field) if value else None


def _int(value: Any, field: str) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise InputError(field, "give a whole number") from None


def _minutes(value: Any, field: str, default: int) -> int:
    if not value:
        return default
    try:
        hours, minutes = str(value).split(":")
        return int(hours) * 60 + int(minutes)
    except ValueError:
        raise InputError(field, "give a time HH:MM") from None


def _visits(form: Any) -> dict[str, Any]:
    """The visit fields of the change form (empty inputs are not given)."""
    per_day, every, windows = (form.get(k) for k in ("visits_per_day", "visit_every_days", "visit_windows"))
    return {
        "visits_per_day": _int(per_day, "visits_per_day") if per_day else None,
        "visit_every_days": _int(every, "visit_every_days") if every else None,
        "visit_windows": stays.parse_windows(_ids(windows)) if str(windows or "").strip() else None,
        "pathway_visits": form.get("pathway_visits") == "on",
    }


def _ids(value: Any) -> tuple[str, ...]:
    return tuple(v.strip() for v in str(value or "").split(",") if v.strip())


@router.get("/registers")
def registers(
    request: Request,
    user: CoordinatorDep,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    error: str = "",
    field: str = "",
    done: str = "",
) -> Response:
    """Open stays, staff and vehicles with who and what is away today; admit and import forms."""
    today = local_date(now)
    catalogue = load_catalogue()
    context = {
        **page_context(user),
        "today": today,
        "stays": list_open_stays(engine=engine, principal=user, on=today, now=now, client=client),
        "registers": availability.read_registers(engine=engine, principal=user, date=today),
        "pathways": sorted(catalogue.pathways.values(), key=lambda p: p.id),
        "districts": sorted(catalogue.districts.values(), key=lambda d: d.name),
        "sites": sorted(catalogue.sites),
        "kinds": imports.KINDS,
        "error": error,
        "field": field,
        "done": done,
    }
    return render(request, "registers/index.html", context)


@router.post("/registers/admit")
async def admit(
    request: Request, user: CoordinatorDep, engine: EngineDep, now: NowDep, client: ClientDep
) -> Response:
    form = await request.form()
    try:
        admission = stays.Admission(
            name=str(form.get("name", "")),
            birth_year=_int(form.get("birth_year", ""), "birth_year"),
            address=str(form.get("address", "")),
            district=str(form.get("district", "")),
            pathway_id=str(form.get("pathway", "")),
            start_date=_date(form.get("start_date", ""), "start_date"),
            length_days=_int(form.get("length_days", ""), "length_days"),
            phone=str(form.get("phone", "")),
            access_notes=str(form.get("access_notes", "")),
            delivery_notes=str(form.get("delivery_notes", "")),
            next_of_kin=str(form.get("next_of_kin", "")),
            language=str(form.get("language", "nb")) or "nb",
            needs_interpreter=form.get("needs_interpreter") == "on",
            lives_alone=form.get("lives_alone") == "on",
            national_id=str(form.get("national_id", "")) or None,
            preferred_staff_ids=_ids(form.get("preferred")),
            excluded_staff_ids=_ids(form.get("excluded")),
            referral_only=form.get("referral") == "on",
        )
        result = await run_in_threadpool(
            stays.admit_patient, engine=engine, principal=user, admission=admission, now=now, client=client
        )
    except (InputError, ConflictError, NotFoundError) as error:
        return _back("/registers", error)
    return _back(f"/registers/patients/{result.patient_id}", done="admitted")


@router.get("/registers/patients/{patient_id}")
def patient(
    request: Request,
    patient_id: str,
    user: CoordinatorDep,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    error: str = "",
    field: str = "",
    done: str = "",
) -> Response:
    """One patient's stays with their history and lab results; change and discharge forms."""
    catalogue = load_catalogue()
    detail = read_stay(engine=engine, principal=user, patient_id=patient_id, now=now, client=client)
    context = {
        **page_context(user),
        "today": local_date(now),
        "detail": detail,
        "visit_plans": next(
            (s.visit_plans for s in reversed(detail.stages) if s.status is not EnrolmentStatus.CANCELLED), ()
        ),
        "pathways": sorted(catalogue.pathways.values(), key=lambda p: p.id),
        "districts": sorted(catalogue.districts.values(), key=lambda d: d.name),
        "error": error,
        "field": field,
        "done": done,
    }
    return render(request, "registers/patient.html", context)


@router.post("/registers/patients/{patient_id}/change")
async def change(
    request: Request, patient_id: str, user: CoordinatorDep, engine: EngineDep, now: NowDep, client: ClientDep
) -> Response:
    form = await request.form()
    path = f"/registers/patients/{patient_id}"
    try:
        kind = str(form.get("kind", ""))
        request_ = stays.StayChangeRequest(
            kind=kind,
            date=_date(form.get("date", ""), "date"),
            pathway_id=str(form.get("pathway", "")),
            until=_opt_date(form.get("until"), "until"),
            address=str(form.get("address", "")),
            district=str(form.get("district", "")),
            reason=str(form.get("reason", "")),
            preferred_staff_ids=_ids(form.get("preferred")) if kind == "clinicians" else None,
            excluded_staff_ids=_ids(form.get("excluded")) if kind == "clinicians" else None,
            **(_visits(form) if kind == "visits" else {}),
        )
        await run_in_threadpool(
            stays.change_stay,
            engine=engine,
            principal=user,
            patient_id=patient_id,
            change=request_,
            now=now,
            client=client,
        )
    except (InputError, ConflictError, NotFoundError) as error:
        return _back(path, error)
    return _back(path, done="changed")


@router.post("/registers/patients/{patient_id}/discharge")
async def discharge(
    request: Request, patient_id: str, user: CoordinatorDep, engine: EngineDep, now: NowDep, client: ClientDep
) -> Response:
    form = await request.form()
    path = f"/registers/patients/{patient_id}"
    try:
        await run_in_threadpool(
            stays.discharge_patient,
            engine=engine,
            principal=user,
            patient_id=patient_id,
            date=_date(form.get("date", ""), "date"),
            died=form.get("died") == "on",
            reason=str(form.get("reason", "")),
            now=now,
            client=client,
        )
    except (InputError, ConflictError, NotFoundError) as error:
        return _back(path, error)
    return _back(path, done="discharged")


@router.post("/registers/absence")
async def absence(
    request: Request, user: CoordinatorDep, engine: EngineDep, now: NowDep, client: ClientDep
) -> Response:
    form = await request.form()
    try:
        await run_in_threadpool(
            availability.record_absence,
            engine=engine,
            principal=user,
            staff_id=str(form.get("staff_id", "")),
            kind=str(form.get("kind", "")),
            from_date=_date(form.get("from_date", ""), "from_date"),
            to_date=_opt_date(form.get("to_date"), "to_date"),
            from_min=_minutes(form.get("from_time"), "from_time", 0),
            to_min=_minutes(form.get("to_time"), "to_time", 24 * 60),
            note=str(form.get("note", "")),
            now=now,
            client=client,
        )
    except (InputError, ConflictError, NotFoundError) as error:
        return _back("/registers", error)
    return _back("/registers", done="absence")


@router.post("/registers/vehicle-out")
async def vehicle_out(
    request: Request, user: CoordinatorDep, engine: EngineDep, now: NowDep, client: ClientDep
) -> Response:
    form = await request.form()
    try:
        await run_in_threadpool(
            availability.record_out_of_service,
            engine=engine,
            principal=user,
            vehicle_id=str(form.get("vehicle_id", "")),
            from_date=_date(form.get("from_date", ""), "from_date"),
            to_date=_opt_date(form.get("to_date"), "to_date"),
            reason=str(form.get("reason", "service")),
            note=str(form.get("note", "")),
            now=now,
            client=client,
        )
    except (InputError, ConflictError, NotFoundError) as error:
        return _back("/registers", error)
    return _back("/registers", done="vehicle")


@router.post("/registers/import")
async def import_file(
    request: Request, user: CoordinatorDep, engine: EngineDep, now: NowDep, client: ClientDep
) -> Response:
    """Upload a file: all or nothing; a rejected file lists every rejected row."""
    form = await request.form()
    upload = form.get("file")
    kind = str(form.get("kind", ""))
    dry_run = form.get("dry_run") == "on"
    rejected: list[imports.RowError] = []
    result = None
    problem = ""
    try:
        if upload is None or isinstance(upload, str):
            raise InputError("file", "choose a file")
        content = await upload.read()
        result = await run_in_threadpool(
            imports.import_file,
            engine=engine,
            principal=user,
            kind=kind,
            filename=upload.filename or "",
            content=content,
            now=now,
            dry_run=dry_run,
            client=client,
        )
    except imports.ImportRejectedError as error:
        rejected = error.errors
    except InputError as error:
        problem = f"{error.field}: {error.problem}"
    context = {**page_context(user), "kind": kind, "result": result, "rejected": rejected, "problem": problem}
    return render(request, "registers/import.html", context, status_code=200 if result else 422)


@router.get("/registers/template/{kind}.{fmt}")
def template(kind: str, fmt: str, user: CoordinatorDep) -> Response:
    """The downloadable template of a file kind."""
    if fmt not in ("xlsx", "csv") or kind not in imports.KINDS:
        return Response(status_code=404)
    media = (
        "text/csv" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return Response(
        imports.template(kind, fmt),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="hjemme-{kind}.{fmt}"'},
    )
