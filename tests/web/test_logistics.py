"""Logistics pages: the vans' routes without diagnoses, order suggestions to accept, stock."""

from __future__ import annotations

from hjemme.domain.security import Role
from hjemme.logistics.orders import LineStatus
from hjemme.services.logistics import list_order_lines
from tests.web.world import TODAY


def test_van_loads_show_addresses_and_no_clinicians(web):
    """Logistics sees the van's stops with name and address, and not the nurse's route."""
    web.log_in(Role.LOGISTICS)
    page = web.client.get("/logistics?date=2026-11-23").text
    assert "V001" in page and "Pasient P00003" in page
    assert "S0001" not in page and "Pasient P00001" not in page


def test_order_suggestions_accept_with_an_adjusted_quantity(web):
    """Accepting a ticked suggestion with a new quantity stores it as accepted with that quantity."""
    line = list_order_lines(engine=web.engine, delivery_date=TODAY, status=LineStatus.SUGGESTED)[0]
    web.log_in(Role.LOGISTICS)
    page = web.client.get("/logistics/orders?date=2026-11-23").text
    assert f'value="{line.id}"' in page and line.pathway_id not in page
    response = web.client.post(
        "/logistics/orders",
        data={"date": "2026-11-23", "line": line.id, f"quantity-{line.id}": str(line.quantity + 1),
              "decision": "accept"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    stored = {ln.id: ln for ln in list_order_lines(engine=web.engine, delivery_date=TODAY)}[line.id]
    assert stored.status is LineStatus.ACCEPTED and stored.quantity == line.quantity + 1


def test_order_decision_without_a_line_says_so(web):
    """Pressing accept with nothing ticked shows an error instead of failing."""
    web.log_in(Role.LOGISTICS)
    response = web.client.post("/logistics/orders", data={"date": "2026-11-23", "decision": "accept"})
    assert response.status_code == 200 and 'role="alert"' in response.text


def test_stock_lists_expiring_lots(web):
    """The stock page lists lots expiring within a week and the stock levels."""
    web.log_in(Role.LOGISTICS)
    page = web.client.get("/logistics/stock").text
    assert "Utløper innen 7 dager" in page and "Lagerbeholdning" in page
    assert "Under bestillingspunktet" in page
