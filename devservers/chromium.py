"""The browser for the end-to-end tests: Debian's Chromium when present, else Playwright's own,
downloaded on first use. Never a silent skip: without either, the browser tests fail saying so."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SYSTEM_CHROMIUM = Path("/usr/bin/chromium")


class NoBrowser(Exception):
    pass


def _playwright_chromium() -> Path:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        return Path(playwright.chromium.executable_path)


def chromium_executable() -> str | None:
    """The path to launch, or None for Playwright's own build (then present on disk)."""
    if SYSTEM_CHROMIUM.exists():
        return str(SYSTEM_CHROMIUM)
    if _playwright_chromium().exists():
        return None
    print("\nNo /usr/bin/chromium: downloading Playwright's Chromium (playwright install chromium)",
          file=sys.__stderr__, flush=True)
    result = subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"],
                            capture_output=True, text=True)
    if result.returncode == 0 and _playwright_chromium().exists():
        return None
    said = list(dict.fromkeys(line.strip() for line in (result.stdout + result.stderr).splitlines() if line.strip()))
    said = [line for line in said if line.startswith("Error")] or said
    raise NoBrowser(
        "The browser tests need Chromium, and there is none: no /usr/bin/chromium, and "
        "`playwright install chromium` failed (" + " / ".join(said[:2]) + ").\n"
        "Install Debian's (apt-get install chromium) or let Playwright download its own where the "
        "network allows (.venv/bin/playwright install --with-deps chromium). To run the other "
        "tests without a browser: make test PYTEST_ARGS='-m \"not browser\"'."
    )
