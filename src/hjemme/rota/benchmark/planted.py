"""Generated instances whose cover a known roster meets exactly ("planted" cover).

The generator's own cover is drawn around the staff's capacity, so under-cover that no roster can
avoid dominates its objective, and nothing says how far a roster is from the optimum. Here the cover
is instead the staffing of one roster that keeps every hard rule (each employee's first line found
without regard to cover). That roster then costs only its unmet and met requests, so its cost is an
upper bound on the optimum: the gap of a solved roster to it is at most the gap to the optimum, and a
negative gap means the solver beat the planted roster. Objectives land in the range of the published
instances' best known values (e.g. 3 541 at instance 20's size against 4 769).
"""

from __future__ import annotations

from hjemme.rota.benchmark.instance import read_instance
from hjemme.rota.benchmark.model import first_roster, roster_cost, staffing

COVER_HEADER = "# Day, ShiftID, Requirement, Weight for under, Weight for over"


def plant_cover(text: str, name: str, seconds: float = 600.0, seed: int = 0) -> tuple[str, int]:
    """``text`` (an instance in the benchmark's format, with ``SECTION_COVER`` last, as the generator
    writes it) with each cover requirement replaced by the staffing of a roster that keeps every hard
    rule, and that roster's cost. Each line stops at its first solution (about 90 s in all at instance
    24's size). CP-SAT's search is not repeatable to the roster on large sizes, so two runs may plant
    different covers (at instance 24's size their costs differed by up to 2 %): an instance goes with
    the cost written with it."""
    instance = read_instance(text, name)
    roster = first_roster(instance, seconds, workers=1, seed=seed)
    if roster is None:
        raise ValueError(f"{name}: no roster keeps every hard rule, so there is no cover to plant")
    staffed = staffing(roster)
    head = text[: text.index("SECTION_COVER")]
    lines = [
        f"{cov.day},{cov.shift},{staffed[cov.day, cov.shift]},{cov.under_weight},{cov.over_weight}"
        for cov in instance.cover
    ]
    planted = head + "\n".join(["SECTION_COVER", COVER_HEADER, *lines]) + "\n"
    return planted, roster_cost(read_instance(planted, name), roster)
