"""Stock: lots with expiry at locations, an append-only movement ledger, FEFO picking.

Why a ledger: the logistics centre, MHB, the clinic stores, the vans and the patients' homes all
hold stock, and the roadmap (4.7) wants one traceable picture of it. Every change is a
:class:`Movement` with a reason code and the user who made it; nothing is ever updated in place,
so on-hand is *derived* (the sum of the movements) and an auditor can replay any past state.
A movement that would make any balance negative is refused with a Norwegian message that says
how much there is and how much was asked for.

Expiry: a lot's ``expiry_date`` is its use-by date, the last day it may be used. Picking is
first-expiry-first-out among lots still usable on the pick date (plus an optional number of
days the goods must last), so an expired lot is never picked.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from hjemme.errors import ConflictError, InputError


class StockError(ConflictError):
    """A stock operation contradicts the ledger (not enough stock, negative balance)."""


class NegativeStockError(StockError):
    """A movement would take a balance below zero; the ledger refuses it."""


class InsufficientStockError(StockError):
    """Not enough usable (unexpired) stock to pick what was asked for."""


class LocationKind(enum.StrEnum):
    LOGISTICS_CENTRE = "logistics_centre"
    MTU_BASE = "mtu_base"
    SUPPLY_CENTRE = "supply_centre"
    PHARMACY = "pharmacy"
    CLINIC_STORE = "clinic_store"
    VAN = "van"
    PATIENT_HOME = "patient_home"


@dataclass(frozen=True, slots=True)
class StockLocation:
    """A place that holds stock. Ids of vans and homes are ``van:<vehicle>`` and ``home:<patient>``."""

    id: str
    kind: LocationKind
    name: str


def van_location(vehicle_id: str) -> str:
    return f"van:{vehicle_id}"


def home_location(patient_id: str) -> str:
    return f"home:{patient_id}"


def clinic_store_location(site_id: str) -> str:
    return f"store:{site_id}"


@dataclass(frozen=True, slots=True)
class Lot:
    """A batch of one product with one use-by date (``None``: does not expire)."""

    id: str
    product_id: str
    expiry_date: dt.date | None

    def usable_on(self, date: dt.date, min_days_left: int = 0) -> bool:
        """True when the lot may still be used ``min_days_left`` days after ``date``."""
        if self.expiry_date is None:
            return True
        return date + dt.timedelta(days=min_days_left) <= self.expiry_date


class MovementKind(enum.StrEnum):
    RECEIPT = "receipt"  # from a supplier into a location
    PICK = "pick"  # from a shelf to a van or dispatch area, for an order
    TRANSFER = "transfer"  # between two stock locations
    DELIVERY = "delivery"  # to a patient's home
    RETURN = "return"  # back from a home or van into a location
    SCRAP = "scrap"  # out of stock for good (expired, damaged)
    COUNT_ADJUSTMENT = "count_adjustment"  # a stock count found more (to) or less (from)


_K = MovementKind
_NEEDS_FROM = frozenset({_K.PICK, _K.TRANSFER, _K.DELIVERY, _K.RETURN, _K.SCRAP})
_NEEDS_TO = frozenset({_K.RECEIPT, _K.PICK, _K.TRANSFER, _K.DELIVERY, _K.RETURN})


@dataclass(frozen=True, slots=True)
class Movement:
    """One append-only ledger entry: ``quantity`` units of a lot moved from one place to another.

    A receipt has no ``from_location``, a scrap no ``to_location``; a count adjustment has exactly
    one of them (``to`` when the count found more, ``from`` when it found less).
    """

    id: str
    kind: MovementKind
    lot_id: str
    quantity: int
    from_location: str | None
    to_location: str | None
    reason_code: str
    user_id: str
    at: dt.datetime
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", MovementKind(self.kind))
        if self.quantity <= 0:
            raise InputError("quantity", f"bevegelse {self.id}: antallet må være positivt")
        if not self.reason_code.strip():
            raise InputError("reason_code", f"bevegelse {self.id}: årsakskode mangler")
        if not self.user_id.strip():
            raise InputError("user_id", f"bevegelse {self.id}: bruker mangler")
        has_from, has_to = self.from_location is not None, self.to_location is not None
        if self.kind is MovementKind.COUNT_ADJUSTMENT:
            ok = has_from != has_to
        else:
            ok = has_from == (self.kind in _NEEDS_FROM) and has_to == (self.kind in _NEEDS_TO)
        if not ok or (has_from and self.from_location == self.to_location):
            raise InputError("location", f"bevegelse {self.id}: ugyldig fra/til for {self.kind.value}")


@dataclass(frozen=True, slots=True)
class StockLedger:
    """Lots and the movements recorded against them, with balances derived from the movements.

    Build it with :meth:`of` (which replays and checks every movement) and extend it with
    :meth:`record`, which returns a new ledger and never changes this one.
    """

    lots: Mapping[str, Lot] = field(default_factory=dict)
    movements: tuple[Movement, ...] = ()
    balances: Mapping[tuple[str, str], int] = field(default_factory=dict)  # (location, lot) → units

    @classmethod
    def of(cls, lots: Iterable[Lot], movements: Iterable[Movement] = ()) -> StockLedger:
        """A ledger of ``lots`` after replaying ``movements`` in order (each one checked)."""
        ledger = cls(lots={lot.id: lot for lot in lots})
        balances: dict[tuple[str, str], int] = {}
        recorded: list[Movement] = []
        for movement in movements:
            ledger._apply(balances, movement)
            recorded.append(movement)
        return replace(ledger, movements=tuple(recorded), balances=balances)

    def with_lots(self, lots: Iterable[Lot]) -> StockLedger:
        """The ledger knowing more lots; a lot id may not change its product or expiry."""
        known = dict(self.lots)
        for lot in lots:
            if lot.id in known and known[lot.id] != lot:
                raise InputError("lot", f"parti {lot.id} finnes allerede med andre opplysninger")
            known[lot.id] = lot
        return replace(self, lots=known)

    def record(self, movement: Movement) -> StockLedger:
        """The ledger with ``movement`` appended; raises :class:`NegativeStockError` instead."""
        balances = dict(self.balances)
        self._apply(balances, movement)
        return replace(self, movements=(*self.movements, movement), balances=balances)

    def record_all(self, movements: Iterable[Movement]) -> StockLedger:
        """The ledger with every movement appended, all or nothing."""
        balances = dict(self.balances)
        added: list[Movement] = []
        for movement in movements:
            self._apply(balances, movement)
            added.append(movement)
        return replace(self, movements=(*self.movements, *added), balances=balances)

    def _apply(self, balances: dict[tuple[str, str], int], movement: Movement) -> None:
        if movement.lot_id not in self.lots:
            raise InputError("lot_id", f"ukjent parti {movement.lot_id}")
        if movement.from_location is not None:
            key = (movement.from_location, movement.lot_id)
            have = balances.get(key, 0)
            if have < movement.quantity:
                raise NegativeStockError(
                    f"Beholdningen av parti {movement.lot_id} på {movement.from_location} ville blitt "
                    f"negativ: det finnes {have}, bevegelsen {movement.id} trekker {movement.quantity}."
                )
            if have == movement.quantity:
                del balances[key]
            else:
                balances[key] = have - movement.quantity
        if movement.to_location is not None:
            key = (movement.to_location, movement.lot_id)
            balances[key] = balances.get(key, 0) + movement.quantity

    def quantity(self, location: str, lot_id: str) -> int:
        return self.balances.get((location, lot_id), 0)

    def lots_at(self, location: str, product_id: str | None = None) -> list[tuple[Lot, int]]:
        """Lots with stock at ``location`` (of ``product_id`` when given), earliest expiry first."""
        found = [
            (self.lots[lot_id], units)
            for (loc, lot_id), units in self.balances.items()
            if loc == location and (product_id is None or self.lots[lot_id].product_id == product_id)
        ]
        return sorted(found, key=lambda item: _fefo_key(item[0]))

    def on_hand(
        self,
        *,
        location: str | None = None,
        product_id: str | None = None,
        usable_on: dt.date | None = None,
    ) -> int:
        """Units held, filtered by location and product; only unexpired units when ``usable_on``."""
        total = 0
        for (loc, lot_id), units in self.balances.items():
            lot = self.lots[lot_id]
            if location is not None and loc != location:
                continue
            if product_id is not None and lot.product_id != product_id:
                continue
            if usable_on is not None and not lot.usable_on(usable_on):
                continue
            total += units
        return total

    def locations(self) -> list[str]:
        return sorted({loc for loc, _ in self.balances})


def _fefo_key(lot: Lot) -> tuple[int, dt.date, str]:
    return (1, dt.date.max, lot.id) if lot.expiry_date is None else (0, lot.expiry_date, lot.id)


@dataclass(frozen=True, slots=True)
class LotPick:
    """Take ``quantity`` units of lot ``lot_id`` (use-by ``expiry_date``)."""

    lot_id: str
    product_id: str
    quantity: int
    expiry_date: dt.date | None


def pick_fefo(
    ledger: StockLedger,
    location: str,
    product_id: str,
    quantity: int,
    on: dt.date,
    *,
    min_days_left: int = 0,
) -> tuple[LotPick, ...]:
    """Which lots to pick for ``quantity`` units: first expiry first, never an expired lot.

    ``min_days_left`` asks for goods that last that many days past ``on`` (until the day of use).
    Raises :class:`InsufficientStockError` when usable stock is short.
    """
    if quantity <= 0:
        raise InputError("quantity", "antallet som skal plukkes må være positivt")
    picks: list[LotPick] = []
    left = quantity
    for lot, units in ledger.lots_at(location, product_id):
        if left == 0:
            break
        if not lot.usable_on(on, min_days_left):
            continue
        take = min(units, left)
        picks.append(LotPick(lot.id, product_id, take, lot.expiry_date))
        left -= take
    if left:
        raise InsufficientStockError(
            f"For lite brukbar beholdning av {product_id} på {location}: "
            f"trenger {quantity}, har {quantity - left} som ikke er utløpt {on.isoformat()}."
        )
    return tuple(picks)


def movements_for_picks(
    picks: Iterable[LotPick],
    *,
    kind: MovementKind,
    from_location: str,
    to_location: str,
    reason_code: str,
    user_id: str,
    at: dt.datetime,
    id_prefix: str,
) -> list[Movement]:
    """The ledger movements that carry out ``picks`` (numbered ``<id_prefix>-<n>``)."""
    return [
        Movement(
            f"{id_prefix}-{n}", kind, pick.lot_id, pick.quantity, from_location, to_location,
            reason_code, user_id, at,
        )
        for n, pick in enumerate(picks)
    ]


@dataclass(frozen=True, slots=True)
class StockLevel:
    """What one location holds of one product on a date."""

    location: str
    product_id: str
    on_hand: int
    usable: int
    expired: int
    next_expiry: dt.date | None


def stock_levels(ledger: StockLedger, on: dt.date, *, location: str | None = None) -> list[StockLevel]:
    """On-hand, usable and expired units per (location, product), sorted by location and product."""
    sums: dict[tuple[str, str], list[int]] = {}
    first_expiry: dict[tuple[str, str], dt.date | None] = {}
    for (loc, lot_id), units in ledger.balances.items():
        if location is not None and loc != location:
            continue
        lot = ledger.lots[lot_id]
        key = (loc, lot.product_id)
        entry = sums.setdefault(key, [0, 0])
        entry[0] += units
        if lot.usable_on(on):
            entry[1] += units
            if lot.expiry_date is not None:
                current = first_expiry.get(key)
                first_expiry[key] = lot.expiry_date if current is None else min(current, lot.expiry_date)
    return [
        StockLevel(loc, product, total, usable, total - usable, first_expiry.get((loc, product)))
        for (loc, product), (total, usable) in sorted(sums.items())
    ]


@dataclass(frozen=True, slots=True)
class ExpiringStock:
    location: str
    lot_id: str
    product_id: str
    quantity: int
    expiry_date: dt.date
    days_left: int  # negative: already expired


def expiring_stock(
    ledger: StockLedger, on: dt.date, within_days: int, *, location: str | None = None
) -> list[ExpiringStock]:
    """Lots whose use-by date is within ``within_days`` of ``on`` (or already past), soonest first."""
    limit = on + dt.timedelta(days=within_days)
    found = [
        ExpiringStock(loc, lot.id, lot.product_id, units, lot.expiry_date, (lot.expiry_date - on).days)
        for (loc, lot_id), units in ledger.balances.items()
        if (location is None or loc == location)
        and (lot := ledger.lots[lot_id]).expiry_date is not None
        and lot.expiry_date <= limit
    ]
    return sorted(found, key=lambda e: (e.expiry_date, e.location, e.lot_id))


@dataclass(frozen=True, slots=True)
class LowStock:
    location: str
    product_id: str
    usable: int
    reorder_point: int

    @property
    def shortfall(self) -> int:
        return self.reorder_point - self.usable


def low_stock(
    ledger: StockLedger, location: str, reorder_points: Mapping[str, int], on: dt.date
) -> list[LowStock]:
    """Products whose usable units at ``location`` are below their reorder point, worst first."""
    found = []
    for product_id, point in reorder_points.items():
        usable = ledger.on_hand(location=location, product_id=product_id, usable_on=on)
        if usable < point:
            found.append(LowStock(location, product_id, usable, point))
    return sorted(found, key=lambda low: (-low.shortfall, low.product_id))
