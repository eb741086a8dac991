"""Risk pooling: one shared safety stock never exceeds the sum of separate ones."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hjemme.scenario.pooling import pooled_safety_stock_units, safety_stock_units, separate_safety_stock_units


def test_square_root_law_for_equal_clinics() -> None:
    """Four equal clinics pooled need half the safety stock of four separate stocks."""
    pooled = pooled_safety_stock_units(1.645, [4.0] * 4, 9.0)
    separate = separate_safety_stock_units(1.645, [4.0] * 4, 9.0)
    assert pooled == pytest.approx(separate / 2)
    assert safety_stock_units(2.0, 4.0, 9.0) == pytest.approx(12.0)


@given(
    variances=st.lists(st.floats(0, 1e4, allow_nan=False), min_size=1, max_size=12),
    lead=st.floats(0, 60, allow_nan=False),
    z=st.floats(0, 3, allow_nan=False),
)
def test_pooled_never_exceeds_separate(variances: list[float], lead: float, z: float) -> None:
    """Pooled safety stock ≤ the sum of the separate safety stocks, for any demand variances."""
    assert pooled_safety_stock_units(z, variances, lead) <= separate_safety_stock_units(z, variances, lead) + 1e-9
