"""Times on the pages are Oslo wall clock with the date, on either side of both DST changes (issue 11).

Stored moments are UTC; the worklist, an alarm's history, the access log and the plan header show
them through the ``when`` filter. The pinned clock of the ``web`` fixture is moved to moments around
the changes of 2026 (29 March 02:00 CET → 03:00 CEST, 25 October 03:00 CEST → 02:00 CET).
"""

from __future__ import annotations

import datetime as dt
import re

from hjemme.domain.security import Role
from hjemme.monitoring.alarms import Alarm
from hjemme.monitoring.rules import FindingKind, Severity
from hjemme.services.monitoring import save_transition
from hjemme.store.database import session_scope
from hjemme.web.deps import get_now
from tests.web.world import ALARM_RED, ALARM_YELLOW, SELF

UTC = dt.UTC
BEFORE_SPRING = dt.datetime(2026, 3, 29, 0, 45, tzinfo=UTC)  # 01:45 CET
AFTER_SPRING = dt.datetime(2026, 3, 29, 1, 15, tzinfo=UTC)  # 03:15 CEST
FIRST_0230 = dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
SECOND_0230 = dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET
OSLO_EVENING = dt.datetime(2026, 10, 24, 22, 10, tzinfo=UTC)  # already the 25th in Oslo


def _set_clock(web, moment: dt.datetime) -> None:
    web.client.app.dependency_overrides[get_now] = lambda: moment


def _cells(page: str) -> list[str]:
    return re.findall(r'<time datetime="[^"]+">([^<]+)</time>', page)


def test_worklist_shows_when_alarms_opened_in_oslo_time(web):
    """Alarms opened on both sides of each DST change show Oslo's clock and date, never UTC."""
    opened = {"A-spring-1": BEFORE_SPRING, "A-spring-2": AFTER_SPRING, "A-autumn-1": FIRST_0230,
              "A-autumn-2": SECOND_0230, "A-evening": OSLO_EVENING}
    with session_scope(web.engine) as session:
        save_transition(session, [
            Alarm(alarm_id, SELF, FindingKind.THRESHOLD, Severity.YELLOW, f"{SELF}:{alarm_id}", "puls 125",
                  (), at) for alarm_id, at in opened.items()
        ], [])
    web.log_in(Role.RESPONDER)
    page = web.client.get("/response").text
    assert {"29.03.2026 01:45", "29.03.2026 03:15", "25.10.2026 02:30 CEST", "25.10.2026 02:30 CET",
            "25.10.2026 00:10"} <= set(_cells(page))
    assert "UTC" not in page and "Åpnet</th>" in page
    # the seeded alarms, opened 20 and 50 minutes before 07:30 UTC on 23 November (CET, UTC+1)
    assert "23.11.2026 08:10" in _cells(page) and "23.11.2026 07:40" in _cells(page)


def test_worklist_in_english_keeps_oslo_time(web):
    """The English worklist shows the same Oslo moment with an English date."""
    web.log_in(Role.RESPONDER)
    page = web.client.get("/response/worklist?lang=en").text
    assert "23 Nov 2026 08:10" in _cells(page) and "Opened</th>" in page


def test_alarm_history_and_measurements_are_in_oslo_time(web):
    """An alarm acknowledged and escalated either side of October's repeated hour lists both steps
    apart, and its measurements show Oslo time."""
    web.log_in(Role.RESPONDER)
    _set_clock(web, FIRST_0230)
    assert web.client.post(f"/response/alarms/{ALARM_RED}/ack", follow_redirects=False).status_code == 303
    _set_clock(web, SECOND_0230)
    assert web.client.post(f"/response/alarms/{ALARM_RED}/escalate", data={"note": "lege"},
                           follow_redirects=False).status_code == 303
    page = web.client.get(f"/response/alarms/{ALARM_RED}").text
    history = page[page.index('id="trail-heading"'):]
    assert _cells(history) == ["25.10.2026 02:30 CEST", "25.10.2026 02:30 CET"]
    # three SpO2 readings 3, 2 and 1 hours before 07:30 UTC on 23 November
    measurements = page[page.index('id="measurements-heading"'):page.index('id="trail-heading"')]
    assert _cells(measurements) == ["23.11.2026 05:30", "23.11.2026 06:30", "23.11.2026 07:30"]
    assert "UTC" not in page


def test_access_log_shows_oslo_time_with_seconds(web):
    """Reads on both sides of the spring change are listed at Oslo's clock, with date and seconds."""
    web.log_in(Role.RESPONDER)
    for moment in (BEFORE_SPRING, AFTER_SPRING.replace(second=7)):
        _set_clock(web, moment)
        assert web.client.get(f"/response/alarms/{ALARM_YELLOW}").status_code == 200
    web.client.cookies.clear()
    web.log_in(Role.ADMIN)
    page = web.client.get("/admin/access-log?username=responder1").text
    assert _cells(page) == ["29.03.2026 03:15:07", "29.03.2026 01:45:00"]  # newest first
    assert "UTC" not in page and "Når</th>" in page


def test_plan_header_says_when_the_version_was_made_in_oslo_time(web):
    """The day plan's version line gives Oslo time with the date (stored 07:30 UTC → 08:30)."""
    web.log_in(Role.COORDINATOR)
    page = web.client.get("/plan?date=2026-11-23").text
    assert "Versjon 1, laget 23.11.2026 08:30." in page and "(UTC)" not in page
    assert "Dagsplan 23.11.2026</h1>" in page
    english = web.client.get("/plan?date=2026-11-23&lang=en").text
    assert "Version 1, made 23 Nov 2026 08:30." in english
