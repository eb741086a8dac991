"""The built-in travel-time model: needs no data and no service, good enough to plan an Oslo day.

Distance is the great-circle (haversine) distance times a road-circuity factor; speed depends on
the zone (centre / inner / outer city, by distance from Oslo's centre) of both ends of a leg and on
the time of day (a rush-hour factor); each stop adds a fixed parking-and-walking time. All numbers
are assumptions to calibrate against OSS Transport's trip logs, which is why they sit in
:class:`BuiltinTravelParams` rather than in code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hjemme.domain.geo import Location
from hjemme.geo.provider import TravelMatrix

EARTH_RADIUS_M = 6_371_000.0
OSLO_CENTRE = Location(59.9139, 10.7522)


@dataclass(frozen=True, slots=True)
class BuiltinTravelParams:
    """Assumptions of the built-in model (speeds in km/h, radii in km, times in seconds/minutes)."""

    circuity: float = 1.35
    centre: Location = OSLO_CENTRE
    centre_radius_km: float = 2.5
    inner_radius_km: float = 7.0
    centre_speed_kmh: float = 20.0
    inner_speed_kmh: float = 28.0
    outer_speed_kmh: float = 40.0
    rush_hours: tuple[tuple[int, int], ...] = ((7 * 60, 9 * 60), (15 * 60, 17 * 60))
    rush_speed_factor: float = 0.75
    stop_s: int = 180
    depart_min: int = 10 * 60

    def __post_init__(self) -> None:
        if self.circuity < 1.0:
            raise ValueError("circuity must be at least 1 (roads are never shorter than a line)")
        if not 0 < self.centre_radius_km <= self.inner_radius_km:
            raise ValueError("zone radii must satisfy 0 < centre <= inner")
        if min(self.centre_speed_kmh, self.inner_speed_kmh, self.outer_speed_kmh) <= 0:
            raise ValueError("speeds must be positive")
        if not 0 < self.rush_speed_factor <= 1:
            raise ValueError("rush_speed_factor must be in (0, 1]")
        if self.stop_s < 0:
            raise ValueError("stop_s must not be negative")
        if not 0 <= self.depart_min <= 24 * 60:
            raise ValueError("depart_min must be a minute of the day")

    def in_rush_hour(self, minute: int) -> bool:
        return any(start <= minute < end for start, end in self.rush_hours)


def haversine_m(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Great-circle distances in metres between all pairs of the given points (vectorised)."""
    phi = np.radians(lat)
    lam = np.radians(lon)
    dphi = phi[:, None] - phi[None, :]
    dlam = lam[:, None] - lam[None, :]
    a = np.sin(dphi / 2) ** 2 + np.cos(phi)[:, None] * np.cos(phi)[None, :] * np.sin(dlam / 2) ** 2
    result: np.ndarray = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return result


@dataclass(frozen=True, slots=True)
class BuiltinTravelTimeProvider:
    """Haversine × circuity, zone speeds, rush-hour factor and a parking time per stop.

    The matrix is time-independent within one problem: it is evaluated at ``params.depart_min``,
    the planner's representative time of day. Legs between identical points take no time, which
    is what makes consolidating a patient's goods into one stop pay off.
    """

    params: BuiltinTravelParams = BuiltinTravelParams()

    def zone_speed_kmh(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        p = self.params
        from_centre_km = (
            haversine_m(np.concatenate([[p.centre.lat], lat]), np.concatenate([[p.centre.lon], lon]))[0, 1:]
            / 1000.0
        )
        speed = np.where(
            from_centre_km < p.centre_radius_km,
            p.centre_speed_kmh,
            np.where(from_centre_km < p.inner_radius_km, p.inner_speed_kmh, p.outer_speed_kmh),
        )
        if p.in_rush_hour(p.depart_min):
            speed = speed * p.rush_speed_factor
        result: np.ndarray = speed
        return result

    def matrix(self, locations: Sequence[Location]) -> TravelMatrix:
        n = len(locations)
        if n == 0:
            empty = np.zeros((0, 0), dtype=np.int64)
            return TravelMatrix(empty, empty.copy())
        lat = np.fromiter((loc.lat for loc in locations), dtype=float, count=n)
        lon = np.fromiter((loc.lon for loc in locations), dtype=float, count=n)
        road_m = haversine_m(lat, lon) * self.params.circuity
        speed = self.zone_speed_kmh(lat, lon)
        leg_speed_ms = (speed[:, None] + speed[None, :]) / 2.0 / 3.6
        moving = road_m > 0.5
        duration = np.where(moving, road_m / leg_speed_ms + self.params.stop_s, 0.0)
        return TravelMatrix(
            duration_s=np.rint(duration).astype(np.int64),
            distance_m=np.rint(np.where(moving, road_m, 0.0)).astype(np.int64),
        )
