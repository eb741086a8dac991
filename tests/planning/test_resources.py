from hjemme.domain.catalogue import Site, SiteKind
from hjemme.domain.geo import Location
from hjemme.domain.people import Staff, StaffRole, Vehicle, VehicleKind
from hjemme.domain.resources import ResourceKind
from hjemme.planning.resources import build_resources
from tests.planning.factories import window

SITES = {
    "ullevaal": Site("ullevaal", "Ullevål", SiteKind.HOSPITAL, Location(59.9369, 10.7373)),
    "logistics_centre": Site(
        "logistics_centre", "Logistikk", SiteKind.LOGISTICS_CENTRE, Location(59.93, 10.66)
    ),
}


def staff(sid: str, role: StaffRole, base: str = "ullevaal", qualified: bool = False) -> Staff:
    return Staff(
        sid,
        sid,
        role,
        frozenset({"nursing"}),
        base,
        window("08:00", "16:00"),
        window("11:00", "13:00"),
        30,
        450,
        "clinic",
        qualified_carrier=qualified,
    )


def vehicle(vid: str, kind: VehicleKind, site: str, qualified: bool = False) -> Vehicle:
    return Vehicle(vid, vid, kind, 500, 200, kind is VehicleKind.COLD_VAN, qualified, True, 0.0, 3.0, site)


def test_clinicians_get_pool_cars_from_their_base_and_vans_get_drivers():
    """Clinicians drive pool cars from their own base; each van goes out with one driver."""
    people = [staff("n1", StaffRole.NURSE), staff("d1", StaffRole.DRIVER), staff("d2", StaffRole.DRIVER)]
    fleet = [
        vehicle("car-x", VehicleKind.CAR, "logistics_centre"),
        vehicle("car-u", VehicleKind.CAR, "ullevaal"),
        vehicle("van1", VehicleKind.COLD_VAN, "logistics_centre"),
    ]
    res = {r.id: r for r in build_resources(people, fleet, SITES)}
    assert res["n1"].vehicle_id == "car-u" and res["n1"].kind is ResourceKind.CLINICIAN
    assert res["d1"].vehicle_id == "van1" and res["d1"].cold_chain
    assert res["d1"].start == SITES["logistics_centre"].location
    assert "d2" not in res  # no van left for the second driver


def test_only_a_trained_courier_in_a_qualified_car_is_a_qualified_carrier():
    """Cytostatics need both a trained courier and a qualified courier car."""
    people = [staff("c1", StaffRole.COURIER, qualified=True), staff("c2", StaffRole.COURIER)]
    fleet = [
        vehicle("k1", VehicleKind.COURIER, "logistics_centre", qualified=True),
        vehicle("k2", VehicleKind.COURIER, "logistics_centre", qualified=True),
    ]
    res = {r.id: r for r in build_resources(people, fleet, SITES)}
    assert res["c1"].qualified_carrier and not res["c2"].qualified_carrier
