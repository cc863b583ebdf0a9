"""Shared steps of the end-to-end journeys: the people, and what every journey page must pass.

A journey records each key page with `checks.visit(page, name)`: the page is saved as a
screenshot of the run; it must not scroll sideways, on a desktop or a phone, and on a phone its
navigation must stay reachable; every visible form control must have a label. In Japanese the page
must not show English words (see `tests.browser_support.untranslated_words`).
"""

import time
from dataclasses import dataclass, field

from playwright.sync_api import expect

from diagnostics.models import RegisteredMethod
from marketplace.accounts.choices import Role
from tests.browser_support import (
    horizontal_overflow,
    overflowing_elements,
    screenshot,
    screenshot_dir,
    unlabelled_controls,
    untranslated_words,
)
from tests.factories import PermitFactory, UserFactory


@dataclass
class PageChecks:
    """The checks of one run of a journey: in which language, on which screen."""

    prefix: str
    language: str = "en"
    phone: bool = False
    doc_pages: frozenset[str] = frozenset()
    allowed_words: frozenset[str] = frozenset()
    untranslated: dict[str, list[str]] = field(default_factory=dict)

    def visit(self, page, name: str, *, focus: str | None = None) -> None:
        expect(page.locator("main")).to_be_visible()
        missing = unlabelled_controls(page)
        assert missing == [], f"{name}: form controls without a label: {missing}"
        assert horizontal_overflow(page) == 0, (
            f"{name}: the page scrolls sideways; too wide: {overflowing_elements(page)}"
        )
        if self.phone:
            assert_navigation_reachable(page)
        if self.language == "ja":
            expect(page.locator("html")).to_have_attribute("lang", "ja")
            if found := untranslated_words(page, self.allowed_words):
                self.untranslated[name] = found
                # For the translators: every run lists what it found beside the screenshots.
                with (screenshot_dir() / f"{self.prefix}-untranslated.txt").open("a") as report:
                    report.writelines(f"{name}\t{text!r}\n" for text in found)
        screenshot(page, f"{self.prefix}-{name}", doc=name in self.doc_pages, focus=focus)


def assert_navigation_reachable(page) -> None:
    """At the top of the page every header link is on screen, none cut off at the side."""
    page.evaluate("window.scrollTo(0, 0)")
    width = page.viewport_size["width"]
    links = page.locator("header.site a")
    for index in range(links.count()):
        link = links.nth(index)
        expect(link).to_be_in_viewport()
        box = link.bounding_box()
        assert 0 <= box["x"] <= box["x"] + box["width"] <= width, link.inner_text()


def expect_after_reloading(page, locator, text: str, *, timeout_ms: int) -> None:
    """Reload until `locator` shows `text`: for pages that show background work (the worker's)
    only on the next load."""
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        try:
            expect(locator).to_contain_text(text, timeout=1_000)
        except AssertionError:
            page.reload()
        else:
            return
    expect(locator).to_contain_text(text, timeout=1_000)


def tab_to(page, selector: str, *, most: int = 40) -> None:
    """Press Tab, as a keyboard user does, until `selector` has the focus."""
    target = page.locator(selector)
    for _ in range(most):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} cannot be reached with Tab")


# --- People -----------------------------------------------------------------------------


def dealer(username: str = "dealer", legal_name: str = "Hakata EV Motors K.K."):
    return UserFactory(username=username, role=Role.DEALER, organisation__legal_name=legal_name)


def diagnostics_provider(legal_name: str = "Nishi-Nihon Battery Diagnostics K.K."):
    """A provider with a full-discharge cycler registered (catalogue u95: 2 pp)."""
    user = UserFactory(
        username="diagnostics",
        role=Role.DIAGNOSTICS_PROVIDER,
        organisation__legal_name=legal_name,
    )
    RegisteredMethod.objects.create(
        organisation=user.organisation,
        method_code="full_discharge",
        instrument_make="Hioki",
        instrument_model="BT4560",
        registered_by=user,
    )
    return user


def reuse_maker(username: str, legal_name: str, *, country: str = "JP", region: str = ""):
    return UserFactory(
        username=username,
        role=Role.REUSE_MAKER,
        organisation__legal_name=legal_name,
        organisation__country=country,
        organisation__region=region or "Kumamoto",
    )


def smelter(username: str, legal_name: str, *, country: str):
    """A recycler (smelter/refiner) with a valid waste-handling permit, needed for black mass."""
    user = UserFactory(
        username=username,
        role=Role.RECYCLER,
        organisation__legal_name=legal_name,
        organisation__country=country,
        organisation__region="Gyeongbuk",
    )
    PermitFactory(organisation=user.organisation, issuing_authority="Ministry of Environment")
    return user


def compliance_officer(
    username: str = "officer", legal_name: str = "Battery Market Compliance K.K."
):
    return UserFactory(
        username=username,
        role=Role.COMPLIANCE_OFFICER,
        organisation__legal_name=legal_name,
    )
