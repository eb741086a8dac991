"""Numbers in the scenario outputs: thousands separators and decimal marks in the reader's language."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from hjemme.scenario.numbers import (
    NumberAxisFormatter,
    decimals_for_column,
    excel_number_format,
    format_number,
    tick_decimals,
)


def test_bokmaal_groups_thousands_with_a_space_and_uses_a_decimal_comma() -> None:
    """nb: 123 456 789 and 12,5; en: 123,456,789 and 12.5."""
    assert format_number(123_456_789, "nb") == "123\u00a0456\u00a0789"
    assert format_number(123_456_789, "en") == "123,456,789"
    assert format_number(12.5, "nb") == "12,5" and format_number(12.5, "en") == "12.5"
    assert format_number(0.126, "nb") == "0,13" and format_number(1234.5678, "en", 2) == "1,234.57"
    assert format_number(None, "nb") == "" and format_number(-0.0001, "en", 2) == "0.00"


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_a_formatted_number_reads_back_as_itself(value: float) -> None:
    """Taking the separators out gives the number back, rounded to the decimals shown; never an exponent."""
    for language, group, point in (("nb", "\u00a0", ","), ("en", ",", ".")):
        text = format_number(value, language)
        assert "e" not in text.lower()
        plain = float(text.replace(group, "").replace(point, "."))
        decimals = len(text.partition(point)[2])
        assert plain == pytest.approx(round(value, decimals), abs=10 ** -decimals)


def test_tick_decimals_tell_ticks_apart() -> None:
    """Steps of 1 or more need no decimals, 0.5 one, 0.05 two."""
    assert [tick_decimals(s) for s in (2e7, 1, 0.5, 0.25, 0.05)] == [0, 0, 1, 1, 2]


def test_column_decimals_follow_the_typical_size() -> None:
    """Millions get none, tens one, small shares two; whole numbers none."""
    assert decimals_for_column([1.2e8, 9.5e7]) == 0
    assert decimals_for_column([12.3, 14.8]) == 1
    assert decimals_for_column([0.35, 0.4]) == 2
    assert decimals_for_column([3.0, 4.0]) == 0
    assert excel_number_format(0) == "#,##0" and excel_number_format(2) == "#,##0.00"


@pytest.mark.parametrize(("language", "expected"), [("nb", "100\u00a0000\u00a0000"), ("en", "100,000,000")])
def test_an_axis_of_hundreds_of_millions_shows_them_in_full(language: str, expected: str) -> None:
    """A chart of costs around 1e8 labels its axis 100 000 000, with no '1e8' offset over it."""
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot([2024, 2030], [0.9e8, 2.3e8])
    ax.yaxis.set_major_formatter(NumberAxisFormatter(language))
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert expected in labels and ax.yaxis.get_offset_text().get_text() == ""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    # the drawn text is in the SVG's comments (glyphs are paths); element ids are hex hashes that may
    # hold "1e8" by chance, so only the text is searched
    drawn = re.findall(r"<!-- (.*?) -->", buffer.getvalue())
    assert expected in drawn and not any("1e8" in text for text in drawn)


def test_an_unknown_language_is_refused() -> None:
    """Only nb and en have number conventions here."""
    with pytest.raises(ValueError):
        NumberAxisFormatter("de")
