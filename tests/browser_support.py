"""Real-browser tests: Debian's chromium driven by Playwright against Django's live server.

A pytest plugin (registered in tests/conftest.py) so that every test marked `browser`, in any
folder, shares one Playwright and one browser per session: two sync Playwrights in one
process cannot coexist. Playwright never downloads a browser here; it drives
/usr/bin/chromium. Without it the tests are skipped with the reason (CI installs it).
"""

import os
import shutil

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + sync Playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM) or not any(i.get_closest_marker("browser") for i in items):
        return
    reason = "needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"
    if os.environ.get("REQUIRE_SERVICES") == "1":
        raise pytest.UsageError(f"REQUIRE_SERVICES=1 but {reason}")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(chromium, live_server):
    """A fresh browser context (own cookies) per call, in the given language."""
    contexts = []

    def _open(language: str = "en"):
        context = chromium.new_context(locale=language, base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit] >> nth=-1")
    page.wait_for_url("**/dashboard/")
