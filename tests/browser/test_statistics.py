"""The follow-up pages in a browser: axe finds nothing in sv, en and ar, the page is complete
without JavaScript, every chart loads, has its text and its table, and nothing trips the CSP."""

from __future__ import annotations

import pytest

from tests.browser.helpers import DEMO_PASSWORD, axe_violations, describe

LANGUAGES = ["", "/en", "/ar"]
ADMIN = "admin@insatsportalen.example.se"


def log_in(page, email: str) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("prefix", LANGUAGES, ids=["sv", "en", "ar"])
def test_public_statistics_have_no_violations(page, prefix):
    page.goto(f"{prefix}/statistik")
    violations = axe_violations(page)
    assert not violations, describe(violations)


@pytest.mark.parametrize("prefix", LANGUAGES, ids=["sv", "en", "ar"])
def test_dashboard_has_no_violations(page, prefix):
    log_in(page, ADMIN)
    page.goto(f"{prefix}/stats")
    assert page.locator("#flows-requests").count() == 1
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_charts_load_with_their_text_and_table(page):
    page.goto("/en/statistik")
    images = page.locator("figure.stats-chart img")
    assert images.count() == 3
    for index in range(images.count()):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        page.wait_for_function("image => image.complete && image.naturalWidth > 0", arg=image.element_handle())
        assert "table" in image.get_attribute("alt")
        section = image.locator("xpath=ancestor::section[1]")
        assert section.locator("table caption").count() >= 1


def test_complete_without_javascript(context_factory):
    page = context_factory(java_script_enabled=False).new_page()
    log_in(page, ADMIN)
    page.goto("/en/stats")
    for table in ("#flows-requests", "#flows-accepted", "#outcomes-gender", "#outcomes-type", "#funnel",
                  "#decline-reasons", "#months", "#capacity", "#follow-up"):
        assert page.locator(table).count() == 1, table
    assert "fewer than 5" in page.content() or "To protect the participants" in page.content()
    page.select_option("#municipality", "1293")
    page.click("form.stats-filters button[type=submit]")
    page.wait_for_load_state()
    assert "municipality=1293" in page.url
