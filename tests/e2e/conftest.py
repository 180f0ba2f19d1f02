"""The browser every browser test drives: Debian's chromium through Playwright (never a downloaded browser)."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e.serving import CHROMIUM


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium through Playwright (never a downloaded browser); skips where either is missing."""
    playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package (test extra) is not installed")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM} (apt-get install -y chromium fonts-wqy-microhei)")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"]
        )
        yield chromium
        chromium.close()
