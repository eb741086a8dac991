"""Numbers as a reader of the scenario outputs expects them, in their language (issue 14 item 7).

Bokmål writes ``1 234 567,5`` (a space between thousands, a decimal comma), English ``1,234,567.5``.
The charts' value axes use :class:`NumberAxisFormatter` instead of matplotlib's default, which
writes large numbers as ``1e8`` over the axis; the Excel workbook uses Excel number formats
(:func:`excel_number_format`), which Excel itself shows with the reader's separators.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from matplotlib.ticker import Formatter

LANGUAGES = ("nb", "en")
NB_GROUP = "\u00a0"  # no-break space: a thousands group never wraps onto two lines


def decimals_for(value: float) -> int:
    """Few decimals: none from 100, one from 10, two below (the precision a projection has)."""
    magnitude = abs(value)
    if magnitude >= 100 or magnitude == round(magnitude):
        return 0
    return 1 if magnitude >= 10 else 2


def decimals_for_column(values: Iterable[float | None]) -> int:
    """One number of decimals for a column: that of its typical (median) magnitude."""
    numbers = sorted(abs(v) for v in values if v is not None and math.isfinite(v))
    if not numbers:
        return 0
    typical = numbers[len(numbers) // 2]
    if typical >= 100:
        return 0
    if all(v == round(v) for v in numbers):
        return 0
    return 1 if typical >= 10 else 2


def format_number(value: float | None, language: str = "nb", decimals: int | None = None) -> str:
    """``value`` with thousands separators and ``decimals`` decimals (chosen by size when ``None``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    number = float(value)
    digits = decimals_for(number) if decimals is None else decimals
    text = f"{number:,.{digits}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]  # no "-0"
    if language == "nb":
        return text.replace(",", NB_GROUP).replace(".", ",")
    return text


def tick_decimals(step: float) -> int:
    """Decimals that tell ticks ``step`` apart: none for a step of 1 or more, else as many as it needs."""
    if step <= 0 or not math.isfinite(step) or step >= 1:
        return 0
    return min(6, max(0, -math.floor(math.log10(step) + 1e-9)))


class NumberAxisFormatter(Formatter):
    """Tick labels in the reader's language with thousands separators and never an exponent."""

    def __init__(self, language: str = "nb") -> None:
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
        self.language = language

    def __call__(self, x: float, pos: int | None = None) -> str:
        return format_number(x, self.language)

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        ordered = sorted(float(v) for v in values)
        steps = [b - a for a, b in zip(ordered, ordered[1:], strict=False) if b > a]
        digits = tick_decimals(min(steps)) if steps else decimals_for(ordered[0] if ordered else 0.0)
        return [format_number(v, self.language, digits) for v in values]


def excel_number_format(decimals: int) -> str:
    """Excel's format code with thousands grouping (Excel shows it with the reader's own separators)."""
    return "#,##0" if decimals <= 0 else "#,##0." + "0" * decimals
