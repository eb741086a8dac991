import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hjemme.domain.geo import Location
from hjemme.geo import BuiltinTravelParams, BuiltinTravelTimeProvider, haversine_m

RIKSHOSPITALET = Location(59.9495, 10.7136)
ULLEVAAL = Location(59.9369, 10.7373)
STOVNER = Location(59.963, 10.925)
CENTRE = Location(59.9139, 10.7522)

RH_LATS = np.array([RIKSHOSPITALET.lat, ULLEVAAL.lat])
RH_LONS = np.array([RIKSHOSPITALET.lon, ULLEVAAL.lon])

oslo_points = st.builds(Location, st.floats(59.80, 60.00), st.floats(10.60, 10.95))


def test_haversine_matches_a_known_distance():
    """Rikshospitalet to Ullevål is about 1.9 km as the crow flies."""
    d = haversine_m(RH_LATS, RH_LONS)
    assert 1800 < d[0, 1] < 2000
    assert d[0, 1] == pytest.approx(d[1, 0])


def test_road_distance_is_circuity_times_great_circle():
    """The road distance is the straight-line distance times the circuity factor."""
    provider = BuiltinTravelTimeProvider(BuiltinTravelParams(circuity=1.35))
    m = provider.matrix([RIKSHOSPITALET, ULLEVAAL])
    crow = haversine_m(RH_LATS, RH_LONS)
    assert m.distance_m[0, 1] == round(crow[0, 1] * 1.35)


def test_parking_time_is_added_to_every_real_leg_but_not_to_staying_put():
    """Each leg to another place costs the parking time; the same place costs nothing."""
    without = BuiltinTravelTimeProvider(BuiltinTravelParams(stop_s=0)).matrix([CENTRE, STOVNER, STOVNER])
    with_parking = BuiltinTravelTimeProvider(BuiltinTravelParams(stop_s=300))
    with_parking = with_parking.matrix([CENTRE, STOVNER, STOVNER])
    assert with_parking.duration_s[0, 1] - without.duration_s[0, 1] == 300
    assert with_parking.duration_s[1, 2] == 0 and with_parking.distance_m[1, 2] == 0


def test_rush_hour_makes_the_same_trip_slower():
    """A trip in the morning rush takes longer than the same trip at ten o'clock."""
    off_peak = BuiltinTravelTimeProvider(BuiltinTravelParams(depart_min=600)).matrix([CENTRE, STOVNER])
    rush = BuiltinTravelTimeProvider(BuiltinTravelParams(depart_min=480)).matrix([CENTRE, STOVNER])
    assert rush.duration_s[0, 1] > off_peak.duration_s[0, 1]
    assert rush.distance_m[0, 1] == off_peak.distance_m[0, 1]


def test_centre_is_slower_than_the_outer_city():
    """The centre zone is driven at a lower speed than the outer zone."""
    provider = BuiltinTravelTimeProvider(BuiltinTravelParams(stop_s=0))
    speeds = provider.zone_speed_kmh(np.array([CENTRE.lat, STOVNER.lat]), np.array([CENTRE.lon, STOVNER.lon]))
    assert speeds[0] < speeds[1]


def test_invalid_params_are_rejected():
    """Parameters that make no physical sense are refused when built."""
    with pytest.raises(ValueError):
        BuiltinTravelParams(circuity=0.9)
    with pytest.raises(ValueError):
        BuiltinTravelParams(rush_speed_factor=0)


@given(st.lists(oslo_points, min_size=1, max_size=8))
def test_matrix_is_square_nonnegative_zero_diagonal_and_symmetric_in_distance(points):
    """Any set of Oslo points gives a square, non-negative matrix with a zero diagonal."""
    m = BuiltinTravelTimeProvider().matrix(points)
    assert m.duration_s.shape == (len(points), len(points))
    assert (np.diag(m.duration_s) == 0).all() and (np.diag(m.distance_m) == 0).all()
    assert (m.duration_s >= 0).all()
    assert (m.distance_m == m.distance_m.T).all()
    assert not m.duration_s.flags.writeable
