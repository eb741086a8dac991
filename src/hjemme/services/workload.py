"""The day's work from stored enrolments: ``hjemme tasks`` and ``GET /api/tasks``.

Loads the enrolments active on a date and their patients in one read transaction, then calls the
pure :func:`hjemme.domain.workload.tasks_for_day` with the catalogue.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from hjemme.catalogue import Catalogue, load_catalogue
from hjemme.domain.tasks import Task
from hjemme.domain.workload import WorkloadParams, tasks_for_day
from hjemme.errors import ConflictError
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope


def tasks_on(
    *,
    engine: Engine,
    date: dt.date,
    catalogue: Catalogue | None = None,
    params: WorkloadParams | None = None,
) -> list[Task]:
    """All tasks of ``date``, sorted by id (empty when nobody is enrolled that day).

    An enrolment in a pathway the catalogue no longer has is a :class:`ConflictError` naming it,
    rather than a silent gap in the day's work.
    """
    catalogue = catalogue or load_catalogue()
    with session_scope(engine) as session:
        enrolments = repo.list_enrolments(session, active_on=date)
        patient_ids = sorted({e.patient_id for e in enrolments})
        # A patient who moves has the address valid on the date (issue 13).
        found = repo.list_patients(session, ids=patient_ids, on=date) if enrolments else []
        patients = {p.id: p for p in found}
    unknown = sorted({e.pathway_id for e in enrolments} - set(catalogue.pathways))
    if unknown:
        raise ConflictError(f"enrolments refer to pathways not in the catalogue: {', '.join(unknown)}")
    return tasks_for_day(
        date,
        enrolments,
        patients,
        catalogue.pathways,
        catalogue.products,
        catalogue.device_types,
        params,
    )
