"""Order suggestions from the pathways (logistics roadmap 4.7, issue 6).

The roadmap asks for a system that proposes what to order from each patient's diagnosis and stage
in the pathway, so that staff only adjust and accept. This module is that proposal as a pure
function: the enrolments that are active over a horizon, walked day by day through their pathway's
bill of materials (the deliveries' lines that apply that day, plus the devices on day 0), netted
against what each patient already has at home, given a source node under the configured delivery
model, and bundled into as few deliveries as shelf life and home storage allow.

Bundling works on whole need days: all lines one patient needs from one source on one day move
together, because moving only part of a day's goods earlier saves no trip and only fills the
patient's cupboard. A need day joins an earlier delivery only when every line of it still has
shelf life left on the day of use and the delivery still fits the home's storage (and fridge)
limits; otherwise it gets its own delivery on the day it is needed. Goods that need a qualified
carrier (cytostatics) are bundled apart from the rest, as in :mod:`hjemme.domain.workload`.

Accepting and adjusting are pure functions on the suggestion; accepted lines become delivery
:class:`~hjemme.domain.tasks.Task` objects for the planner.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from hjemme.domain.catalogue import DeviceType, Product, ProductCategory
from hjemme.domain.pathways import GoodsLine, Pathway
from hjemme.domain.people import Enrolment, Patient
from hjemme.domain.tasks import Goods, Task, TaskKind
from hjemme.domain.time import TimeWindow
from hjemme.domain.workload import WorkloadParams
from hjemme.errors import InputError
from hjemme.logistics.sourcing import DeliveryModel, SourcingParams, source_site

HomeStock = Mapping[str, Mapping[str, int]]  # patient id → product id → units at home


class LineStatus(enum.StrEnum):
    SUGGESTED = "suggested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class OrderParams:
    """How suggestions are made. Storage limits are assumptions about an ordinary Oslo home.

    Shelf life counts the day a product is made or dispensed: with ``shelf_life_days`` S, goods
    delivered on day D are usable through D + S - 1, so they may be brought at most S - 1 days
    early (cytostatics, S = 2: at most one day). ``max_advance_days`` caps this further.
    """

    sourcing: SourcingParams = field(default_factory=SourcingParams)
    home_storage_limit_l: float = 60.0
    home_fridge_limit_l: float = 10.0
    max_advance_days: int | None = None
    default_window: TimeWindow = TimeWindow(7 * 60, 10 * 60)

    def __post_init__(self) -> None:
        if self.home_storage_limit_l < 0 or self.home_fridge_limit_l < 0:
            raise ValueError("home storage limits cannot be negative")
        if self.max_advance_days is not None and self.max_advance_days < 0:
            raise ValueError("max_advance_days cannot be negative")


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One product for one patient, needed on ``needed_by`` and brought on ``delivery_date``."""

    id: str
    patient_id: str
    enrolment_id: str
    pathway_id: str
    product_id: str
    quantity: int
    gross_quantity: int  # before netting against home stock
    needed_by: dt.date
    delivery_date: dt.date
    source_site_id: str
    qualified_carrier: bool
    window: TimeWindow
    status: LineStatus = LineStatus.SUGGESTED

    @property
    def delivery_id(self) -> str:
        """Lines with equal ``delivery_id`` travel together in one delivery."""
        carrier = "-Q" if self.qualified_carrier else ""
        return f"{self.patient_id}-{self.delivery_date:%Y%m%d}-{self.source_site_id}{carrier}"


@dataclass(frozen=True, slots=True)
class SuggestedDelivery:
    """The lines that one delivery brings to one patient."""

    id: str
    patient_id: str
    delivery_date: dt.date
    source_site_id: str
    lines: tuple[OrderLine, ...]


@dataclass(frozen=True, slots=True)
class OrderSuggestionResult:
    """What the engine proposes for ``horizon_days`` days from ``start``."""

    start: dt.date
    horizon_days: int
    model: DeliveryModel
    lines: tuple[OrderLine, ...]

    def deliveries(self, *, include_rejected: bool = False) -> list[SuggestedDelivery]:
        """The lines grouped into deliveries, by date, patient and source."""
        groups: dict[str, list[OrderLine]] = defaultdict(list)
        for line in self.lines:
            if include_rejected or line.status is not LineStatus.REJECTED:
                groups[line.delivery_id].append(line)
        result = [
            SuggestedDelivery(key, ls[0].patient_id, ls[0].delivery_date, ls[0].source_site_id, tuple(ls))
            for key, ls in groups.items()
        ]
        return sorted(result, key=lambda d: (d.delivery_date, d.patient_id, d.id))


def bill_of_materials(
    pathway: Pathway, day: int, length_days: int, device_types: Mapping[str, DeviceType]
) -> dict[str, int]:
    """Units of each product that day ``day`` of a stay of ``length_days`` days needs.

    The deliveries' lines that apply that day, plus the devices on day 0 (the same rule as the
    day's work in :mod:`hjemme.domain.workload`). Empty outside the stay.
    """
    needs: dict[str, int] = {}
    for spec in pathway.deliveries:
        if spec.schedule.applies(day, length_days):
            for line in spec.lines:
                needs[line.product_id] = needs.get(line.product_id, 0) + line.quantity
    if day == 0:
        for device in pathway.devices:
            product_id = device_types[device.device_type_id].product_id
            needs[product_id] = needs.get(product_id, 0) + device.quantity
    return needs


def suggest_orders(
    start: dt.date,
    horizon_days: int,
    enrolments: Iterable[Enrolment],
    pathways: Mapping[str, Pathway],
    products: Mapping[str, Product],
    device_types: Mapping[str, DeviceType],
    *,
    patients: Mapping[str, Patient] | None = None,
    home_stock: HomeStock | None = None,
    params: OrderParams | None = None,
) -> OrderSuggestionResult:
    """Suggested order lines for every enrolment with stay days in ``[start, start + horizon)``.

    ``patients`` supplies each patient's clinic (Alt 3 sources from the clinic's hospital store);
    without it the pathway's clinic is used. ``home_stock`` is netted out, earliest need first.
    """
    if horizon_days < 1:
        raise InputError("horizon", "horizonten må være minst én dag")
    params = params or OrderParams()
    patients = patients or {}
    home_stock = home_stock or {}
    end = start + dt.timedelta(days=horizon_days - 1)

    raw: list[OrderLine] = []
    for enrolment in enrolments:
        if enrolment.end_date < start or enrolment.start_date > end:
            continue
        pathway = pathways[enrolment.pathway_id]
        patient = patients.get(enrolment.patient_id)
        clinic = patient.clinic if patient is not None else pathway.clinic
        first = max(0, enrolment.day_of(start))
        last = min(enrolment.length_days - 1, enrolment.day_of(end))
        for day in range(first, last + 1):
            date = enrolment.start_date + dt.timedelta(days=day)
            if not enrolment.is_active(date):  # referred, cancelled or paused (issue 13)
                continue
            needs = bill_of_materials(pathway, day, enrolment.length_days, device_types)
            if not needs:
                continue
            window = _window_of(pathway, day, enrolment.length_days, params.default_window)
            for product_id, quantity in needs.items():
                product = products[product_id]
                raw.append(
                    OrderLine(
                        id=f"{enrolment.id}-{date:%Y%m%d}-{product_id}",
                        patient_id=enrolment.patient_id,
                        enrolment_id=enrolment.id,
                        pathway_id=pathway.id,
                        product_id=product_id,
                        quantity=quantity,
                        gross_quantity=quantity,
                        needed_by=date,
                        delivery_date=date,
                        source_site_id=source_site(product, clinic, params.sourcing),
                        qualified_carrier=product.qualified_carrier,
                        window=window,
                    )
                )
    netted = net_home_stock(raw, home_stock)
    bundled = bundle_lines(netted, products, params)
    ordered = sorted(bundled, key=lambda ln: (ln.delivery_date, ln.patient_id, ln.needed_by, ln.id))
    return OrderSuggestionResult(start, horizon_days, params.sourcing.model, tuple(ordered))


def net_home_stock(lines: Iterable[OrderLine], home_stock: HomeStock) -> list[OrderLine]:
    """Lines reduced by what each patient already has at home, earliest need first.

    Lines that home stock covers completely disappear; ``gross_quantity`` keeps the pathway's need.
    """
    left: dict[tuple[str, str], int] = {}
    for patient_id, stock in home_stock.items():
        for product_id, units in stock.items():
            if units < 0:
                raise InputError("home_stock", f"negativ hjemmebeholdning av {product_id} hos {patient_id}")
            left[(patient_id, product_id)] = units
    result: list[OrderLine] = []
    for line in sorted(lines, key=lambda ln: (ln.needed_by, ln.id)):
        key = (line.patient_id, line.product_id)
        have = left.get(key, 0)
        if have:
            used = min(have, line.quantity)
            left[key] = have - used
            line = replace(line, quantity=line.quantity - used)
        if line.quantity > 0:
            result.append(line)
    return result


def max_advance_days(product: Product, params: OrderParams) -> int:
    """How many days before use ``product`` may be delivered without expiring first."""
    limit = params.max_advance_days
    if product.shelf_life_days is not None:
        shelf = max(0, product.shelf_life_days - 1)
        limit = shelf if limit is None else min(limit, shelf)
    return limit if limit is not None else 10**6


def bundle_lines(
    lines: Iterable[OrderLine], products: Mapping[str, Product], params: OrderParams
) -> list[OrderLine]:
    """Lines with ``delivery_date`` set so each patient gets as few deliveries as allowed.

    Groups are (patient, source, qualified carrier); within one, whole need days join the latest
    earlier delivery whose storage and every line's shelf life allow it (see the module docstring).
    """
    groups: dict[tuple[str, str, bool], dict[dt.date, list[OrderLine]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for line in lines:
        groups[(line.patient_id, line.source_site_id, line.qualified_carrier)][line.needed_by].append(line)

    result: list[OrderLine] = []
    for days in groups.values():
        # delivery date → (storage litres, fridge litres)
        loads: dict[dt.date, tuple[float, float]] = {}
        for need_date in sorted(days):
            day_lines = days[need_date]
            storage, fridge = _volumes(day_lines, products)
            advance = min(max_advance_days(products[ln.product_id], params) for ln in day_lines)
            target = need_date
            for delivery_date in sorted(loads, reverse=True):
                if (need_date - delivery_date).days > advance:
                    break
                have_storage, have_fridge = loads[delivery_date]
                if (
                    have_storage + storage <= params.home_storage_limit_l + 1e-9
                    and have_fridge + fridge <= params.home_fridge_limit_l + 1e-9
                ):
                    target = delivery_date
                    break
            have_storage, have_fridge = loads.get(target, (0.0, 0.0))
            loads[target] = (have_storage + storage, have_fridge + fridge)
            result.extend(replace(ln, delivery_date=target) for ln in day_lines)
    return result


def _volumes(lines: Iterable[OrderLine], products: Mapping[str, Product]) -> tuple[float, float]:
    """Litres the lines take in the patient's cupboard and fridge; devices are installed, not stored."""
    storage = fridge = 0.0
    for line in lines:
        product = products[line.product_id]
        if product.category is ProductCategory.MTU:
            continue
        litres = product.unit_volume_l * line.quantity
        storage += litres
        if product.cold_chain:
            fridge += litres
    return storage, fridge


def _window_of(pathway: Pathway, day: int, length_days: int, default: TimeWindow) -> TimeWindow:
    specs = [s for s in pathway.deliveries if s.schedule.applies(day, length_days)]
    if not specs:
        return pathway.deliveries[0].window if pathway.deliveries else default
    start = max(s.window.start_min for s in specs)
    end = min(s.window.end_min for s in specs)
    return TimeWindow(start, end) if start <= end else specs[0].window


# --- accepting and adjusting ------------------------------------------------------------------


def _with_lines(result: OrderSuggestionResult, lines: Iterable[OrderLine]) -> OrderSuggestionResult:
    return replace(result, lines=tuple(lines))


def _check_ids(result: OrderSuggestionResult, line_ids: Iterable[str]) -> set[str]:
    wanted = set(line_ids)
    unknown = wanted - {line.id for line in result.lines}
    if unknown:
        raise InputError("line_ids", f"ukjente ordrelinjer: {', '.join(sorted(unknown))}")
    return wanted


def accept_lines(
    result: OrderSuggestionResult, line_ids: Iterable[str] | None = None
) -> OrderSuggestionResult:
    """The suggestion with the named lines (all suggested lines when ``None``) accepted."""
    wanted = (
        {ln.id for ln in result.lines if ln.status is LineStatus.SUGGESTED}
        if line_ids is None
        else _check_ids(result, line_ids)
    )
    return _with_lines(
        result,
        (replace(ln, status=LineStatus.ACCEPTED) if ln.id in wanted else ln for ln in result.lines),
    )


def reject_lines(result: OrderSuggestionResult, line_ids: Iterable[str]) -> OrderSuggestionResult:
    """The suggestion with the named lines rejected (they will not be delivered)."""
    wanted = _check_ids(result, line_ids)
    return _with_lines(
        result,
        (replace(ln, status=LineStatus.REJECTED) if ln.id in wanted else ln for ln in result.lines),
    )


def adjust_line(
    result: OrderSuggestionResult,
    line_id: str,
    products: Mapping[str, Product],
    *,
    quantity: int | None = None,
    delivery_date: dt.date | None = None,
    params: OrderParams | None = None,
) -> OrderSuggestionResult:
    """The suggestion with one line's quantity or delivery date changed by a coordinator.

    A delivery date after the need or earlier than the product's shelf life allows is refused,
    so an adjustment can never make a patient receive expired goods.
    """
    params = params or OrderParams()
    (line,) = [ln for ln in result.lines if ln.id in _check_ids(result, [line_id])]
    if quantity is not None:
        if quantity < 0:
            raise InputError("quantity", "antallet kan ikke være negativt")
        line = replace(line, quantity=quantity)
    if delivery_date is not None:
        if delivery_date > line.needed_by:
            raise InputError("delivery_date", f"leveringsdato er etter behovsdato {line.needed_by}")
        advance = (line.needed_by - delivery_date).days
        limit = max_advance_days(products[line.product_id], params)
        if advance > limit:
            raise InputError(
                "delivery_date",
                f"{line.product_id} kan leveres høyst {limit} dager før bruk (holdbarhet)",
            )
        line = replace(line, delivery_date=delivery_date)
    return _with_lines(result, (line if ln.id == line_id else ln for ln in result.lines))


def delivery_tasks(
    result: OrderSuggestionResult,
    date: dt.date,
    patients: Mapping[str, Patient],
    pathways: Mapping[str, Pathway],
    products: Mapping[str, Product],
    *,
    enrolments: Mapping[str, Enrolment] | None = None,
    params: WorkloadParams | None = None,
) -> list[Task]:
    """Delivery tasks for the planner: one per accepted delivery on ``date``, sorted by id.

    When ``enrolments`` is given, each task must end before that day's first visit that uses
    goods; the visit id follows :mod:`hjemme.domain.workload` (``<enrolment>-<yyyymmdd>-V<i>``).
    """
    params = params or WorkloadParams()
    tasks: list[Task] = []
    for delivery in result.deliveries():
        lines = [ln for ln in delivery.lines if ln.status is LineStatus.ACCEPTED and ln.quantity > 0]
        if delivery.delivery_date != date or not lines:
            continue
        merged: dict[str, int] = {}
        for ln in lines:
            merged[ln.product_id] = merged.get(ln.product_id, 0) + ln.quantity
        goods = Goods.of(tuple(GoodsLine(p, q) for p, q in merged.items()), products)
        first = lines[0]
        before: tuple[str, ...] = ()
        enrolment = (enrolments or {}).get(first.enrolment_id)
        if enrolment is not None:
            visit = _first_goods_visit(pathways[first.pathway_id], enrolment, date)
            before = (visit,) if visit else ()
        window = _joint(ln.window for ln in lines)
        carrier = "Q" if first.qualified_carrier else ""
        tasks.append(
            Task(
                id=f"{first.enrolment_id}-{date:%Y%m%d}-O{carrier}-{first.source_site_id}",
                kind=TaskKind.DELIVERY,
                patient_id=first.patient_id,
                enrolment_id=first.enrolment_id,
                pathway_id=first.pathway_id,
                location=patients[first.patient_id].location,
                duration_min=params.delivery_base_min
                + round(goods.volume_l / 10.0 * params.delivery_min_per_10_l),
                window=window,
                goods=goods,
                before=before,
            )
        )
    return sorted(tasks, key=lambda t: t.id)


def _first_goods_visit(pathway: Pathway, enrolment: Enrolment, date: dt.date) -> str | None:
    day = enrolment.day_of(date)
    for i, spec in enumerate(pathway.visits):
        if spec.uses_goods and spec.schedule.applies(day, enrolment.length_days):
            return f"{enrolment.id}-{date:%Y%m%d}-V{i}"
    return None


def _joint(windows: Iterable[TimeWindow]) -> TimeWindow:
    items = list(windows)
    start = max(w.start_min for w in items)
    end = min(w.end_min for w in items)
    return TimeWindow(start, end) if start <= end else items[0]
