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


# --- issue 14, item 4: the split logistics pages ---------------------------------------------------

import datetime as dt  # noqa: E402
import re  # noqa: E402

from hjemme.logistics.stock import Lot, Movement, MovementKind  # noqa: E402
from hjemme.services.auth import Principal  # noqa: E402
from hjemme.services.logistics import (  # noqa: E402
    WAREHOUSE,
    list_purchase_orders,
    record_stock_movements,
    stock_levels,
    suggest_orders,
    suggest_purchase_orders,
)
from tests.web.world import NOW  # noqa: E402

LOGISTICS = Principal("logistics1", Role.LOGISTICS)


def test_orders_are_grouped_and_every_line_shown_is_accepted_in_one_request(web):
    """The board shows one block per patient and delivery date; "choose all shown" accepts every line
    shown in one post, whatever boxes were ticked."""
    suggest_orders(engine=web.engine, date=TODAY, horizon_days=7)
    waiting = list_order_lines(engine=web.engine, status=LineStatus.SUGGESTED)
    web.log_in(Role.LOGISTICS)
    page = web.client.get("/logistics/orders").text
    assert page.count('<tbody class="delivery"') == len({(ln.patient_id, ln.delivery_date) for ln in waiting})
    shown = re.search(r'name="shown" value="([^"]*)"', page).group(1).split()
    assert sorted(shown) == sorted(ln.id for ln in waiting)
    rows = re.findall(r'name="line" class="pick-line" value="([^"]*)"', page)
    assert sorted(i for v in rows for i in v.split()) == sorted(shown)  # each line behind exactly one row
    response = web.client.post("/logistics/orders", data={"all": "1", "shown": " ".join(shown), "decision": "accept"})
    assert response.status_code == 200 and f"{len(waiting)} linjer godkjent" in response.text
    assert {ln.status for ln in list_order_lines(engine=web.engine)} <= {LineStatus.ACCEPTED}


def test_coordinators_decide_on_orders_but_do_not_see_stock(web):
    """A coordinator has the order suggestions in the menu and may reject a row; stock stays logistics'."""
    line = list_order_lines(engine=web.engine, status=LineStatus.SUGGESTED)[0]
    web.log_in(Role.COORDINATOR)
    page = web.client.get("/logistics/orders").text
    assert 'href="/logistics/orders"' in page and "Bestillingsforslag" in page
    response = web.client.post("/logistics/orders", data={"line": line.id, "decision": "reject"})
    assert response.status_code == 200 and "1 linje avvist" in response.text
    assert web.client.get("/logistics/stock").status_code == 403


def test_places_and_product_groups_are_words_in_both_languages(web):
    """The logistics centre, clinics and product groups are named, in bokmål and in English."""
    web.log_in(Role.LOGISTICS)
    nb = web.client.get("/logistics/stock").text + web.client.get("/logistics/orders").text
    assert "OUS Hjemme logistikksenter" in nb and "Forbruksmateriell" in nb and "logistics_centre" not in nb
    en = web.client.get("/logistics/stock?lang=en").text + web.client.get("/logistics/orders?lang=en").text
    assert "OUS Hjemme logistics centre" in en and "Consumables" in en and "Forbruksmateriell" not in en


def test_stock_warns_about_expired_lots_first(web):
    """A lot past its use-by date is counted in the warnings and listed to be taken out of stock."""
    expired = Lot("L99001-1", "gloves_box", TODAY - dt.timedelta(days=2))
    record_stock_movements(
        engine=web.engine, new_lots=[expired],
        movements=[Movement("t-expired", MovementKind.RECEIPT, expired.id, 5, None, WAREHOUSE, "test", "t", NOW)],
    )
    web.log_in(Role.LOGISTICS)
    page = web.client.get("/logistics/stock?days=3").text
    assert "1 utløpt parti" in page and "Utløpt: ta ut av lager (1)" in page and "L99001-1" in page
    assert "Utløper innen 3 dager" in page


def test_ordering_from_the_low_list_on_the_stock_page(web):
    """A product made low (its stock scrapped) is listed with a ticked box; ordering places its purchase
    order and the row then reads "on order"; ordering nothing says so."""
    rows = suggest_purchase_orders(engine=web.engine, principal=LOGISTICS, client=None, at=NOW, on=TODAY).rows
    product = next(r.product_id for r in rows if r.reorder_point >= 1)
    held = [lv for lv in stock_levels(engine=web.engine, principal=LOGISTICS, client=None, at=NOW, on=TODAY)
            if lv.location == WAREHOUSE and lv.product_id == product]
    from hjemme.services.logistics._rows import _load_ledger
    from hjemme.store.database import session_scope

    with session_scope(web.engine) as session:
        lots = _load_ledger(session).lots_at(WAREHOUSE, product)
    record_stock_movements(engine=web.engine, movements=[
        Movement(f"scrap-{lot.id}", MovementKind.SCRAP, lot.id, units, WAREHOUSE, None, "test", "t", NOW)
        for lot, units in lots
    ])
    assert held and held[0].on_hand > 0
    web.log_in(Role.LOGISTICS)
    page = web.client.get("/logistics/stock").text
    assert f'name="product" value="{product}"' in page
    response = web.client.post("/logistics/stock/order", data={"product": product})
    assert response.status_code == 200 and "innkjøpsordre lagt inn" in response.text
    assert f'name="product" value="{product}"' not in response.text and "bestilt" in response.text
    assert [po.product_id for po in list_purchase_orders(engine=web.engine, principal=LOGISTICS)] == [product]
    refused = web.client.post("/logistics/stock/order", data={})
    assert refused.status_code == 200 and 'role="alert"' in refused.text


def test_pick_lists_one_section_per_van_and_one_van_alone(planned):
    """The pick-list page has a sheet per van carrying goods; ?van= prints that van alone; a day
    without a plan says so."""
    planned.log_in(Role.LOGISTICS)
    page = planned.client.get(f"/logistics/pick-lists?date={TODAY}").text
    vans = re.findall(r'<section class="sheet"[^>]*data-van="([^"]+)"', page)
    assert vans and "Lasterekkefølge" in page
    one = planned.client.get(f"/logistics/pick-lists?date={TODAY}&van={vans[0]}").text
    assert re.findall(r'data-van="([^"]+)"', one) == [vans[0]]
    empty = planned.client.get(f"/logistics/pick-lists?date={TODAY + dt.timedelta(days=5)}").text
    assert "Det er ikke laget noen plan for denne datoen" in empty


def test_van_routes_show_one_van_at_a_time(planned):
    """The routes page lists every van in one table (a link each) and shows the stops of one van only:
    the one chosen, else the first."""
    planned.log_in(Role.LOGISTICS)
    plan = planned.plan()
    transport = [r["resource"] for r in plan["routes"] if r["kind"] in ("van", "cold_van", "courier")]
    page = planned.client.get(f"/logistics?date={TODAY}").text
    vans = re.findall(r'/logistics\?date=[^&]+&amp;van=([^"]+)"', page)
    assert vans == transport
    assert page.count('<section aria-labelledby="route-heading">') == 1
    chosen = planned.client.get(f"/logistics?date={TODAY}&van={vans[-1]}").text
    assert chosen.count('aria-current="true"') == 2  # the language link and the chosen van
