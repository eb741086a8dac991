"""The order board (issue 14): suggestions grouped per patient and delivery date, totals, filters."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from hjemme.catalogue import load_catalogue
from hjemme.domain.catalogue import ProductCategory
from hjemme.domain.time import TimeWindow
from hjemme.logistics.order_board import BoardFilter, order_board
from hjemme.logistics.orders import OrderLine

PRODUCTS = load_catalogue().products
DAY = dt.date(2026, 11, 23)
CLINICS = {"P1": "haematology", "P2": "palliative_care", "P3": "haematology"}


def line(patient: str, product: str, need: int, quantity: int = 1, delivery: int = 0) -> OrderLine:
    """A line needed ``need`` days after DAY, delivered ``delivery`` days after it."""
    return OrderLine(
        id=f"{patient}-{product}-{need}",
        patient_id=patient,
        enrolment_id=f"E{patient}",
        pathway_id="x",
        product_id=product,
        quantity=quantity,
        gross_quantity=quantity,
        needed_by=DAY + dt.timedelta(days=need),
        delivery_date=DAY + dt.timedelta(days=delivery),
        source_site_id="logistics_centre",
        qualified_carrier=False,
        window=TimeWindow(420, 600),
    )


def test_the_same_patient_and_product_over_days_is_one_row_with_its_sum():
    """Three days of morphine bundled into one delivery read as one row of 30, not three lines."""
    lines = [line("P2", "morphine_ampoule", d, 10) for d in range(3)] + [line("P2", "gloves_box", 0)]
    board = order_board(lines, PRODUCTS, CLINICS)
    (group,) = board.groups
    assert (group.patient_id, group.delivery_date) == ("P2", DAY)
    rows = {r.product_id: r for r in group.rows}
    assert rows["morphine_ampoule"].quantity == 30 and len(rows["morphine_ampoule"].line_ids) == 3
    assert rows["morphine_ampoule"].needed_by == DAY
    assert board.line_count == 4 and set(board.line_ids) == {ln.id for ln in lines}


def test_groups_by_date_then_patient_name_and_rows_by_product_name():
    """Deliveries come by date and then the patient's name; inside one, products by name."""
    lines = [
        line("P1", "syringe_10ml", 1, delivery=1),
        line("P3", "gloves_box", 0),
        line("P1", "antiemetic_tablets", 0),
        line("P1", "gloves_box", 0),
    ]
    board = order_board(lines, PRODUCTS, CLINICS, patient_names={"P1": "Åse Berg", "P3": "Anne Aas"})
    assert [(g.delivery_date, g.patient_id) for g in board.groups] == [
        (DAY, "P3"), (DAY, "P1"), (DAY + dt.timedelta(days=1), "P1"),
    ]
    names = [PRODUCTS[r.product_id].name for r in board.groups[1].rows]
    assert names == sorted(names, key=str.casefold)


def test_totals_per_product_count_units_and_patients():
    """The totals add up the units of every shown line per product and count the patients."""
    lines = [line("P1", "gloves_box", 0, 2), line("P2", "gloves_box", 1, 3, delivery=1), line("P2", "gloves_box", 2, 1)]
    totals = {t.product_id: t for t in order_board(lines, PRODUCTS, CLINICS).totals}
    assert (totals["gloves_box"].quantity, totals["gloves_box"].patients) == (6, 2)


def test_filters_keep_only_the_clinic_date_and_group_asked_for_and_offer_every_choice():
    """Each filter narrows the groups, totals and count; the choices still list every clinic, date, group."""
    lines = [
        line("P1", "gloves_box", 0),
        line("P2", "morphine_ampoule", 0),
        line("P3", "blood_sample_kit", 1, delivery=1),
    ]
    by_clinic = order_board(lines, PRODUCTS, CLINICS, BoardFilter(clinic="haematology"))
    assert {g.patient_id for g in by_clinic.groups} == {"P1", "P3"}
    by_date = order_board(lines, PRODUCTS, CLINICS, BoardFilter(delivery_date=DAY + dt.timedelta(days=1)))
    assert [g.patient_id for g in by_date.groups] == ["P3"]
    by_group = order_board(lines, PRODUCTS, CLINICS, BoardFilter(product_group=ProductCategory.MEDICINE))
    assert [t.product_id for t in by_group.totals] == ["morphine_ampoule"] and by_group.line_count == 1
    assert by_group.clinics == ("haematology", "palliative_care")
    assert by_group.dates == (DAY, DAY + dt.timedelta(days=1))
    assert set(by_group.product_groups) == {
        ProductCategory.CONSUMABLE, ProductCategory.MEDICINE, ProductCategory.SAMPLE_KIT,
    }
    nothing = order_board(lines, PRODUCTS, CLINICS, BoardFilter(clinic="cardiology"))
    assert nothing.groups == () and nothing.totals == () and nothing.line_count == 0


PRODUCT_IDS = sorted(PRODUCTS)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["P1", "P2", "P3"]),
            st.sampled_from(PRODUCT_IDS),
            st.integers(0, 6),
            st.integers(0, 20),
            st.integers(0, 3),
        ),
        max_size=60,
        unique_by=lambda t: (t[0], t[1], t[2]),
    ),
    st.sampled_from([None, "haematology", "palliative_care"]),
    st.sampled_from([None, *ProductCategory]),
)
def test_every_shown_line_is_in_exactly_one_row_and_the_totals_match(specs, clinic, group):
    """Whatever the filter: each line it keeps sits in exactly one row of one group, rows sum their
    lines, and the totals equal the sums of the rows."""
    lines = [line(p, prod, need, q, min(delivery, need)) for p, prod, need, q, delivery in specs]
    wanted = BoardFilter(clinic=clinic, product_group=group)
    board = order_board(lines, PRODUCTS, CLINICS, wanted)
    kept = [ln for ln in lines if wanted.keeps(ln, CLINICS[ln.patient_id], PRODUCTS[ln.product_id].category)]
    ids = [i for g in board.groups for r in g.rows for i in r.line_ids]
    assert sorted(ids) == sorted(ln.id for ln in kept) and board.line_count == len(kept)
    for g in board.groups:
        for r in g.rows:
            assert r.quantity == sum(ln.quantity for ln in r.lines)
            assert all((ln.patient_id, ln.delivery_date, ln.product_id) == (g.patient_id, g.delivery_date, r.product_id)
                       for ln in r.lines)
    by_product: dict[str, int] = {}
    for g in board.groups:
        for r in g.rows:
            by_product[r.product_id] = by_product.get(r.product_id, 0) + r.quantity
    assert {t.product_id: t.quantity for t in board.totals} == by_product
