"""``/api/exports/research``: the pseudonymised research export as a ZIP of CSV or Parquet files."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from hjemme.api.deps import ClientDep, EngineDep, NowDep, SettingsDep, require_roles
from hjemme.services import research as service
from hjemme.services.auth import Principal

router = APIRouter(prefix="/api/exports", tags=["exports"])

ZIP_RESPONSE = {200: {"content": {"application/zip": {}},
                      "description": "pathways, measurements, proms and plan_kpis, one file each"}}


@router.get("/research", response_class=Response, responses=ZIP_RESPONSE)
def export_research(
    principal: Annotated[Principal, Depends(require_roles(*service.EXPORTERS))],
    engine: EngineDep,
    settings: SettingsDep,
    now: NowDep,
    client: ClientDep,
    format: Annotated[  # noqa: A002 (the query parameter's public name)
        Literal["csv", "parquet"], Query(description="File format of the tables.")] = "csv",
    age_band_years: Annotated[int, Query(description="Width of the age bands: 5, 10, 20 or 30.")] = 10,
    geography: Annotated[Literal["district", "zone"], Query(
        description="The area column: the district, or its zone (centre, inner, outer).")] = "district",
) -> Response:
    """Measurements (per patient and ISO week), PROM scores, pathways and plan KPIs, pseudonymised,
    generalised and shuffled; 409 naming the quasi-identifier combination when it is not k-anonymous."""
    export = service.export_research(engine=engine, principal=principal, research_key=settings.research_key,
                                     at=now, client=client, k=settings.research_k,
                                     age_band_years=age_band_years, geography=geography)
    filename = f"hjemme-research-{now:%Y%m%d}-{format}.zip"
    return Response(service.export_zip(export, format), media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})
