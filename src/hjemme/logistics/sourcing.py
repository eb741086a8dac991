"""Where goods come from under each of the three delivery models (logistics roadmap, ch. 6).

The roadmap (seeds/001_23e2ff739aa25c17.txt, ch. 6) compares three ways of supplying patients
after 2030. The order engine must be able to suggest orders under any of them, so the choice of
source node is a pure function of the model, the product's category and the patient's clinic:

* **Alt 1** — an OUS Hjemme logistics centre stores and consolidates everything.
* **Alt 2** — direct deliveries: medicines from the hospital pharmacy, MTU from MHB,
  consumables and sample kits from the regional supply centre's patient-packed logistics (PPL).
* **Alt 3** — today's model improved: the clinic's own hospital store, medicines from the pharmacy.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from hjemme.domain.catalogue import Product, ProductCategory


class DeliveryModel(enum.StrEnum):
    ALT1 = "alt1"  # logistics centre
    ALT2 = "alt2"  # direct from pharmacy, MHB and supply centre (PPL)
    ALT3 = "alt3"  # clinical areas in the hospitals + pharmacy


LOGISTICS_CENTRE = "logistics_centre"
PHARMACY = "pharmacy_radium"
MTU_BASE = "mhb"
SUPPLY_CENTRE = "supply_centre"

# Which hospital houses each clinic's store. An assumption to calibrate with OUS (several clinics
# work at more than one site); override it through SourcingParams.clinic_sites.
DEFAULT_CLINIC_SITES: Mapping[str, str] = {
    "haematology": "rikshospitalet",
    "paediatrics": "rikshospitalet",
    "pulmonology": "ullevaal",
    "cardiology": "ullevaal",
    "nephrology": "rikshospitalet",
    "dermatology": "rikshospitalet",
    "infectious_diseases": "ullevaal",
    "palliative_care": "ullevaal",
    "psychiatry": "ullevaal",
    "clinical_service": "aker",
    "oncology": "radiumhospitalet",
}


@dataclass(frozen=True, slots=True)
class SourcingParams:
    """The delivery model and the site ids it uses; every id is configuration, not code."""

    model: DeliveryModel = DeliveryModel.ALT1
    logistics_centre_id: str = LOGISTICS_CENTRE
    pharmacy_id: str = PHARMACY
    mtu_base_id: str = MTU_BASE
    supply_centre_id: str = SUPPLY_CENTRE
    clinic_sites: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_CLINIC_SITES))
    default_hospital_id: str = "ullevaal"

    def __post_init__(self) -> None:
        object.__setattr__(self, "model", DeliveryModel(self.model))


def source_site(product: Product, clinic: str, params: SourcingParams) -> str:
    """The site that supplies ``product`` to a patient of ``clinic`` under ``params.model``."""
    if params.model is DeliveryModel.ALT1:
        return params.logistics_centre_id
    if product.category is ProductCategory.MEDICINE:
        return params.pharmacy_id
    if params.model is DeliveryModel.ALT2:
        if product.category is ProductCategory.MTU:
            return params.mtu_base_id
        return params.supply_centre_id
    return params.clinic_sites.get(clinic, params.default_hospital_id)
