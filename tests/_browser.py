"""Headless Chromium for browser tests: Debian's chromium driven by Playwright, never a download.

A missing chromium fails the test (CI installs it); DESIGNKIT_SKIP_BROWSER=1 skips explicitly.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("DESIGNKIT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@contextmanager
def chromium_page(**context_options):
    """Yield a Playwright page in a fresh headless Chromium; the browser is closed however it ends."""
    if os.environ.get("DESIGNKIT_SKIP_BROWSER") == "1":
        pytest.skip("DESIGNKIT_SKIP_BROWSER=1")
    if not CHROMIUM.is_file():
        pytest.fail(f"browser tests need Debian's chromium at {CHROMIUM}: apt-get install chromium "
                    "(or set DESIGNKIT_SKIP_BROWSER=1 to skip them)", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser.new_context(**context_options).new_page()
        finally:
            browser.close()
