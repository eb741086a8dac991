"""Care relationships beyond the day plan (issue 12): explicit assignments and emergency access.

A clinician's need-to-know follows the care relationship (DESIGN §7). Routes and the clinic's list
come from the plans and the population; these two tables hold what neither says:

* :class:`CareAssignmentRecord` — a coordinator or admin assigned a user (a clinician) to a
  patient, optionally until a date. Keyed by user name so that it survives a re-seeded roster.
* :class:`EmergencyAccessRecord` — a clinician opened a patient outside their care ("nødtilgang")
  with a stated reason; it grants reads of that patient until ``expires_at`` and stays listed for
  the administrator's review. Not a foreign key to ``patients``: like the access log, it must
  outlive the patient row.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hjemme.store.base import Base
from hjemme.store.tables import ID_LENGTH, UtcDateTime


class CareAssignmentRecord(Base):
    __tablename__ = "care_assignments"
    __table_args__ = (Index("ix_care_assignments_username", "username"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100))
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    until: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    assigned_by: Mapped[str] = mapped_column(String(100))
    assigned_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class EmergencyAccessRecord(Base):
    __tablename__ = "emergency_access"
    __table_args__ = (Index("ix_emergency_access_username_patient_id", "username", "patient_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    patient_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    reason: Mapped[str] = mapped_column(Text)
    granted_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    client_addr: Mapped[str | None] = mapped_column(String(100), nullable=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
