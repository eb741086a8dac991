"""Places, clinics and product groups as people say them on the logistics pages (issue 14, item 4).

The stock ledger names places by code (``logistics_centre``, ``home:P00012``, ``van:V003``,
``store:ullevaal``), patients belong to a clinic code (``haematology``) and products to a category
code (``sample_kit``). A page shows words: the configured sites by their catalogue name (proper
names, the same in both languages), the logistics nodes and the rest through the catalogues.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from hjemme.catalogue import load_catalogue


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    return message


NODE_NAMES = {
    "logistics_centre": N_("OUS Hjemme logistics centre"),
    "mhb": N_("Medical equipment base (MHB)"),
    "supply_centre": N_("Regional supply centre (PPL)"),
}
"""The configurable logistics nodes (DESIGN §4), named in the page's language."""
CLINIC_NAMES = {
    "cardiology": N_("Cardiology"),
    "clinical_service": N_("Clinical service at home"),
    "dermatology": N_("Dermatology"),
    "haematology": N_("Blood diseases"),
    "infectious_diseases": N_("Infectious diseases"),
    "nephrology": N_("Kidney diseases"),
    "paediatrics": N_("Children's medicine"),
    "palliative_care": N_("Palliative care"),
    "psychiatry": N_("Psychiatry"),
    "pulmonology": N_("Lung diseases"),
}
PRODUCT_GROUPS = {
    "consumable": N_("Consumables"),
    "medicine": N_("Medicines"),
    "sample_kit": N_("Sampling kits"),
    "mtu": N_("Medical devices (MTU)"),
}
_PREFIXES = {
    "home": N_("home of patient %(id)s"),
    "van": N_("van %(id)s"),
    "store": N_("clinic store %(id)s"),
}


@lru_cache(maxsize=1)
def _site_names() -> dict[str, str]:
    return {sid: site.name for sid, site in load_catalogue().sites.items()}


def filters(gettext: Callable[[str], str]) -> dict[str, Callable[[str], str]]:
    """The ``place``, ``clinic_name`` and ``product_group`` template filters of one language."""

    def place(code: str | None) -> str:
        code = code or ""
        if code in NODE_NAMES:
            return gettext(NODE_NAMES[code])
        if code in _site_names():
            return _site_names()[code]
        prefix, _, rest = code.partition(":")
        if rest and prefix in _PREFIXES:
            if prefix == "store" and rest in _site_names():
                rest = _site_names()[rest]
            return gettext(_PREFIXES[prefix]) % {"id": rest}
        return code

    def clinic_name(code: str | None) -> str:
        code = code or ""
        return gettext(CLINIC_NAMES[code]) if code in CLINIC_NAMES else code.replace("_", " ")

    def product_group(code: str | None) -> str:
        code = str(code or "")
        return gettext(PRODUCT_GROUPS[code]) if code in PRODUCT_GROUPS else code

    return {"place": place, "clinic_name": clinic_name, "product_group": product_group}
