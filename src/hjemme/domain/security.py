"""Roles and what each may see: the need-to-know rules shared by the API, the web and the CLI."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    CLINICIAN = "clinician"
    RESPONDER = "responder"  # response-centre nurse
    LOGISTICS = "logistics"  # logistics planner, driver, warehouse
    TECHNICIAN = "technician"  # medical-technical staff (MTA)
    MANAGEMENT = "management"  # hospital management / project: projections, no patient data
    RESEARCHER = "researcher"
    PATIENT = "patient"


# Roles that may see clinical fields (diagnosis, pathway, measurements) of patients.
CLINICAL_ACCESS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.CLINICIAN, Role.RESPONDER})
