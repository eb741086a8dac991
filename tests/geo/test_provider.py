import numpy as np
import pytest

from hjemme.domain.geo import Location
from hjemme.geo import TableProvider, TravelMatrix

A, B, C = Location(59.9, 10.7), Location(59.95, 10.8), Location(59.92, 10.75)


def _table():
    return TableProvider(
        (A, B, C),
        TravelMatrix(
            np.array([[0, 60, 120], [60, 0, 180], [120, 180, 0]], dtype=np.int64),
            np.array([[0, 1000, 2000], [1000, 0, 3000], [2000, 3000, 0]], dtype=np.int64),
        ),
    )


def test_table_provider_returns_rows_in_the_order_asked():
    """The table double answers with the sub-matrix of the requested points, in their order."""
    m = _table().matrix([C, A])
    assert m.duration_s.tolist() == [[0, 120], [120, 0]]
    assert m.distance_m.tolist() == [[0, 2000], [2000, 0]]


def test_table_provider_rejects_unknown_points():
    """Asking for a point the table does not know is an error naming the point."""
    with pytest.raises(ValueError, match="not in the table"):
        _table().matrix([Location(0.0, 0.0)])


def test_minutes_round_up():
    """Travel minutes are the seconds rounded up, so a plan never undercuts the provider."""
    m = TravelMatrix(np.array([[0, 61], [60, 0]], dtype=np.int64), np.zeros((2, 2), dtype=np.int64))
    assert m.minutes().tolist() == [[0, 2], [1, 0]]


def test_matrix_rejects_wrong_shapes_and_types():
    """A matrix must be square int64 seconds and metres."""
    with pytest.raises(ValueError):
        TravelMatrix(np.zeros((2, 3), dtype=np.int64), np.zeros((2, 3), dtype=np.int64))
    with pytest.raises(ValueError):
        TravelMatrix(np.zeros((2, 2)), np.zeros((2, 2)))
