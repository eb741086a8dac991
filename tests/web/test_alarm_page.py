"""The alarm page to act from (issue 14, item 3): who the patient is, each measurement in words and
units over 72 hours with the limits that apply, and acknowledge / escalate / resolve on the page."""

from __future__ import annotations

import re

from sqlalchemy import update

from hjemme.domain.security import Role
from hjemme.store.database import session_scope
from hjemme.store.monitoring_tables import PersonalThresholdRecord
from hjemme.store.tables import PatientRecord
from tests.web.test_language_scan import visible_text
from tests.web.world import ALARM_RED, ALARM_YELLOW, NOW, SELF

PAGE = f"/response/alarms/{ALARM_RED}"


def test_alarm_page_says_who_the_patient_is(web):
    """Name, age, the pathway's Norwegian name, a phone link, and that no next of kin is registered."""
    web.log_in(Role.RESPONDER)
    page = web.client.get(PAGE).text
    text = visible_text(page)
    assert "Pasient P00001" in text and "78 år" in text  # born 1948, seen in 2026
    assert "Avansert hjemmesykehus – lunge" in text
    assert 'href="tel:+4791234567"' in page
    assert "Pårørende ikke registrert" in text


def test_alarm_page_shows_the_registered_next_of_kin(web):
    """Next of kin as the clinic registered them stand on the page, to be phoned from the response centre."""
    with session_scope(web.engine) as session:
        session.execute(update(PatientRecord).where(PatientRecord.id == SELF)
                        .values(next_of_kin="Kari Nordmann (datter) 98765432"))
    web.log_in(Role.RESPONDER)
    text = visible_text(web.client.get(PAGE).text)
    assert "Pårørende Kari Nordmann (datter) 98765432" in text


def test_measurements_have_names_units_limits_and_the_cited_readings(web):
    """SpO₂ is named and has its unit; the pathway's limit is a dashed line and the alarm's readings stand out."""
    web.log_in(Role.RESPONDER)
    page = web.client.get(PAGE).text
    text = visible_text(page)
    assert "oksygenmetning (SpO₂) (%)" in text and "sist 87 23.11.2026 07:30" in text
    assert page.count('class="limit"') == 1 and "grenser minst 88" in text
    assert page.count('class="cited"') == 3
    for code in ("spo2", "Cel", "mm[Hg]", "respiratory_rate"):
        assert not re.search(rf"\b{re.escape(code)}\b", text), code


def test_personal_limits_are_drawn_as_a_band(web):
    """A patient's own limits show as a shaded band and in the caption."""
    with session_scope(web.engine) as session:
        session.add(PersonalThresholdRecord(patient_id=SELF, parameter="spo2", low=86.0, high=None, set_at=NOW,
                                            set_by="lege1"))
    web.log_in(Role.RESPONDER)
    page = web.client.get(PAGE).text
    assert 'class="own-band"' in page and "egne grenser minst 86" in visible_text(page)


def test_acknowledge_escalate_and_resolve_from_the_alarm_page(web):
    """Each action on the page comes back to the page, which then shows what was done."""
    web.log_in(Role.RESPONDER)
    acked = web.client.post(f"{PAGE}/ack", data={"back": "alarm"})
    assert acked.url.path == PAGE and "Alarmen er kvittert" in acked.text
    assert "Kvitter</button>" not in acked.text
    escalated = web.client.post(f"{PAGE}/escalate", data={"back": "alarm", "note": "ring lege"})
    assert "Alarmen er eskalert" in escalated.text and "ring lege" in escalated.text
    refused = web.client.post(f"{PAGE}/resolve", data={"back": "alarm", "note": " "})
    assert refused.status_code == 422 and "Å løse en alarm krever et notat" in refused.text
    resolved = web.client.post(f"{PAGE}/resolve", data={"back": "alarm", "note": "ringt, SpO2 92 %"})
    assert "Alarmen er løst." in resolved.text and "Løs</button>" not in resolved.text


def test_english_alarm_page_names_the_cause_in_english(web):
    """The English page names the kind and the parameter instead of the stored bokmål cause."""
    web.log_in(Role.RESPONDER)
    text = visible_text(web.client.get(f"/response/alarms/{ALARM_YELLOW}?lang=en").text)
    assert "missing data: weight" in text and "ingen vekt" not in text
