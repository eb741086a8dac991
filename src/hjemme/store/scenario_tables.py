"""Scenario runs kept by name (issue 15, item 8): what a manager changed, who ran it, what came out.

The files of a run (report, workbook, charts) stay in its directory; the row keeps what the
scenarios page compares: the changed assumptions and the decision with its key numbers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hjemme.store.base import Base
from hjemme.store.tables import UtcDateTime


class ScenarioRunRecord(Base):
    __tablename__ = "scenario_runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    scenario: Mapped[str] = mapped_column(String(200))
    username: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    replications: Mapped[int] = mapped_column(Integer)
    overrides: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    results: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
