"""A real browser for the HTML report: Debian's ``chromium`` driven by Playwright's Python package.

``.ci/run`` installs Chromium, and in CI (``CI=true``) a missing browser fails these tests; only
outside CI do they skip, saying why.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("COLLOQUY_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        reason = f"no Chromium at {CHROMIUM} (apt-get install -y chromium, or set COLLOQUY_CHROMIUM)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"in CI the browser tests must run: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
