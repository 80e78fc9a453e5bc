"""Browser support for the end-to-end tests: Debian's Chromium driven by Playwright, full-page
screenshots at phone width and an axe-core check of each page.

Playwright never downloads a browser here: it always starts /usr/bin/chromium, headless, with
the background networking switched off (the test machines have no internet). Screenshots and
the axe results land in tests/artifacts/, for a person to look at after a run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL = "sudo apt-get update && sudo apt-get install -y chromium"
REQUIRE_ENV = "DIGEST_REQUIRE_BROWSER"

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PHONE_WIDTH = 375
PHONE = {"width": PHONE_WIDTH, "height": 812}
# Impacts that fail a test; "moderate" and "minor" ones are only written to the JSON file.
SEVERE = ("serious", "critical")


def _unavailable(message: str) -> None:
    """Skip, or fail when the environment demands the browser tests (CI)."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{message} ({REQUIRE_ENV}=1 requires the browser tests)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session", name="browser")
def browser_fixture() -> Iterator[Browser]:
    """Debian's Chromium, headless, for the whole session."""
    if not CHROMIUM.exists():
        _unavailable(
            f"the browser tests need Debian's Chromium at {CHROMIUM}; install it with "
            f"`{INSTALL}` (Playwright never downloads a browser for these tests)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the browser tests need Playwright: pip install -e '.[dev]'")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@contextmanager
def new_page(browser: Browser, **options: Any) -> Iterator[Page]:
    """A page in a fresh context (no cookies) at phone size, German; `options` override."""
    settings: dict[str, Any] = {"viewport": PHONE, "locale": "de-DE", "color_scheme": "light"}
    settings.update(options)
    context = browser.new_context(**settings)
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(name="page")
def page_fixture(browser: Browser) -> Iterator[Page]:
    """A fresh light-mode page at phone size."""
    with new_page(browser) as fresh:
        yield fresh


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot at 375 px width to tests/artifacts/screenshots/<name>.png.

    Fails if the page is wider than the phone (it would scroll sideways: WCAG 1.4.10)."""
    size = page.viewport_size or PHONE
    if size["width"] != PHONE_WIDTH:
        page.set_viewport_size({"width": PHONE_WIDTH, "height": size["height"]})
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE_WIDTH:
        pytest.fail(f"{page.url} is {width} px wide at {PHONE_WIDTH} px ({path})", pytrace=False)
    return path


def check_a11y(page: Page, name: str) -> dict[str, Any]:
    """Run axe-core in the page; fail on any serious or critical violation.

    The full result goes to tests/artifacts/axe/<name>.json, moderate and minor findings
    included, so they can be read even when the test passes."""
    from axe_playwright_python.sync_playwright import Axe

    results: dict[str, Any] = Axe().run(page, options=None).response
    path = ARTIFACTS / "axe" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    severe = [v for v in results["violations"] if v.get("impact") in SEVERE]
    if severe:
        lines = [f"axe: {len(severe)} serious or critical violation(s) on {page.url} ({path}):"]
        for violation in severe:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"]:
                summary = " ".join(str(node.get("failureSummary", "")).split())
                lines.append(f"    {' '.join(map(str, node['target']))}: {summary}")
        pytest.fail("\n".join(lines), pytrace=False)
    return results
