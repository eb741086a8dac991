"""A clinician's patients (issue 12): the list of those in their care and why, one patient's record,
and emergency access ("nødtilgang") to a patient outside their care with a stated reason.
The administrator reviews every emergency access on ``/admin/emergency-access``.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from hjemme.domain.security import Role
from hjemme.errors import InputError, NotFoundError, PermissionDeniedError
from hjemme.services import care
from hjemme.services.auth import Principal
from hjemme.services.patients import list_patients, read_patient
from hjemme.web.deps import ClientDep, EngineDep, NowDep, SettingsDep, page_context, page_for
from hjemme.web.rendering import N_, render

router = APIRouter()
ClinicianDep = Annotated[Principal, Depends(page_for(Role.CLINICIAN))]
AdminDep = Annotated[Principal, Depends(page_for(Role.ADMIN))]
WHY = {
    "route": N_("on your route"),
    "team": N_("your team's list"),
    "assigned": N_("assigned to you"),
    "emergency": N_("emergency access"),
}


@router.get("/my-patients")
def my_patients(request: Request, user: ClinicianDep, engine: EngineDep, settings: SettingsDep,
                now: NowDep, client: ClientDep) -> Response:
    scope = care.my_scope(engine=engine, principal=user, at=now)
    patients = list_patients(engine=engine, principal=user, client=client, at=now,
                             research_key=settings.research_key, limit=1000)
    rows = [{**p, "why": WHY.get(scope.why.get(p["id"], ""), "")} for p in patients]
    return render(request, "care/patients.html", {**page_context(user), "patients": rows})


@router.get("/my-patients/open")
def open_patient(
    user: ClinicianDep, patient_id: Annotated[str, Query(min_length=1, max_length=64)]
) -> Response:
    """The "another patient" form: to that patient's page (the emergency-access form when not in care)."""
    return RedirectResponse(f"/my-patients/{quote(patient_id.strip(), safe='')}", status_code=303)


@router.get("/my-patients/{patient_id}")
def my_patient(request: Request, user: ClinicianDep, engine: EngineDep, settings: SettingsDep,
               now: NowDep, client: ClientDep, patient_id: str) -> Response:
    return _patient_page(request, user, engine, settings, now, client, patient_id)


@router.post("/my-patients/{patient_id}/emergency-access")
def emergency_access(request: Request, user: ClinicianDep, engine: EngineDep, settings: SettingsDep,
                     now: NowDep, client: ClientDep, patient_id: str,
                     reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Open the patient with the stated reason, then show their record; the form again on bad input."""
    try:
        care.request_emergency_access(engine=engine, principal=user, patient_id=patient_id, reason=reason,
                                      at=now, client=client, hours=settings.emergency_access_hours)
    except InputError:
        return _patient_page(request, user, engine, settings, now, client, patient_id,
                             error=N_("State the reason in 10 to 500 characters."), status=422)
    except NotFoundError:
        return _patient_page(request, user, engine, settings, now, client, patient_id)
    return RedirectResponse(f"/my-patients/{patient_id}", status_code=303)


def _patient_page(request: Request, user: Principal, engine: Any, settings: Any, now: Any, client: Any,
                  patient_id: str, *, error: str | None = None, status: int = 200) -> Response:
    context: dict[str, Any] = {**page_context(user), "patient_id": patient_id, "patient": None,
                               "error": error}
    try:
        context["patient"] = read_patient(engine=engine, principal=user, patient_ref=patient_id,
                                          client=client, at=now, research_key=settings.research_key)
    except (PermissionDeniedError, NotFoundError):  # the same page whether or not the patient exists
        status = 403 if status == 200 else status
    return render(request, "care/patient.html", context, status_code=status)


@router.get("/admin/emergency-access")
def emergency_review(request: Request, user: AdminDep, engine: EngineDep) -> Response:
    grants = care.list_emergency_access(engine=engine, principal=user)
    return render(request, "care/emergency_review.html", {**page_context(user), "grants": grants})


@router.post("/admin/emergency-access/{access_id}/review")
def review(user: AdminDep, engine: EngineDep, now: NowDep, access_id: int) -> Response:
    care.review_emergency_access(engine=engine, principal=user, access_id=access_id, at=now)
    return RedirectResponse("/admin/emergency-access", status_code=303)
