"""The order-suggestion board: suggested lines grouped per patient and delivery date (issue 14, item 4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Engine, select

from hjemme.catalogue import Catalogue, load_catalogue
from hjemme.domain.catalogue import ProductCategory
from hjemme.domain.people import Patient
from hjemme.errors import InputError
from hjemme.logistics import order_board as board_engine
from hjemme.logistics.order_board import BoardFilter, OrderBoard
from hjemme.logistics.orders import LineStatus
from hjemme.services.auth import Principal
from hjemme.services.logistics._rows import ORDER_ROLES, _check, _order_line, _shown
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.logistics_tables import OrderLineRecord


@dataclass(frozen=True, slots=True)
class BoardPatient:
    """What the board shows of a patient: a name and where the goods go (no pathway or diagnosis)."""

    id: str
    name: str
    address: str


@dataclass(frozen=True, slots=True)
class OrderBoardView:
    """The board, the patients it names, and how many lines were already decided in the same filter."""

    board: OrderBoard
    patients: Mapping[str, BoardPatient]
    accepted: int
    rejected: int


def read_order_board(
    *,
    engine: Engine,
    principal: Principal,
    client: str | None,
    at: dt.datetime,
    start: dt.date,
    delivery_date: dt.date | None = None,
    clinic: str | None = None,
    product_group: ProductCategory | str | None = None,
    catalogue: Catalogue | None = None,
) -> OrderBoardView:
    """Suggested lines delivered on or after ``start``, filtered and grouped for a decision.

    One read transaction: the lines, their patients (name, address, clinic) and one access-log row
    per patient shown. The filter choices (clinics, dates, product groups) come from every
    suggested line from ``start`` on, so a filter never hides the way back.
    """
    _check(principal, ORDER_ROLES, at)
    catalogue = catalogue or load_catalogue()
    if product_group is not None:
        try:
            product_group = ProductCategory(product_group)
        except ValueError:
            known = ", ".join(c.value for c in ProductCategory)
            raise InputError("group", f"{product_group!r} er ingen varegruppe ({known})") from None
    wanted = BoardFilter(clinic=clinic or None, delivery_date=delivery_date, product_group=product_group)
    query = select(OrderLineRecord).where(OrderLineRecord.delivery_date >= start)
    with session_scope(engine) as session:
        lines = [_order_line(r) for r in session.scalars(query)]
        ids = sorted({ln.patient_id for ln in lines})
        found: dict[str, Patient] = {p.id: p for p in repo.list_patients(session, ids=ids)} if ids else {}
        clinic_of = {
            ln.patient_id: found[ln.patient_id].clinic
            if ln.patient_id in found
            else catalogue.pathways[ln.pathway_id].clinic
            if ln.pathway_id in catalogue.pathways
            else ""
            for ln in lines
        }
        suggested = [ln for ln in lines if ln.status is LineStatus.SUGGESTED]
        board = board_engine.order_board(
            suggested,
            catalogue.products,
            clinic_of,
            wanted,
            patient_names={p.id: p.name for p in found.values()},
        )
        decided = [
            ln
            for ln in lines
            if ln.status is not LineStatus.SUGGESTED
            and wanted.keeps(ln, clinic_of[ln.patient_id], _group(catalogue, ln.product_id))
        ]
        shown = {g.patient_id for g in board.groups}
        _shown(session, principal, shown, resource="order suggestions", client=client, at=at)
    patients = {
        pid: BoardPatient(pid, found[pid].name, found[pid].address)
        if pid in found
        else BoardPatient(pid, pid, "")
        for pid in shown
    }
    return OrderBoardView(
        board=board,
        patients=patients,
        accepted=sum(1 for ln in decided if ln.status is LineStatus.ACCEPTED),
        rejected=sum(1 for ln in decided if ln.status is LineStatus.REJECTED),
    )


def _group(catalogue: Catalogue, product_id: str) -> ProductCategory | None:
    product = catalogue.products.get(product_id)
    return product.category if product is not None else None
