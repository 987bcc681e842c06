"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Skipped when JIANFU_SKIP_BROWSER=1 or when /usr/bin/chromium is missing (never `playwright install`: no
downloaded browsers). Screenshots go to the folder JIANFU_SCREENSHOTS names, else to a temp folder (the ones in
docs/screenshots show the generated sample county: see docs/screenshots/take_screenshots.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make themselves
# (building the cast) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("JIANFU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SKIP_REASON = None
if os.environ.get("JIANFU_SKIP_BROWSER") == "1":
    SKIP_REASON = "JIANFU_SKIP_BROWSER=1"
elif not Path(CHROMIUM).exists():
    SKIP_REASON = f"{CHROMIUM} not found"
else:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        SKIP_REASON = "playwright is not installed"


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives a real browser (skipped with JIANFU_SKIP_BROWSER=1)")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if SKIP_REASON:
                item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", accept_downloads=True)
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def shots(tmp_path_factory) -> Path:
    if os.environ.get("JIANFU_SCREENSHOTS"):
        folder = Path(os.environ["JIANFU_SCREENSHOTS"])
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cast(transactional_db, tmp_path_factory):
    from django.core.cache import cache

    from tests.cast import build_cast, write_cast_files

    cache.clear()
    return build_cast(write_cast_files(tmp_path_factory.mktemp("county")))


@pytest.fixture
def login(page, live_server):
    from tests.cast import PASSWORD

    def do(username: str, password: str = PASSWORD):
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    return do
