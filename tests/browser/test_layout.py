"""Phone and desktop sizes, keyboard use, no JavaScript, and print."""

from __future__ import annotations

import pytest

from tests.browser.helpers import log_in

SIZES = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}
PAGES = {"start": "/", "search": "/interventions?q=praktik", "intervention": "/interventions/1"}

# Interactive elements, except links inside running text (WCAG 2.5.8 exempts inline targets).
TAP_TARGETS = """
() => [...document.querySelectorAll('a, button, input, select, textarea, summary')]
  .filter(el => {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (style.visibility === 'hidden' || style.display === 'none' || box.width === 0 || box.height === 0) return false;
    if (el.classList.contains('skip-link')) return false;
    if (el.tagName === 'A' && el.closest('p, dd, address, li.inline-text')) return false;
    return true;
  })
  .map(el => {
    const box = el.getBoundingClientRect();
    return {tag: el.tagName, text: (el.innerText || el.value || el.name || '').slice(0, 40),
            width: box.width, height: box.height};
  })
"""


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("name", list(PAGES))
def test_no_horizontal_scroll_and_big_enough_targets(context_factory, artifacts, size, name):
    page = context_factory(viewport=SIZES[size]).new_page()
    page.goto(PAGES[name])
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow}px of horizontal scroll"
    small = [t for t in page.evaluate(TAP_TARGETS) if t["width"] < 24 or t["height"] < 24]
    assert not small, small[:10]
    screenshots = artifacts / "screenshots"
    screenshots.mkdir(exist_ok=True)
    page.screenshot(path=str(screenshots / f"{name}-{size}.png"), full_page=True)


def test_facets_are_collapsed_behind_a_button_on_a_phone(context_factory):
    page = context_factory(viewport=SIZES["phone"]).new_page()
    page.goto("/interventions")
    first_facet = page.locator(".filter-group input").first
    assert not first_facet.is_visible()
    page.locator("details.filters-toggle > summary").click()
    assert first_facet.is_visible()


def test_facets_are_open_on_a_desktop(page):
    page.goto("/interventions")
    assert page.locator(".filter-group input").first.is_visible()


def focused(page) -> dict:
    return page.evaluate("""() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        return {tag: el.tagName, id: el.id, text: (el.innerText || '').trim().slice(0, 60),
                href: el.getAttribute('href'), outline: style.outlineStyle, shadow: style.boxShadow};
    }""")


def tab_to(page, predicate, limit: int = 200) -> dict:
    """Press Tab until ``predicate(focused element)``; the focus must always be visible."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        element = focused(page)
        if element["tag"] != "BODY":
            assert element["outline"] != "none" or element["shadow"] != "none", f"invisible focus on {element}"
        if predicate(element):
            return element
    raise AssertionError("never reached the element by keyboard")


def test_keyboard_skip_link_search_open_and_log_in(page):
    page.goto("/")
    page.keyboard.press("Tab")
    assert focused(page)["href"] == "#main"  # the skip link comes first
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"

    page.goto("/interventions")
    tab_to(page, lambda el: el["id"] == "q")
    page.keyboard.type("cykel")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "q=cykel" in page.url
    tab_to(page, lambda el: (el["href"] or "").startswith("/interventions/"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/interventions/" in page.url and page.locator("h1").is_visible()

    page.goto("/login")
    tab_to(page, lambda el: el["id"] == "email")
    page.keyboard.type("redaktor@hassleholm.example.se")
    page.keyboard.press("Tab")
    page.keyboard.type("wrong password")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert focused(page)["id"] == "error-summary"  # a failed form moves focus to what to correct


def test_core_search_works_without_javascript(context_factory):
    page = context_factory(java_script_enabled=False, viewport=SIZES["phone"]).new_page()
    page.goto("/interventions")
    page.fill("#q", "praktik")
    page.locator(".filter-group input[name=municipality]").first.check()
    page.click(".search-input button")
    page.wait_for_load_state()
    assert "q=praktik" in page.url and "municipality=" in page.url
    assert page.locator(".result-list li").count() > 0


def test_print_style_keeps_the_intervention_and_drops_the_chrome(page):
    page.goto("/interventions/1")
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert page.locator("h1").is_visible() and page.locator(".facts").is_visible()


def test_editor_sees_focus_on_error_summary(page):
    log_in(page, "redaktor@hassleholm.example.se")
    page.goto("/manage/interventions/new")
    page.fill("#title", "")
    page.click("form.edit-form button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert focused(page)["id"] == "error-summary"
