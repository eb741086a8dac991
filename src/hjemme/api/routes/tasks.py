"""``/api/tasks``: the day's work, without clinical fields for logistics and technicians."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from hjemme.api.deps import ClientDep, EngineDep, NowDep, require_roles
from hjemme.api.schemas.common import ServiceDate
from hjemme.api.schemas.tasks import TaskRead
from hjemme.services import patients as service
from hjemme.services.access import TASK_READERS
from hjemme.services.auth import Principal

router = APIRouter(prefix="/api/tasks", tags=["tasks"])


@router.get("", response_model=list[TaskRead], response_model_exclude_unset=True)
def list_tasks(
    principal: Annotated[Principal, Depends(require_roles(*TASK_READERS))],
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    date: Annotated[ServiceDate, Query(description="The day, YYYY-MM-DD.")],
) -> list[TaskRead]:
    """The tasks the enrolments active on ``date`` cause; each patient shown is access-logged."""
    views = service.list_tasks(engine=engine, principal=principal, date=date, client=client, at=now)
    return [TaskRead.model_validate(v) for v in views]
