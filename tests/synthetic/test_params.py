"""Validation of the synthetic-population parameters."""

from __future__ import annotations

import pytest

from hjemme.catalogue import load_catalogue
from hjemme.domain.pathways import ServiceKind
from hjemme.synthetic import SyntheticParams


def test_defaults_come_from_the_catalogue() -> None:
    """Parameters built from the catalogue carry its service mix and shares."""
    defaults = load_catalogue().population
    params = SyntheticParams.from_defaults(defaults)
    assert dict(params.service_mix) == dict(defaults.service_mix)
    assert params.lives_alone_share == defaults.lives_alone_share


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"interpreter_share": 1.5}, "interpreter_share"),
        ({"lives_alone_share": -0.1}, "lives_alone_share"),
        ({"service_mix": {ServiceKind.AHS: 0.0}}, "service_mix"),
        ({"patients_per_van": 0}, "patients_per_van"),
        ({"staffing_headroom": 0.5}, "staffing_headroom"),
    ],
)
def test_bad_parameters_are_refused(changes: dict[str, object], message: str) -> None:
    """A share outside [0, 1], an empty mix or a zero ratio is refused, naming the parameter."""
    with pytest.raises(ValueError, match=message):
        SyntheticParams(**changes)  # type: ignore[arg-type]
