"""Locations and travel-time providers (issue 3, item 1)."""

from hjemme.geo.builtin import OSLO_CENTRE, BuiltinTravelParams, BuiltinTravelTimeProvider, haversine_m
from hjemme.geo.provider import TableProvider, TravelMatrix, TravelTimeProvider
from hjemme.geo.registry import make_provider, provider_names, register_provider

__all__ = [
    "OSLO_CENTRE",
    "BuiltinTravelParams",
    "BuiltinTravelTimeProvider",
    "TableProvider",
    "TravelMatrix",
    "TravelTimeProvider",
    "haversine_m",
    "make_provider",
    "provider_names",
    "register_provider",
]
