"""Playwright driving Debian's Chromium (/usr/bin/chromium, installed by `make test` when missing and possible).

Without it the tests are skipped (and the run's summary says so loudly), except under CI (``CI`` set), where a
missing browser is a failure: CI runs as root and must run them.

One browser per session with a fresh profile; a fresh page per test against that test's served emulator.
Screenshots go to artifacts/browser/ (git-ignored) as test artifacts.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, Page, Playwright, sync_playwright

from tests.conftest import BROWSER_MISSING, ROOT, signed

CHROMIUM = Path(os.environ.get("EMULATOR_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "artifacts" / "browser"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing under CI: `make chromium` (as root) installs it")
        pytest.skip(f"{BROWSER_MISSING}: {CHROMIUM} is missing")
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM), headless=True,
        args=FLAGS, viewport={"width": 1280, "height": 900},
        # Playwright evaluates its own scripts in the page; the pages' CSP (no scripts) is checked over HTTP,
        # and without it here an escaping bug would run its script and fail the XSS test.
        bypass_csp=True,
    )
    yield context
    context.close()


@pytest.fixture
def page(browser: BrowserContext) -> Iterator[Page]:
    tab = browser.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    tab.close()


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def api_upload(app: Flask, data: bytes, name: str, **fields: str) -> dict[str, Any]:
    """An upload through the Upload API (in-process), to set the scene quickly."""
    body: dict[str, Any] = {**signed(fields), "file": (io.BytesIO(data), name)}
    r = app.test_client().post("/v1_1/demo/image/upload", data=body, content_type="multipart/form-data")
    assert r.status_code == 200, r.json
    result: dict[str, Any] = r.json
    return result
