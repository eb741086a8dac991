"""The response centre's pages: worklist, one alarm with its measurements, acknowledge/escalate/resolve."""

from __future__ import annotations

from hjemme.domain.security import Role
from tests.web.world import ALARM_RED, ALARM_YELLOW


def test_worklist_lists_open_alarms_most_urgent_first(web):
    """The worklist shows both open alarms, the red one first, with a traffic light in words."""
    web.log_in(Role.RESPONDER)
    page = web.client.get("/response").text
    assert page.index(f'data-alarm="{ALARM_RED}"') < page.index(f'data-alarm="{ALARM_YELLOW}"')
    assert 'data-count="waiting">2<' in page
    assert '<span class="severity">rød</span>' in page
    assert 'src="/static/js/response.js"' in page


def test_acknowledged_alarm_leaves_the_needs_action_list(web):
    """Acknowledging moves the alarm from "needs action" to "acknowledged"."""
    web.log_in(Role.RESPONDER)
    response = web.client.post(f"/response/alarms/{ALARM_RED}/ack", follow_redirects=False)
    assert response.status_code == 303
    page = web.client.get("/response").text
    assert 'data-count="waiting">1<' in page and 'data-count="acknowledged">1<' in page


def test_htmx_action_returns_the_new_worklist(web):
    """An action sent by htmx answers with the worklist fragment, not a whole page."""
    web.log_in(Role.RESPONDER)
    fragment = web.client.post(f"/response/alarms/{ALARM_RED}/ack", headers={"HX-Request": "true"}).text
    assert "<html" not in fragment and 'data-count="waiting">1<' in fragment


def test_resolve_needs_a_note(web):
    """Resolving without a note is refused with a message; with a note the alarm leaves the list."""
    web.log_in(Role.RESPONDER)
    refused = web.client.post(f"/response/alarms/{ALARM_YELLOW}/resolve", data={"note": " "})
    assert refused.status_code == 422 and "krever et notat" in refused.text
    done = web.client.post(f"/response/alarms/{ALARM_YELLOW}/resolve", data={"note": "ringte pasienten"},
                           follow_redirects=False)
    assert done.status_code == 303
    assert f'data-alarm="{ALARM_YELLOW}"' not in web.client.get("/response").text


def test_escalate_twice_past_the_top_is_a_conflict(web):
    """Escalating raises the level; past the highest level the page says it is already handled."""
    web.log_in(Role.RESPONDER)
    for _ in range(2):
        assert web.client.post(f"/response/alarms/{ALARM_RED}/escalate", data={"note": "lege"},
                               follow_redirects=False).status_code == 303
    again = web.client.post(f"/response/alarms/{ALARM_RED}/escalate", data={"note": ""})
    assert again.status_code == 409


def test_alarm_page_charts_its_measurements(web):
    """One alarm shows its SpO2 measurements as a chart and a table, and its history."""
    web.log_in(Role.RESPONDER)
    page = web.client.get(f"/response/alarms/{ALARM_RED}").text
    assert page.count("<circle") == 3 and "<polyline" in page
    assert "87 %" in page


def test_unknown_alarm_is_not_found(web):
    """An alarm id that does not exist shows the not-found page."""
    web.log_in(Role.RESPONDER)
    assert web.client.get("/response/alarms/nope").status_code == 404


def test_event_stream_is_for_the_response_centre_only(web):
    """Other roles cannot open the alarm stream or act on alarms."""
    web.log_in(Role.LOGISTICS)
    assert web.client.get("/response/events", follow_redirects=False).status_code == 403
    assert web.client.post(f"/response/alarms/{ALARM_RED}/ack", follow_redirects=False).status_code == 403


def test_only_a_red_alarm_offers_an_urgent_visit(web):
    """The red alarm's page offers "order an urgent visit"; the yellow one does not, and posting is refused."""
    web.log_in(Role.RESPONDER)
    assert "Bestill akuttbesøk i dagens plan" in web.client.get(f"/response/alarms/{ALARM_RED}").text
    assert "Bestill akuttbesøk" not in web.client.get(f"/response/alarms/{ALARM_YELLOW}").text
    refused = web.client.post(f"/response/alarms/{ALARM_YELLOW}/urgent-visit")
    assert refused.status_code == 409 and "Bare en rød alarm" in refused.text


def test_urgent_visit_needs_a_replannable_plan(web):
    """Without the stored planning input the page says the plan must be made again, and nothing changes."""
    web.log_in(Role.RESPONDER)
    response = web.client.post(f"/response/alarms/{ALARM_RED}/urgent-visit")
    assert response.status_code == 422 and "Dagens plan må lages på nytt" in response.text
    assert "akuttbesøk bestilt" not in web.client.get(f"/response/alarms/{ALARM_RED}").text
