"""Order suggestions as a person decides on them: per patient and delivery date, with totals (issue 14).

The order engine (:mod:`hjemme.logistics.orders`) makes one line per patient, product and day of
need, so three days of a pathway read as the same patient and product three times, and a busy
morning as hundreds of lines in no order. A coordinator thinks in deliveries instead: "what does
this patient get on this date", and the warehouse in totals: "how many of this product". This
module is that view as a pure function: lines filtered (clinic, delivery date, product group),
grouped by delivery date and patient with one row per product (the day-of-need lines behind it
summed), and totals per product over the filtered set. Every line id stays reachable, so accepting
a row (or everything shown) accepts exactly the lines behind it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from hjemme.domain.catalogue import Product, ProductCategory
from hjemme.logistics.orders import OrderLine


@dataclass(frozen=True, slots=True)
class BoardFilter:
    """What to show; ``None`` means no filter on that field."""

    clinic: str | None = None
    delivery_date: dt.date | None = None
    product_group: ProductCategory | None = None

    def keeps(self, line: OrderLine, clinic: str, group: ProductCategory | None) -> bool:
        return (
            (self.clinic is None or clinic == self.clinic)
            and (self.delivery_date is None or line.delivery_date == self.delivery_date)
            and (self.product_group is None or group is self.product_group)
        )


@dataclass(frozen=True, slots=True)
class ProductRow:
    """One product for one delivery: the sum of its day-of-need lines, needed first on ``needed_by``."""

    product_id: str
    quantity: int
    lines: tuple[OrderLine, ...]

    @property
    def line_ids(self) -> tuple[str, ...]:
        return tuple(ln.id for ln in self.lines)

    @property
    def needed_by(self) -> dt.date:
        return min(ln.needed_by for ln in self.lines)


@dataclass(frozen=True, slots=True)
class DeliveryGroup:
    """What one patient gets on one delivery date (products sorted by id)."""

    patient_id: str
    delivery_date: dt.date
    clinic: str
    rows: tuple[ProductRow, ...]

    @property
    def line_ids(self) -> tuple[str, ...]:
        return tuple(i for row in self.rows for i in row.line_ids)

    @property
    def qualified_carrier(self) -> bool:
        return any(ln.qualified_carrier for row in self.rows for ln in row.lines)


@dataclass(frozen=True, slots=True)
class ProductTotal:
    """Units of one product over the filtered set, and for how many patients."""

    product_id: str
    quantity: int
    patients: int


@dataclass(frozen=True, slots=True)
class OrderBoard:
    """The filtered, grouped suggestions, the totals, and the choices the filters offer."""

    groups: tuple[DeliveryGroup, ...]
    totals: tuple[ProductTotal, ...]
    line_count: int  # lines behind the groups (what "select all" chooses)
    clinics: tuple[str, ...]  # every clinic with a line, filtered or not
    dates: tuple[dt.date, ...]
    product_groups: tuple[ProductCategory, ...]

    @property
    def line_ids(self) -> tuple[str, ...]:
        return tuple(i for g in self.groups for i in g.line_ids)


def order_board(
    lines: Iterable[OrderLine],
    products: Mapping[str, Product],
    clinic_of: Mapping[str, str],
    board_filter: BoardFilter | None = None,
    *,
    patient_names: Mapping[str, str] | None = None,
) -> OrderBoard:
    """Group ``lines`` by delivery date and patient, one row per product, after filtering.

    ``clinic_of`` maps a patient id to the clinic responsible for them (a patient without one is
    under ``""``). Groups come by delivery date, then patient name (``patient_names``; the id when
    not given); rows and totals by product name, as a person scans a list.
    """
    wanted = board_filter or BoardFilter()
    every = list(lines)

    def group_of(line: OrderLine) -> ProductCategory | None:
        product = products.get(line.product_id)
        return product.category if product is not None else None

    kept = [ln for ln in every if wanted.keeps(ln, clinic_of.get(ln.patient_id, ""), group_of(ln))]
    by_delivery: dict[tuple[dt.date, str], dict[str, list[OrderLine]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for line in kept:
        by_delivery[(line.delivery_date, line.patient_id)][line.product_id].append(line)
    names = patient_names or {}

    def product_key(pid: str) -> tuple[str, str]:
        product = products.get(pid)
        return (product.name.casefold() if product is not None else pid, pid)

    def delivery_key(key: tuple[dt.date, str]) -> tuple[dt.date, str, str]:
        return (key[0], names.get(key[1], key[1]).casefold(), key[1])

    groups = tuple(
        DeliveryGroup(
            patient_id=patient_id,
            delivery_date=date,
            clinic=clinic_of.get(patient_id, ""),
            rows=tuple(
                ProductRow(pid, sum(ln.quantity for ln in ls), tuple(sorted(ls, key=lambda ln: ln.needed_by)))
                for pid, ls in sorted(by_product.items(), key=lambda item: product_key(item[0]))
            ),
        )
        for (date, patient_id), by_product in sorted(
            by_delivery.items(), key=lambda item: delivery_key(item[0])
        )
    )
    units: dict[str, int] = defaultdict(int)
    patients: dict[str, set[str]] = defaultdict(set)
    for line in kept:
        units[line.product_id] += line.quantity
        patients[line.product_id].add(line.patient_id)
    totals = tuple(
        ProductTotal(pid, units[pid], len(patients[pid])) for pid in sorted(units, key=product_key)
    )
    present = {g for g in (group_of(ln) for ln in every) if g is not None}
    return OrderBoard(
        groups=groups,
        totals=totals,
        line_count=len(kept),
        clinics=tuple(sorted({clinic_of.get(ln.patient_id, "") for ln in every} - {""})),
        dates=tuple(sorted({ln.delivery_date for ln in every})),
        product_groups=tuple(c for c in ProductCategory if c in present),
    )
