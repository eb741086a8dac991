"""Stock ledger: derived on-hand, no negative stock, FEFO picking, expiring and low-stock lists."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hjemme.errors import InputError
from hjemme.logistics.stock import (
    InsufficientStockError,
    Lot,
    Movement,
    MovementKind,
    NegativeStockError,
    StockLedger,
    expiring_stock,
    home_location,
    low_stock,
    movements_for_picks,
    pick_fefo,
    stock_levels,
    van_location,
)

TODAY = dt.date(2026, 11, 23)
AT = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
LC = "logistics_centre"
LOCATIONS = [LC, "mhb", van_location("V1"), home_location("P1")]
LOTS = [
    Lot("L-old", "saline_flush", TODAY + dt.timedelta(days=2)),
    Lot("L-new", "saline_flush", TODAY + dt.timedelta(days=200)),
    Lot("L-expired", "saline_flush", TODAY - dt.timedelta(days=1)),
    Lot("L-forever", "saline_flush", None),
    Lot("G-1", "gloves_box", TODAY + dt.timedelta(days=30)),
]


def _receipt(lot_id: str, quantity: int, n: int = 0, location: str = LC) -> Movement:
    return Movement(f"R{n}-{lot_id}", MovementKind.RECEIPT, lot_id, quantity, None, location, "po", "u1", AT)


def _stocked() -> StockLedger:
    return StockLedger.of(
        LOTS,
        [_receipt("L-old", 5), _receipt("L-new", 20), _receipt("L-expired", 50), _receipt("L-forever", 3),
         _receipt("G-1", 4)],
    )


def test_fefo_takes_the_earliest_unexpired_lot_first() -> None:
    """Picking 8 flushes takes the 5 expiring soonest and 3 from the next lot, skipping the expired lot."""
    picks = pick_fefo(_stocked(), LC, "saline_flush", 8, TODAY)
    assert [(p.lot_id, p.quantity) for p in picks] == [("L-old", 5), ("L-new", 3)]


def test_lots_without_expiry_are_picked_last() -> None:
    """Lots that never expire are used after every lot that does."""
    picks = pick_fefo(_stocked(), LC, "saline_flush", 27, TODAY)
    assert [(p.lot_id, p.quantity) for p in picks] == [("L-old", 5), ("L-new", 20), ("L-forever", 2)]


def test_goods_that_must_last_skip_lots_expiring_before_use() -> None:
    """When the flushes must last 3 more days, the lot expiring in 2 days is not picked."""
    picks = pick_fefo(_stocked(), LC, "saline_flush", 4, TODAY, min_days_left=3)
    assert [p.lot_id for p in picks] == ["L-new"]


def test_picking_more_than_usable_stock_is_refused_in_norwegian() -> None:
    """Asking for more than the unexpired stock fails with a message saying what is usable."""
    with pytest.raises(InsufficientStockError, match="trenger 40, har 28"):
        pick_fefo(_stocked(), LC, "saline_flush", 40, TODAY)


def test_a_movement_that_would_go_negative_is_refused() -> None:
    """Delivering 5 glove boxes when 4 are in stock is refused and leaves the ledger unchanged."""
    ledger = _stocked()
    bad = Movement("D1", MovementKind.DELIVERY, "G-1", 5, LC, home_location("P1"), "order", "u1", AT)
    with pytest.raises(NegativeStockError, match="ville blitt negativ: det finnes 4"):
        ledger.record(bad)
    assert ledger.on_hand(location=LC, product_id="gloves_box") == 4


def test_picks_become_movements_that_move_stock_to_the_van() -> None:
    """Recording the pick movements moves the units from the centre onto the van."""
    ledger = _stocked()
    picks = pick_fefo(ledger, LC, "saline_flush", 8, TODAY)
    moved = ledger.record_all(
        movements_for_picks(
            picks, kind=MovementKind.PICK, from_location=LC, to_location=van_location("V1"),
            reason_code="order", user_id="u1", at=AT, id_prefix="PK1",
        )
    )
    assert moved.on_hand(location=van_location("V1")) == 8
    assert moved.on_hand(location=LC, product_id="saline_flush") == 78 - 8


def test_movement_shape_is_checked() -> None:
    """A receipt needs a destination only, a count adjustment exactly one side, and every movement a reason and user."""
    with pytest.raises(InputError, match="fra/til"):
        Movement("M", MovementKind.RECEIPT, "G-1", 1, LC, "mhb", "po", "u1", AT)
    with pytest.raises(InputError, match="fra/til"):
        Movement("M", MovementKind.COUNT_ADJUSTMENT, "G-1", 1, LC, "mhb", "count", "u1", AT)
    with pytest.raises(InputError, match="årsakskode"):
        Movement("M", MovementKind.SCRAP, "G-1", 1, LC, None, " ", "u1", AT)
    with pytest.raises(InputError, match="positivt"):
        Movement("M", MovementKind.SCRAP, "G-1", 0, LC, None, "expired", "u1", AT)


def test_unknown_lot_is_refused() -> None:
    """A movement of a lot the ledger does not know is refused, naming the lot."""
    with pytest.raises(InputError, match="X"):
        _stocked().record(_receipt("X", 1))


def test_expiring_list_includes_expired_and_soon_expiring_lots() -> None:
    """Within 7 days: the expired lot (days_left -1) and the lot expiring in 2 days, soonest first."""
    found = expiring_stock(_stocked(), TODAY, 7)
    assert [(e.lot_id, e.days_left, e.quantity) for e in found] == [("L-expired", -1, 50), ("L-old", 2, 5)]


def test_low_stock_lists_products_below_reorder_point() -> None:
    """Gloves (4) are below a reorder point of 10; flushes (28 usable) are above 20; expired units do not count."""
    low = low_stock(_stocked(), LC, {"gloves_box": 10, "saline_flush": 20, "sharps_container": 1}, TODAY)
    assert [(x.product_id, x.usable, x.shortfall) for x in low] == [("gloves_box", 4, 6), ("sharps_container", 0, 1)]


def test_stock_levels_split_usable_from_expired() -> None:
    """The level of flushes at the centre counts 78 units of which 50 are expired."""
    levels = {(s.location, s.product_id): s for s in stock_levels(_stocked(), TODAY)}
    flush = levels[(LC, "saline_flush")]
    assert (flush.on_hand, flush.usable, flush.expired, flush.next_expiry) == (78, 28, 50, TODAY + dt.timedelta(days=2))


_KINDS = list(MovementKind)


@st.composite
def _attempts(draw: st.DrawFn) -> list[Movement]:
    moves = []
    for n in range(draw(st.integers(1, 25))):
        kind = draw(st.sampled_from(_KINDS))
        lot = draw(st.sampled_from(LOTS)).id
        quantity = draw(st.integers(1, 12))
        a, b = draw(st.permutations(LOCATIONS))[:2]
        if kind is MovementKind.RECEIPT:
            src, dst = None, a
        elif kind is MovementKind.SCRAP:
            src, dst = a, None
        elif kind is MovementKind.COUNT_ADJUSTMENT:
            src, dst = (a, None) if draw(st.booleans()) else (None, a)
        else:
            src, dst = a, b
        moves.append(Movement(f"M{n}", kind, lot, quantity, src, dst, "test", "u1", AT))
    return moves


def _replayed_sum(movements: tuple[Movement, ...]) -> dict[tuple[str, str], int]:
    sums: dict[tuple[str, str], int] = {}
    for m in movements:
        if m.from_location:
            sums[(m.from_location, m.lot_id)] = sums.get((m.from_location, m.lot_id), 0) - m.quantity
        if m.to_location:
            sums[(m.to_location, m.lot_id)] = sums.get((m.to_location, m.lot_id), 0) + m.quantity
    return {k: v for k, v in sums.items() if v}


@settings(max_examples=60, deadline=None)
@given(_attempts())
def test_on_hand_is_the_sum_of_movements_and_never_negative(attempts: list[Movement]) -> None:
    """Under any sequence of movements, refused ones change nothing, balances equal the sum of accepted movements and none is negative."""
    ledger = StockLedger.of(LOTS)
    for movement in attempts:
        try:
            ledger = ledger.record(movement)
        except NegativeStockError:
            pass
    assert dict(ledger.balances) == _replayed_sum(ledger.movements)
    assert all(units > 0 for units in ledger.balances.values())
    assert StockLedger.of(LOTS, ledger.movements).balances == ledger.balances


@settings(max_examples=60, deadline=None)
@given(
    stock=st.lists(st.tuples(st.integers(-5, 10), st.integers(1, 9)), min_size=1, max_size=6),
    quantity=st.integers(1, 40),
    min_days_left=st.integers(0, 3),
)
def test_fefo_never_picks_expired_and_always_prefers_earlier_expiry(
    stock: list[tuple[int, int]], quantity: int, min_days_left: int
) -> None:
    """A FEFO pick never contains a lot unusable on the day of use, and never a later lot while an earlier usable one has units left."""
    lots = [Lot(f"L{i}", "p", TODAY + dt.timedelta(days=d)) for i, (d, _) in enumerate(stock)]
    ledger = StockLedger.of(lots, [_receipt(lot.id, units, i) for i, (lot, (_, units)) in enumerate(zip(lots, stock, strict=True))])
    usable = [(lot, units) for lot, (_, units) in zip(lots, stock, strict=True) if lot.usable_on(TODAY, min_days_left)]
    if quantity > sum(u for _, u in usable):
        with pytest.raises(InsufficientStockError):
            pick_fefo(ledger, LC, "p", quantity, TODAY, min_days_left=min_days_left)
        return
    picks = pick_fefo(ledger, LC, "p", quantity, TODAY, min_days_left=min_days_left)
    assert sum(p.quantity for p in picks) == quantity
    by_id = {lot.id: lot for lot in lots}
    assert all(by_id[p.lot_id].usable_on(TODAY, min_days_left) for p in picks)
    latest_used = max(p.expiry_date for p in picks if p.expiry_date is not None)
    for lot, units in usable:
        assert lot.expiry_date is not None
        if lot.expiry_date < latest_used:
            taken = sum(p.quantity for p in picks if p.lot_id == lot.id)
            assert taken == units
