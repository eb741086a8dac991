"""The report as PDF, printed by headless Chromium (issue 15, item 8).

The HTML report is self-contained (charts inlined as SVG), so printing it needs no server: Chromium
opens the file and prints it. Chromium is looked up on ``PATH`` (``chromium``, ``chromium-browser``,
``google-chrome``) unless a path is given; without one the PDF is skipped and the caller says so.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def find_chromium() -> str | None:
    """The first Chromium-like browser on ``PATH``, or ``None``."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def write_pdf(html: Path, pdf: Path, *, chromium: str | None = None, timeout_s: float = 180.0) -> Path | None:
    """Print ``html`` to ``pdf`` with headless Chromium; ``None`` when no browser is found or it fails."""
    browser = chromium or find_chromium()
    if browser is None:
        return None
    pdf.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="hjemme-pdf-") as profile:
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf.resolve()}",
            html.resolve().as_uri(),
        ]
        try:
            subprocess.run(command, check=False, capture_output=True, timeout=timeout_s)  # noqa: S603
        except (OSError, subprocess.TimeoutExpired):
            return None
    return pdf if pdf.is_file() and pdf.stat().st_size > 0 else None
