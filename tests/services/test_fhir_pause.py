"""FHIR ``EpisodeOfCare`` ``onhold`` on a day that already has a plan (issue 13): the pause reaches
that day's plan through its journal, like a pause entered by hand."""

from __future__ import annotations

import copy
import json
from typing import Any

from sqlalchemy import Engine

from hjemme.domain.journal import EntryKind
from hjemme.services.access import SYSTEM
from hjemme.services.fhir_in import ingest_bundle
from hjemme.store import journal as journal_repo
from hjemme.store.database import session_scope
from tests.api.test_fhir_bundle import EXAMPLES
from tests.services.test_stays import DATE, NOW, _latest_tasks, planned, seeded  # noqa: F401

EPISODE = "EOC-2026-0042"


def _bundle(name: str, **episode: Any) -> dict[str, Any]:
    bundle = copy.deepcopy(EXAMPLES[name])
    for entry in bundle["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "EpisodeOfCare":
            resource.update(episode)
        if resource["resourceType"] == "CarePlan":
            resource["period"] = {"start": DATE.isoformat()}
    return json.loads(json.dumps(bundle))


def test_onhold_today_takes_the_patient_off_todays_plan_through_its_journal(planned: Engine) -> None:  # noqa: F811
    """Admitted today by FHIR, the patient's tasks join today's plan; onhold from today removes them
    again as a stay_changed entry; the same bundle twice adds no entry."""
    period = {"start": DATE.isoformat(), "end": "2026-12-06"}
    ingest_bundle(engine=planned, principal=SYSTEM, bundle=_bundle("admit", period=period), now=NOW)
    assert any(t.startswith(f"{EPISODE}-") for t in _latest_tasks(planned))
    pause = _bundle(
        "pause",
        period=period,
        statusHistory=[{"status": "onhold", "period": {"start": DATE.isoformat()}}],
    )
    result = ingest_bundle(engine=planned, principal=SYSTEM, bundle=pause, now=NOW)
    assert result.changed
    assert not any(t.startswith(f"{EPISODE}-") for t in _latest_tasks(planned))
    with session_scope(planned) as session:
        entries = journal_repo.list_entries(session, DATE)
    assert entries[-1].kind == EntryKind.STAY_CHANGED and entries[-1].payload["removed"]
    again = ingest_bundle(engine=planned, principal=SYSTEM, bundle=pause, now=NOW)
    assert not again.changed
    with session_scope(planned) as session:
        assert len(journal_repo.list_entries(session, DATE)) == len(entries)
