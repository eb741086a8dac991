"""``/api/stays``, ``/api/staff``, ``/api/vehicles``, ``/api/import`` and ``/api/users/{u}/link``:
the registers of a real service (issue 13). Coordinators and admins write; every handler is one
service call."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Path, Query, UploadFile
from fastapi.responses import JSONResponse, Response

from hjemme.api.deps import ClientDep, EngineDep, NowDep, require_roles
from hjemme.api.schemas.registers import (
    AbsenceCreate,
    AdmissionCreate,
    DayEffectRead,
    DischargeCreate,
    ImportRead,
    OutOfServiceCreate,
    RegisterRead,
    StaffCreate,
    StayChangeCreate,
    StayRead,
    UserLinkCreate,
    VehicleCreate,
)
from hjemme.domain.security import Role
from hjemme.services import availability, imports, stays
from hjemme.services.auth import Principal
from hjemme.services.day_sync import DayEffect
from hjemme.services.user_links import link_user

router = APIRouter(tags=["registers"])

Registrar = Annotated[Principal, Depends(require_roles(Role.COORDINATOR, Role.ADMIN))]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
PatientId = Annotated[str, Path(min_length=1, max_length=64)]


def _days(days: tuple[DayEffect, ...]) -> list[DayEffectRead]:
    return [DayEffectRead(date=d.date, version=d.version, journal_seq=d.seq) for d in days]


def _stay(result: stays.StayResult) -> StayRead:
    stages = [
        {
            **asdict(s),
            "status": s.status.value,
            "end_date": s.end_date,
            "visit_plans": [
                {
                    "from": p.from_date,
                    "per_day": p.per_day,
                    "every_days": p.every_days,
                    "windows": [str(w).replace("–", "-") for w in p.windows],
                }
                for p in s.visit_plans
            ],
        }
        for s in result.stages
    ]
    return StayRead(
        patient_id=result.patient_id,
        episode_id=result.episode_id,
        stages=stages,
        planned_days=_days(result.days),
    )


@router.post("/api/stays", status_code=201, response_model=StayRead)
def admit(
    body: AdmissionCreate, principal: Registrar, engine: EngineDep, now: NowDep, client: ClientDep
) -> StayRead:
    """Refer or admit a patient; a day already planned gets the new tasks through its journal."""
    data = body.model_dump()
    admission = stays.Admission(
        pathway_id=data.pop("pathway"),
        preferred_staff_ids=tuple(data.pop("preferred_staff")),
        excluded_staff_ids=tuple(data.pop("excluded_staff")),
        **data,
    )
    return _stay(
        stays.admit_patient(engine=engine, principal=principal, admission=admission, now=now, client=client)
    )


@router.post("/api/stays/{patient_id}/changes", response_model=StayRead)
def change(
    patient_id: PatientId,
    body: StayChangeCreate,
    principal: Registrar,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    episode: str = "",
) -> StayRead:
    """Change the patient's open stay from ``date`` (pathway, pause, resume, until, address, clinicians,
    visits: the patient's own visits per day, every N days and windows)."""
    data = body.model_dump()
    preferred, excluded = data.pop("preferred_staff"), data.pop("excluded_staff")
    windows = data.pop("visit_windows")
    request = stays.StayChangeRequest(
        pathway_id=data.pop("pathway"),
        visit_windows=stays.parse_windows(windows) if windows is not None else None,
        preferred_staff_ids=tuple(preferred) if preferred is not None else None,
        excluded_staff_ids=tuple(excluded) if excluded is not None else None,
        **data,
    )
    return _stay(
        stays.change_stay(
            engine=engine,
            principal=principal,
            patient_id=patient_id,
            change=request,
            now=now,
            episode_id=episode,
            client=client,
        )
    )


@router.post("/api/stays/{patient_id}/discharge", response_model=StayRead)
def discharge(
    patient_id: PatientId,
    body: DischargeCreate,
    principal: Registrar,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    episode: str = "",
) -> StayRead:
    """Discharge (or record the death of) the patient on ``date``: no work from that day on."""
    return _stay(
        stays.discharge_patient(
            engine=engine,
            principal=principal,
            patient_id=patient_id,
            date=body.date,
            died=body.died,
            reason=body.reason,
            now=now,
            episode_id=episode,
            client=client,
        )
    )


def _register(result: availability.RegisterResult) -> RegisterRead:
    return RegisterRead(id=str(result.id), created=result.created, planned_days=_days(result.days))


@router.post("/api/staff", status_code=201, response_model=RegisterRead)
def add_staff(
    body: StaffCreate, principal: Registrar, engine: EngineDep, now: NowDep, client: ClientDep
) -> RegisterRead:
    """Register (or update) a member of staff."""
    staff = availability.new_staff(
        id=body.id,
        name=body.name,
        role=body.profession,
        skills=body.skills,
        home_base=body.home_base,
        phone=body.phone,
        contract_pct=body.contract_pct,
        shift=(body.shift_start_min, body.shift_end_min),
        clinic=body.clinic,
        qualified_carrier=body.qualified_carrier,
    )
    return _register(
        availability.register_staff(engine=engine, principal=principal, staff=staff, now=now, client=client)
    )


@router.post("/api/staff/{staff_id}/absences", status_code=201, response_model=RegisterRead)
def add_absence(
    staff_id: PatientId,
    body: AbsenceCreate,
    principal: Registrar,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
) -> RegisterRead:
    """Register an absence (sick, holiday, course, other; all day or ``from_min``–``to_min``)."""
    return _register(
        availability.record_absence(
            engine=engine,
            principal=principal,
            staff_id=staff_id,
            kind=body.kind,
            from_date=body.from_date,
            to_date=body.to_date,
            from_min=body.from_min,
            to_min=body.to_min,
            note=body.note,
            now=now,
            client=client,
        )
    )


@router.post("/api/vehicles", status_code=201, response_model=RegisterRead)
def add_vehicle(
    body: VehicleCreate, principal: Registrar, engine: EngineDep, now: NowDep, client: ClientDep
) -> RegisterRead:
    """Register (or update) a vehicle."""
    vehicle = availability.new_vehicle(**body.model_dump())
    return _register(
        availability.register_vehicle(
            engine=engine, principal=principal, vehicle=vehicle, now=now, client=client
        )
    )


@router.post("/api/vehicles/{vehicle_id}/out-of-service", status_code=201, response_model=RegisterRead)
def vehicle_out(
    vehicle_id: PatientId,
    body: OutOfServiceCreate,
    principal: Registrar,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
) -> RegisterRead:
    """Take a vehicle off the road for a period."""
    return _register(
        availability.record_out_of_service(
            engine=engine,
            principal=principal,
            vehicle_id=vehicle_id,
            from_date=body.from_date,
            to_date=body.to_date,
            reason=body.reason,
            note=body.note,
            now=now,
            client=client,
        )
    )


@router.post(
    "/api/import/{kind}",
    response_model=ImportRead,
    responses={
        422: {
            "description": "Rejected: ``rows`` lists every rejected row (row, column, value, why); "
            "nothing written"
        },
    },
)
async def import_file(
    kind: str,
    principal: Registrar,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    file: Annotated[UploadFile, File()],
    dry_run: bool = False,
) -> Any:
    """Import a .xlsx or .csv file of patients, staff, absences or vehicles, all or nothing."""
    content = await file.read()
    from fastapi.concurrency import run_in_threadpool

    try:
        result = await run_in_threadpool(
            imports.import_file,
            engine=engine,
            principal=principal,
            kind=kind,
            filename=file.filename or "",
            content=content,
            now=now,
            dry_run=dry_run,
            client=client,
        )
    except imports.ImportRejectedError as rejected:
        return JSONResponse(
            status_code=422,
            content={
                "detail": [{"type": "input_error", "loc": ["file"], "msg": rejected.problem}],
                "rows": [asdict(e) for e in rejected.errors],
            },
        )
    return ImportRead(**asdict(result))


@router.get("/api/import/{kind}/template", response_class=Response)
def import_template(
    kind: str, principal: Registrar, format: Annotated[str, Query(pattern="^(xlsx|csv)$")] = "xlsx"
) -> Response:
    """The file template of ``kind`` with its columns and an example row."""
    media = (
        "text/csv" if format == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return Response(
        imports.template(kind, format),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="hjemme-{kind}.{format}"'},
    )


@router.post("/api/users/{username}/link", status_code=204)
def link(
    username: str, body: UserLinkCreate, principal: Admin, engine: EngineDep, now: NowDep, client: ClientDep
) -> Response:
    """Link a clinician user to a member of staff, or a patient user to a patient."""
    link_user(
        engine=engine,
        principal=principal,
        username=username,
        staff_id=body.staff_id,
        patient_id=body.patient_id,
        now=now,
        client=client,
    )
    return Response(status_code=204)
