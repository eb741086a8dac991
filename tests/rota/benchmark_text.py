"""Hand-made benchmark instances in the text format, for the reader, model and evaluator tests."""

from __future__ import annotations


def tiny_instance(
    *,
    horizon: int = 7,
    staff: str = "A,D=7|N=7,4800,0,3,2,2,1",
    days_off: str = "",
    on: str = "",
    off: str = "",
    cover: str = "",
) -> str:
    """A one-week instance: D (480 min) and N (600 min, may not be followed by D); one nurse by default."""
    return "\n".join(
        [
            "# hand-made",
            "SECTION_HORIZON",
            str(horizon),
            "SECTION_SHIFTS",
            "D,480,",
            "N,600,D",
            "SECTION_STAFF",
            staff,
            "SECTION_DAYS_OFF",
            days_off,
            "SECTION_SHIFT_ON_REQUESTS",
            on,
            "SECTION_SHIFT_OFF_REQUESTS",
            off,
            "SECTION_COVER",
            cover,
            "",
        ]
    )
