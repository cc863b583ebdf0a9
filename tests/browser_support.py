"""Real-browser tests: Debian's chromium driven by Playwright against Django's live server.

A pytest plugin (registered in tests/conftest.py) so that every test marked `browser`, in any
folder, shares one Playwright and one browser per session: two sync Playwrights in one
process cannot coexist. Playwright never downloads a browser here; it drives
/usr/bin/chromium. Without it the tests are skipped with the reason (CI installs it).
"""

import os
import re
import shutil
from pathlib import Path

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
    from playwright.sync_api import expect, sync_playwright

    # A shared 2-core CI machine can take seconds per request: wait as long as actions do.
    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


PHONE = {"width": 390, "height": 844}  # an iPhone 12-15 class screen, in CSS pixels
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def open_page(chromium, live_server):
    """A fresh browser context (own cookies) per call, in the given language; `phone=True`
    gives a 390×844 touch screen instead of a desktop window."""
    contexts = []

    def _open(language: str = "en", *, phone: bool = False):
        screen = {"viewport": PHONE, "is_mobile": True, "has_touch": True} if phone else {}
        context = chromium.new_context(
            locale=language,
            base_url=live_server.url,
            **(screen or {"viewport": DESKTOP}),
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def stripe_webhooks(stripe_local, live_server):
    """localstripe for the live server, delivering its signed webhooks to the live server's
    `/stripe/webhook/` as Stripe would; its objects are cleared afterwards."""
    import requests

    from marketplace.payments.clients import stripe_client

    stripe_client.register_localstripe_webhook(url=f"{live_server.url}/stripe/webhook/")
    yield stripe_local
    requests.delete(f"{stripe_local}/_config/data", timeout=5)


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit] >> nth=-1")
    page.wait_for_url("**/dashboard/")


# --- Screenshots ------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
DOC_SCREENSHOTS = ROOT / "docs" / "screenshots"


def screenshot_dir() -> Path:
    """Every run keeps its screenshots in the run's scratch folder (var/test/ under make test)."""
    base = Path(os.environ.get("MARKETPLACE_VAR_DIR") or ROOT / "var" / "test")
    folder = base / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshot(page, name: str, *, doc: bool = False, focus: str | None = None) -> Path:
    """Save a full-page PNG of the journey's page; with SAVE_DOC_SCREENSHOTS=1, pages marked
    `doc` are also written to docs/screenshots/ (the set the README shows), as the first
    screenful a user sees, or the screenful starting at the `focus` element."""
    path = screenshot_dir() / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if doc and os.environ.get("SAVE_DOC_SCREENSHOTS") == "1":
        DOC_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        if focus:
            page.locator(focus).first.evaluate("element => element.scrollIntoView()")
        else:
            page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(DOC_SCREENSHOTS / path.name))
    return path


# --- Checks every journey page can pass -------------------------------------------------


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0: no sideways scrolling)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def overflowing_elements(page) -> list[str]:
    """The innermost elements that stick out on the right: what to fix when a page overflows."""
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          return Array.from(document.querySelectorAll("body *"))
            .filter((el) => el.getBoundingClientRect().right > width + 1)
            .filter((el) => !Array.from(el.children).some(
              (child) => child.getBoundingClientRect().right > width + 1))
            .slice(0, 8)
            .map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                 + (el.className ? "." + el.className : "") + " "
                 + el.textContent.trim().slice(0, 40));
        }"""
    )


# A visible form control a screen reader could not name: no <label for>, no wrapping <label>,
# no aria-label / aria-labelledby. Hidden inputs, buttons and CSRF tokens need none.
_UNLABELLED_CONTROLS = """() => Array.from(document.querySelectorAll("input, select, textarea"))
  .filter((el) => !["hidden", "submit", "button", "reset", "image"].includes(el.type))
  .filter((el) => el.checkVisibility ? el.checkVisibility() : el.offsetParent !== null)
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label")
                  && !el.getAttribute("aria-labelledby"))
  .map((el) => el.name || el.id || el.outerHTML.slice(0, 80))"""


def unlabelled_controls(page) -> list[str]:
    return page.evaluate(_UNLABELLED_CONTROLS)


# Visible text of the page, one entry per text node; <script>, <style> and anything marked
# translate="no" (user data such as names, serial numbers) are left out.
_VISIBLE_TEXTS = """() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    if (!parent || !node.textContent.trim()) continue;
    if (parent.closest("script, style, noscript, [translate=no]")) continue;
    if (parent.checkVisibility && !parent.checkVisibility()) continue;
    texts.push(node.textContent.trim());
  }
  return texts;
}"""

# Words that are the same in a Japanese page: brands and proper names of the test data,
# units, chemistry and element codes, document and transport codes.
ALLOWED_LATIN_WORDS = frozenset(
    {
        # the language switcher names English in English, as every site does
        "English",
        # units and currencies
        "kWh", "kW", "mAh", "mOhm", "JPY", "USD", "EUR", "KRW", "CNY", "CO2e",
        # chemistries and cell formats
        "NMC", "NCA", "LFP", "LMO", "LTO", "NMC111", "NMC532", "NMC622", "NMC811",
        # standards, regimes and codes
        "OECD", "Basel", "SOCE", "HPPC", "UN38", "PDF", "CSV", "JSON", "API", "Stripe",
        "JPEG", "WebP",
        "Annex", "VII", "BLAST", "Lite", "NREL",
    }
)  # fmt: skip
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]{3,}")
_NOT_WORDS = re.compile(
    r"\S+@\S+"  # e-mail addresses
    r"|https?://\S+"  # links
    r"|\b[A-Z]{1,4}\d+[A-Z0-9-]*\b"  # codes such as UN3480, A1170, Y49, SP376
    r"|\b[\w-]*\d[\w-]*\b"  # serial numbers and other tokens with digits
    r"|\b[A-Z][A-Z0-9]*(?:-[A-Za-z0-9_]+)+\b"  # rule identifiers such as REGIME-OECD-AMBER
)
# A citation of a source (its title is in the source's language): "S32: NHK - ...".
_CITATION = re.compile(r"^\(?(?:S\d+\w*|R-[A-Z]+): ")


def untranslated_words(page, allowed: frozenset[str] = frozenset()) -> list[str]:
    """The text nodes of a Japanese page that still hold English words (4+ letters)."""
    allowed_words = ALLOWED_LATIN_WORDS | allowed
    offending = []
    for text in page.evaluate(_VISIBLE_TEXTS):
        if _CITATION.match(text):
            continue
        words = _WORD.findall(_NOT_WORDS.sub(" ", text))
        if any(word not in allowed_words for word in words):
            offending.append(text)
    return offending
