"""Participants on a phone and in other languages, and case officers on the search page.

Each test asserts what the page promises: Swedish text on a right-to-left page is its own
left-to-right block, honest language labels, the filter tags, guidance when nothing is
found, a short phone header, a language menu, and a form whose errors come first.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.support import Translations

from tests.browser.helpers import axe_violations, describe

SIZES = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}
PREFIXES = {"sv": "", "en": "/en", "ar": "/ar"}
TRANSLATIONS = Path(__file__).resolve().parents[2] / "portal" / "translations"
SNICKERIET = 2  # demo intervention without any translation
RETURN_SHOP = 1  # demo intervention: Arabic title and summary, Swedish description
OWN_APPLICATION = 8  # demo intervention open to an interest form


def gettext(locale: str, message: str) -> str:
    return Translations.load(str(TRANSLATIONS), [locale]).gettext(message)


def screenshot(page, artifacts, name: str) -> None:
    folder = artifacts / "screenshots"
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"journey-{name}.png"), full_page=True)


def assert_no_axe_violations(page) -> None:
    violations = axe_violations(page)
    assert not violations, describe(violations)


DIRECTION = ("el => ({lang: el.getAttribute('lang'), dir: el.getAttribute('dir'),"
             " computed: getComputedStyle(el).direction})")


# ------------------------------------------------------------- 1. right-to-left pages


@pytest.mark.parametrize("prefix", ["/ar", "/fa"])
def test_swedish_text_on_a_right_to_left_page_is_a_left_to_right_block(page, prefix):
    page.goto(f"{prefix}/interventions/{SNICKERIET}")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    for selector in ("h1", ".lead", ".description > div"):
        assert page.eval_on_selector(selector, DIRECTION) == {"lang": "sv", "dir": "ltr", "computed": "ltr"}, selector

    page.goto(f"{prefix}/interventions")
    swedish = page.locator(".card [lang=sv]")
    assert swedish.count() > 0
    for element in swedish.all():
        assert element.evaluate(DIRECTION)["computed"] == "ltr"
    translated = page.locator(f".card [lang={prefix[1:]}]")
    for element in translated.all():
        assert element.evaluate(DIRECTION)["computed"] == "rtl"

    page.goto(f"{prefix}/municipalities/hassleholm")
    cards = page.locator(".card [lang=sv]")
    assert cards.count() > 0
    assert all(element.evaluate(DIRECTION)["dir"] == "ltr" for element in cards.all())


# ------------------------------------------------------------ 2. honest language labels


def test_every_card_only_in_swedish_says_so_in_the_visitors_language(page):
    page.goto("/ar/interventions")
    cards = page.locator(".result-list .card")
    assert cards.count() > 0
    labels = {gettext("ar", m) for m in ("In Swedish only", "Title in Swedish only", "Summary in Swedish only")}
    for card in cards.all():
        title_lang = card.locator(".card-title a").get_attribute("lang")
        summary_lang = card.locator("p[lang]:not(.snippet)").first.get_attribute("lang")
        label = card.locator(".card-language")
        if "sv" in (title_lang, summary_lang):
            assert label.count() == 1 and label.inner_text().strip() in labels
        else:
            assert label.count() == 0


def test_swedish_page_cards_carry_no_language_label(page):
    page.goto("/interventions")
    assert page.locator(".card-language").count() == 0


def test_the_notice_says_which_parts_are_in_swedish(page):
    page.goto(f"/ar/interventions/{SNICKERIET}")
    everything = gettext("ar", "This text is only available in Swedish.")
    assert page.locator(".language-notice").inner_text().strip() == everything
    page.goto(f"/ar/interventions/{RETURN_SHOP}")
    notice = page.locator(".language-notice").inner_text().strip()
    assert notice == gettext("ar", "The description is only available in Swedish.")
    page.goto(f"/en/interventions/{RETURN_SHOP}")  # fully translated into English
    assert page.locator(".language-notice").count() == 0


def results_total(page) -> int:
    return int("".join(ch for ch in page.locator("#results-heading").inner_text() if ch.isdigit()))


def test_available_in_my_language_filters_the_list_and_shows_as_a_tag(context_factory):
    page = context_factory(viewport=SIZES["desktop"]).new_page()
    page.goto("/uk/interventions")
    everything = results_total(page)
    page.check("#available_in")
    page.locator(".filters .form-actions button").click()
    page.wait_for_load_state()
    assert "available_in=uk" in page.url
    narrowed = results_total(page)
    assert 0 < narrowed < everything
    assert page.locator(".result-list .card").count() == narrowed  # fewer than a page: all shown
    assert page.locator(".filter-tag").count() == 1
    assert page.locator("#available_in").is_checked()


# --------------------------------------------------- 3 and 7. tags, no results, sorting


def test_browsing_by_type_shows_the_applied_filter(page):
    page.goto("/en/")
    tile = page.locator("section[aria-labelledby=by-type] .tile-list a").first
    type_name = tile.inner_text().strip()
    tile.click()
    page.wait_for_load_state()
    tags = page.locator(".filter-tag")
    assert tags.count() == 1
    assert type_name in tags.inner_text() and "Type of intervention" in tags.inner_text()


def test_filter_tags_remove_one_and_remove_all(context_factory, artifacts):
    page = context_factory(viewport=SIZES["phone"]).new_page()
    page.goto("/en/interventions?q=praktik&type=praktik&municipality=1290")
    tags = page.locator(".filter-tag")
    assert tags.count() == 2
    assert tags.first.is_visible()  # above the results, not behind the collapsed filters
    screenshot(page, artifacts, "filter-tags-phone")
    tags.first.click()
    page.wait_for_load_state()
    assert page.locator(".filter-tag").count() == 1 and "q=praktik" in page.url
    page.locator(".filter-tags-clear").click()
    page.wait_for_load_state()
    assert page.locator(".filter-tag").count() == 0
    assert "q=praktik" in page.url and "municipality" not in page.url and "type=" not in page.url


@pytest.mark.parametrize("locale", list(PREFIXES))
def test_a_search_that_finds_nothing_explains_what_to_try(page, artifacts, locale):
    page.goto(f"{PREFIXES[locale]}/interventions?q=qwxzyvbn&type=praktik")
    guidance = page.locator(".no-results")
    assert guidance.is_visible()
    assert guidance.get_by_role("link", name=gettext(locale, "removing the filters")).count() == 1
    assert guidance.locator(".type-links a").count() >= 3
    screenshot(page, artifacts, f"no-results-{locale}")
    assert_no_axe_violations(page)


def test_the_engines_suggestion_is_offered_when_nothing_is_found(page):
    page.goto("/en/interventions?q=snickeriet&municipality=1273")  # the carpentry is not in Osby
    guidance = page.locator(".no-results")
    assert page.locator(".suggestion").count() == 0  # with nothing found, only the guidance offers it
    assert guidance.locator("li").count() >= 2
    assert guidance.get_by_role("link", name="removing the filters").count() == 1


def test_sort_is_above_the_results_and_distance_asks_for_a_municipality(page, artifacts):
    page.goto("/en/interventions?sort=distance")
    sort_box = page.locator("#sort").bounding_box()
    first_card = page.locator(".result-list .card").first.bounding_box()
    assert sort_box["y"] < first_card["y"]
    assert page.locator(".filters #sort").count() == 0
    assert page.locator("#near-error").is_visible()
    assert page.locator("#near").get_attribute("aria-invalid") == "true"
    assert_no_axe_violations(page)

    page.select_option("#near", "1290")
    page.locator(".results-tools button").click()
    page.wait_for_load_state()
    assert page.locator("#near-error").count() == 0
    distances = [float(text.split()[0].replace(",", ".").replace("\u00a0", ""))
                 for text in page.locator(".card-distance").all_inner_texts()]
    assert len(distances) == page.locator(".result-list .card").count() > 0
    assert distances == sorted(distances)
    assert all(text.endswith("km away") for text in page.locator(".card-distance").all_inner_texts())
    screenshot(page, artifacts, "distance-desktop")


# --------------------------------------------------------------------- 4. snippets


def test_a_card_does_not_repeat_its_summary_as_a_snippet(page):
    page.goto("/interventions?q=arbetsträning")
    cards = page.locator(".result-list .card")
    assert cards.count() > 0
    for card in cards.all():
        summary = card.locator("p[lang]:not(.snippet)").first.inner_text().strip()
        for snippet in card.locator(".snippet").all_inner_texts():
            plain = snippet.replace("…", "").strip()
            assert plain not in summary and not plain.startswith(summary)


# ----------------------------------------------------------------- 5. phone header


@pytest.mark.parametrize("locale", list(PREFIXES))
def test_the_phone_header_is_at_most_120_px(context_factory, artifacts, locale):
    page = context_factory(viewport=SIZES["phone"]).new_page()
    page.goto(f"{PREFIXES[locale]}/interventions")
    height = page.locator(".site-header").bounding_box()["height"]
    assert height <= 120, f"{height}px"
    assert page.locator(".site-header a[hreflang]").count() == 0  # no wall of language links
    screenshot(page, artifacts, f"header-phone-{locale}")


def test_the_language_menu_goes_on_change_and_keeps_the_page(context_factory):
    page = context_factory(viewport=SIZES["phone"]).new_page()
    page.goto("/interventions?q=praktik")
    assert not page.locator(".language-submit").is_visible()  # the script goes on change
    options = page.locator("#language-select option")
    assert options.count() == 7
    assert page.locator("#language-select option[lang=ar]").inner_text() == "العربية"
    with page.expect_navigation():
        page.select_option("#language-select", label="العربية")
    assert page.url.endswith("/ar/interventions?q=praktik")
    assert page.evaluate("document.documentElement.dir") == "rtl"


def test_the_language_menu_works_without_javascript(context_factory):
    page = context_factory(viewport=SIZES["phone"], java_script_enabled=False).new_page()
    page.goto(f"/interventions/{SNICKERIET}")
    page.select_option("#language-select", label="English")
    page.locator(".language-submit").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/en/interventions/{SNICKERIET}")


def test_the_language_menu_only_follows_paths_on_this_site(page):
    page.goto("/en/language?to=//evil.example/")
    assert "evil" not in page.url
    assert page.evaluate("location.pathname") == "/en/"


# ----------------------------------------------------------------- 6. interest form


@pytest.mark.parametrize("locale", list(PREFIXES))
def test_an_empty_interest_form_shows_the_error_summary_first(context_factory, artifacts, locale):
    page = context_factory(viewport=SIZES["phone"]).new_page()
    page.goto(f"{PREFIXES[locale]}/interventions/{OWN_APPLICATION}/interest")
    page.locator("form.edit-form button[type=submit]").click()
    page.wait_for_selector("#error-summary")
    first_after_heading = page.evaluate("document.querySelector('main h1').nextElementSibling.id")
    assert first_after_heading == "error-summary"
    assert page.locator(".error-summary").count() == 1  # no "sent too quickly" box above it
    too_fast = gettext(locale, "The form was sent too quickly or has expired. Check what you wrote and send it again.")
    assert too_fast not in page.locator("main").inner_text()
    links = page.locator("#error-summary li a")
    targets = [link.get_attribute("href") for link in links.all()]
    assert len(targets) == len(set(targets)) >= 3  # name, contact, consent: one message each
    assert all(len(text) < 120 for text in links.all_inner_texts())
    screenshot(page, artifacts, f"interest-errors-{locale}")
    assert_no_axe_violations(page)


# ------------------------------------------------------------------- axe, both sizes


CHANGED_PAGES = {
    "search-tags": "/interventions?type=praktik&municipality=1290",
    "search-available": "/interventions?available_in=ar",
    "search-distance": "/interventions?sort=distance&near=1293",
    "intervention-swedish": f"/interventions/{SNICKERIET}",
    "intervention-parts": f"/interventions/{RETURN_SHOP}",
    "municipality": "/municipalities/hassleholm",
}


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("locale", list(PREFIXES))
@pytest.mark.parametrize("name", list(CHANGED_PAGES))
def test_changed_pages_have_no_axe_violations(context_factory, artifacts, name, locale, size):
    page = context_factory(viewport=SIZES[size]).new_page()
    page.goto(PREFIXES[locale] + CHANGED_PAGES[name])
    screenshot(page, artifacts, f"{name}-{locale}-{size}")
    assert_no_axe_violations(page)


# ------------------------------------------------------------- share with the participant


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_an_officer_shares_a_handout_in_arabic(context_factory, artifacts, size):
    from tests.browser.helpers import log_in

    page = context_factory(viewport=SIZES[size]).new_page()
    log_in(page, "handlaggare@hassleholm.example.se")
    page.goto(f"/en/interventions/{RETURN_SHOP}")
    page.select_option("#share-language", "ar")
    page.get_by_role("button", name="Make a handout").click()
    page.wait_for_url(f"**/ar/interventions/{RETURN_SHOP}/handout")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.eval_on_selector("h1", DIRECTION)["lang"] == "ar"  # the Arabic title
    assert page.eval_on_selector(".handout .description, .handout div[lang]", DIRECTION)["computed"] == "ltr"
    qr = page.locator("svg.qr-code")
    assert qr.count() == 1 and qr.bounding_box()["width"] >= 100
    assert f"/ar/i/{RETURN_SHOP}" in page.locator(".handout-link").inner_text()
    assert_no_axe_violations(page)
    screenshot(page, artifacts, f"handout-ar-{size}")
