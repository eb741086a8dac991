"""Risk pooling as the scenario engine uses it (``hjemme.logistics.pooling``): pooled ≤ separate."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hjemme.logistics.pooling import safety_stock_pooling


def test_square_root_law_for_equal_clinics() -> None:
    """Four equal clinics pooled need half the safety stock of four separate stocks."""
    result = safety_stock_pooling({c: 2.0 for c in "abcd"}, 9.0, 0.95)
    assert result.pooled == pytest.approx(result.separate_total / 2)
    assert result.separate_by_site["a"] == pytest.approx(1.6448536 * 2.0 * 3.0, rel=1e-6)


@given(
    sigmas=st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=12),
    lead=st.floats(0, 60, allow_nan=False),
    level=st.floats(0.5, 0.999, allow_nan=False),
)
def test_pooled_never_exceeds_separate(sigmas: list[float], lead: float, level: float) -> None:
    """Pooled safety stock ≤ the sum of the separate safety stocks, for any demand spread."""
    result = safety_stock_pooling({str(i): s for i, s in enumerate(sigmas)}, lead, level)
    assert result.pooled <= result.separate_total + 1e-9
