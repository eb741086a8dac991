"""Travel-time providers chosen by name, so configuration picks one without the planner changing.

Adapters read ``settings.travel_time_provider`` and call :func:`make_provider`; engines never
read settings. A road-network provider registers itself here under a new name.
"""

from __future__ import annotations

from collections.abc import Callable

from hjemme.errors import InputError
from hjemme.geo.builtin import BuiltinTravelTimeProvider
from hjemme.geo.provider import TravelTimeProvider

ProviderFactory = Callable[[], TravelTimeProvider]

_FACTORIES: dict[str, ProviderFactory] = {"builtin": BuiltinTravelTimeProvider}


def register_provider(name: str, factory: ProviderFactory) -> None:
    """Make ``factory`` available as ``name``; re-registering a name replaces it."""
    if not name:
        raise ValueError("a provider needs a name")
    _FACTORIES[name] = factory


def provider_names() -> list[str]:
    return sorted(_FACTORIES)


def make_provider(name: str = "builtin") -> TravelTimeProvider:
    """The provider registered as ``name``; an unknown name is an input error listing the known ones."""
    try:
        factory = _FACTORIES[name]
    except KeyError:
        raise InputError(
            "travel_time_provider", f"unknown provider {name!r}; known: {', '.join(provider_names())}"
        ) from None
    return factory()
