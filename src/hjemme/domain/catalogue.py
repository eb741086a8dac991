"""Reference data: sites, districts, products and device types.

These are the nouns of the catalogue data files (``hjemme/catalogue/data``); they are loaded and
validated by :mod:`hjemme.catalogue` and never change while the program runs.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from hjemme.domain.geo import Location


class SiteKind(enum.StrEnum):
    HOSPITAL = "hospital"
    LAB = "lab"
    LOGISTICS_CENTRE = "logistics_centre"
    PHARMACY = "pharmacy"
    SUPPLY_CENTRE = "supply_centre"
    MTU_WORKSHOP = "mtu_workshop"


@dataclass(frozen=True, slots=True)
class Site:
    """A hospital building, lab reception, pharmacy or logistics node."""

    id: str
    name: str
    kind: SiteKind
    location: Location


@dataclass(frozen=True, slots=True)
class District:
    """An Oslo city district (bydel): where synthetic patients live, in proportion to population."""

    id: str
    name: str
    population: int
    centroid: Location
    radius_km: float
    zone: str  # "centre" | "inner" | "outer": drives speeds in the built-in travel-time model


class ProductCategory(enum.StrEnum):
    CONSUMABLE = "consumable"
    MTU = "mtu"  # durable medical-technical device, pooled and serviced
    MEDICINE = "medicine"
    SAMPLE_KIT = "sample_kit"


@dataclass(frozen=True, slots=True)
class Product:
    """One item of the standard assortment, with what transport and storage need to know."""

    id: str
    name: str
    category: ProductCategory
    unit_volume_l: float
    unit_weight_kg: float
    shelf_life_days: int | None  # None: does not expire
    cold_chain: bool
    qualified_carrier: bool  # cytostatics: never a taxi, only qualified couriers
    pack_size: int
    supplier_lead_days: int
    unit_cost_nok: float


@dataclass(frozen=True, slots=True)
class DeviceType:
    """A kind of MTU device (pump, oxygen concentrator, …) and how often it must be serviced."""

    id: str
    name: str
    product_id: str
    service_interval_days: int
    service_interval_usage_hours: int | None
    cleaning_turnaround_hours: int
