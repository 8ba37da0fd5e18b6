"""Live server on a fresh SQLite database and a headless Debian Chromium for the e2e tests."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest
from support import Api, dispose_test_app, make_test_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DIST = Path(__file__).resolve().parents[2] / "web" / "ui" / "static" / "dist"
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing: apt-get install -y chromium"
    if not (DIST / "bpmn-viewer.js").exists():
        return "web/ui/static/dist is missing: npm ci --ignore-scripts && node ui-src/build.mjs"
    return None


@pytest.fixture(scope="session")
def chromium_ready():
    """Skip (or fail under CI=true) when Chromium or the front-end bundles are missing."""
    reason = _missing()
    if reason and os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but the e2e tests cannot run: {reason}")
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory, chromium_ready):
    """The app on a fresh SQLite file, shipped models deployed and demo users seeded."""
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'creditflow.db'}"
    app = make_test_app(url)
    yield app
    dispose_test_app(app)


@pytest.fixture(scope="session")
def base_url(live_app):
    """Serve the app on 127.0.0.1 with a free port in a background thread."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def api(live_app):
    """API helper for the live app (same database as the browser sees)."""
    return Api(live_app.test_client())


@pytest.fixture(scope="session")
def browser(chromium_ready):
    """One headless Chromium for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, base_url):
    """A fresh browser context (no cookies) with a laptop-sized viewport."""
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": 1440, "height": 900},
        locale="en-US",
        accept_downloads=True,
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


def login(page, user: str, lang: str = "en") -> None:
    """Sign in through the login form and pick the language."""
    page.goto("/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/dashboard")
    if page.evaluate("document.documentElement.lang") != ("en" if lang == "en" else "zh-CN"):
        page.click(f"button[name=lang][value={lang}]")
        page.wait_for_load_state()


def logout(page) -> None:
    """Sign out through the navigation."""
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login*")


def shot(page, name: str) -> None:
    """Take a full-page screenshot; it replaces docs/screenshots/<name>.png only when
    CREDITFLOW_SCREENSHOTS=1 (`make screenshots`), so a test run leaves the docs alone."""
    image = page.screenshot(full_page=True)
    if os.environ.get("CREDITFLOW_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / f"{name}.png").write_bytes(image)


def open_task(page, title_part: str, business_key: str) -> None:
    """Find the task in the inbox, claim it and open it (one click)."""
    page.goto("/inbox")
    row = page.locator(f"tr[data-business-key='{business_key}']").filter(has_text=title_part).first
    row.get_by_role("button", name="Claim and open").click()
    page.wait_for_url("**/tasks/*")
    page.wait_for_selector("#task-form[data-ready='1']")
    page.wait_for_selector("#diagram[data-ready='1']")


def complete_assessment(page, rating: str = "3") -> None:
    """Fill in the analyst's rating, complete and confirm; wait for the case page."""
    page.get_by_label("Qualitative rating").fill(rating)
    page.wait_for_selector("[data-testid=preview-values]")
    page.get_by_role("button", name="Complete task").click()
    page.get_by_role("button", name="Confirm and complete").click()
    page.wait_for_url("**/process-instances/*")
