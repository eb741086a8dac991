"""Tables of the staff rota (issue 17): a rota per team and period in versions, its cells, wishes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hjemme.store.base import Base
from hjemme.store.tables import ID_LENGTH, UtcDateTime


class RotaRecord(Base):
    """One version of a team's rota for a period: ``draft``, ``published`` or ``superseded``."""

    __tablename__ = "rotas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    first_day: Mapped[dt.date] = mapped_column(Date, index=True)
    days: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[int] = mapped_column(Integer)
    based_on: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    demand: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    shifts: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)  # NULL: the defaults
    changed: Mapped[int] = mapped_column(Integer, default=0)
    username: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    published_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    published_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class RotaCellRecord(Base):
    """A worked shift (``shift``) or a locked day off (``shift`` NULL, ``locked``) of one person."""

    __tablename__ = "rota_cells"
    __table_args__ = (
        UniqueConstraint("rota_id", "staff_id", "date", name="uq_rota_cells_rota_id_staff_id_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rota_id: Mapped[int] = mapped_column(ForeignKey("rotas.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    shift: Mapped[str | None] = mapped_column(String(8), nullable=True)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)


class RotaWishRecord(Base):
    """A wish of a member of staff for a date: a day off, a shift wanted or not wanted."""

    __tablename__ = "rota_wishes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(24))
    shift: Mapped[str | None] = mapped_column(String(8), nullable=True)
    weight: Mapped[int] = mapped_column(Integer, default=3)
    username: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class TeamShiftRecord(Base):
    """A team's own times for one shift (day, evening, night); a shift without a row keeps the default."""

    __tablename__ = "rota_team_shifts"

    team: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    start_min: Mapped[int] = mapped_column(Integer)
    end_min: Mapped[int] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


ROTA_TABLES = (RotaCellRecord, RotaWishRecord, RotaRecord)
"""Deleted before staff by ``hjemme seed --reset`` (children before their parents)."""
