"""The researcher's page: what the pseudonymised research export holds, and the export itself.

The page describes exactly the tables :mod:`hjemme.services.research` writes (the same service as
``GET /api/exports/research`` and ``hjemme export research``); a refused export (not k-anonymous)
comes back as the page with the reason.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from hjemme.domain.security import Role
from hjemme.services import research
from hjemme.services.auth import Principal
from hjemme.web.deps import ClientDep, EngineDep, NowDep, SettingsDep, page_context, page_for
from hjemme.web.rendering import render

router = APIRouter()
ResearcherDep = Annotated[Principal, Depends(page_for(Role.RESEARCHER))]


def _context(user: Principal, settings: Any, **extra: Any) -> dict[str, Any]:
    return {**page_context(user), "k": settings.research_k, "schemas": research.SCHEMAS,
            "age_bands": research.AGE_BAND_CHOICES, **extra}


@router.get("/exports")
def exports(request: Request, user: ResearcherDep, settings: SettingsDep) -> Response:
    return render(request, "exports/index.html", _context(user, settings))


@router.get("/exports/research")
def research_export(
    request: Request,
    user: ResearcherDep,
    engine: EngineDep,
    settings: SettingsDep,
    now: NowDep,
    client: ClientDep,
    format: Annotated[Literal["csv", "parquet"], Query()] = "csv",  # noqa: A002 (the form field's name)
    age_band_years: Annotated[int, Query()] = 10,
    geography: Annotated[Literal["district", "zone"], Query()] = "district",
) -> Response:
    """The export as a ZIP download; the page with the reason when it is refused."""
    try:
        export = research.export_research(engine=engine, principal=user, research_key=settings.research_key,
                                          at=now, client=client, k=settings.research_k,
                                          age_band_years=age_band_years, geography=geography)
    except research.KAnonymityError as refusal:
        shown = ", ".join(f"{name} = {value}" for name, value in refusal.combination.items())
        context = _context(user, settings, rare=shown, rare_patients=refusal.patients,
                           rare_groups=refusal.rare_groups)
        return render(request, "exports/index.html", context, status_code=409)
    return Response(research.export_zip(export, format), media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="hjemme-research-{now:%Y%m%d}-{format}.zip"',
        "Cache-Control": "no-store"})
