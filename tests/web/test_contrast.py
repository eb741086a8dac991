"""Text colours in the stylesheet meet WCAG 2.1 AA contrast (4.5:1) on the backgrounds they are used on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).parents[2] / "src" / "hjemme" / "web" / "static" / "css" / "hjemme.css").read_text()
VARIABLES = dict(re.findall(r"--([a-z]+):\s*(#[0-9a-fA-F]{6})", CSS))


def _colour(name: str) -> str:
    return name if name.startswith("#") else VARIABLES[name]


def _luminance(hex_colour: str) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(text: str, background: str) -> float:
    light, dark = sorted((_luminance(_colour(text)), _luminance(_colour(background))), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# (text, background) as the stylesheet combines them: body, muted labels on panels, links, buttons
# and the header (white on accent), the skip link (white on ink), errors on white and on the error box.
PAIRS = [
    ("ink", "bg"),
    ("ink", "panel"),
    ("muted", "bg"),
    ("muted", "panel"),
    ("accent", "bg"),
    ("#ffffff", "accent"),
    ("#ffffff", "ink"),
    ("error", "bg"),
    ("error", "#fff4f4"),
]


def test_contrast_formula_matches_known_values() -> None:
    """Black on white is 21:1 and a colour on itself 1:1, as WCAG defines."""
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#0b4f8a", "#0b4f8a") == pytest.approx(1.0)


@pytest.mark.parametrize(("text", "background"), PAIRS)
def test_text_colours_meet_aa(text: str, background: str) -> None:
    """Every text/background pair used on the pages reaches at least 4.5:1."""
    assert contrast(text, background) >= 4.5
