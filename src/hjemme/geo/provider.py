"""The travel-time extension point: one method from a list of locations to a travel matrix.

The planner never asks "how long from A to B" one pair at a time: it asks once per problem for the
whole matrix, so a provider can vectorise (the built-in model) or batch one request to a road-network
service (a later provider) without the planner knowing which (issue 3, item 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from hjemme.domain.geo import Location

IntMatrix = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True, eq=False)
class TravelMatrix:
    """Door-to-door travel between every ordered pair of locations.

    ``duration_s[i, j]`` and ``distance_m[i, j]`` are integer seconds and metres from location ``i``
    to location ``j``; the diagonal is zero. The arrays are made read-only so a problem that holds
    a matrix stays immutable.
    """

    duration_s: IntMatrix
    distance_m: IntMatrix

    def __post_init__(self) -> None:
        for name in ("duration_s", "distance_m"):
            array = getattr(self, name)
            if array.ndim != 2 or array.shape[0] != array.shape[1]:
                raise ValueError(f"{name} must be a square matrix, got shape {array.shape}")
            if array.dtype != np.int64:
                raise ValueError(f"{name} must hold int64, got {array.dtype}")
            if (array < 0).any():
                raise ValueError(f"{name} has negative entries")
            array.setflags(write=False)
        if self.duration_s.shape != self.distance_m.shape:
            raise ValueError("duration_s and distance_m differ in shape")

    @property
    def size(self) -> int:
        return int(self.duration_s.shape[0])

    def minutes(self) -> IntMatrix:
        """Travel minutes rounded up: the one rounding rule shared by solver and validator."""
        result: IntMatrix = (self.duration_s + 59) // 60
        return result


class TravelTimeProvider(Protocol):
    """Anything that turns a list of locations into a :class:`TravelMatrix` (rows follow the list)."""

    def matrix(self, locations: Sequence[Location]) -> TravelMatrix: ...


@dataclass(frozen=True, slots=True)
class TableProvider:
    """A provider backed by a fixed table: the test double, and a cache for a computed matrix.

    ``locations`` lists the known points; :meth:`matrix` picks the rows and columns of the points
    asked for, so tests can hand-build exact travel times.
    """

    locations: tuple[Location, ...]
    table: TravelMatrix

    def __post_init__(self) -> None:
        if len(self.locations) != self.table.size:
            raise ValueError("one table row per location is required")

    def matrix(self, locations: Sequence[Location]) -> TravelMatrix:
        index = {loc: i for i, loc in enumerate(self.locations)}
        try:
            rows = np.array([index[loc] for loc in locations], dtype=np.int64)
        except KeyError as missing:
            raise ValueError(f"location {missing} is not in the table") from None
        return TravelMatrix(
            duration_s=np.ascontiguousarray(self.table.duration_s[np.ix_(rows, rows)]),
            distance_m=np.ascontiguousarray(self.table.distance_m[np.ix_(rows, rows)]),
        )
