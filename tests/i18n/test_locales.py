"""Every public page in every interface language: translated, right direction, links that keep
the language, taxonomy labels, dates and numbers in the visitor's locale."""

from __future__ import annotations

import json
import re
from datetime import date
from html.parser import HTMLParser

import pytest
from babel.dates import format_date
from babel.numbers import format_decimal
from flask_babel import refresh

from portal.catalogue.taxonomy import TAXONOMY_FILE
from portal.i18n import DEFAULT_LOCALE, LANGUAGES

LOCALES = list(LANGUAGES)  # sv en ar fa so ti uk
CONFIRMED_ON = date(2026, 3, 5)
CAPACITY = 1200
NO_SUCH_WORD = "zqxjvw"

# English interface strings that must not show on a page in another language.
KEY_ENGLISH = [
    "Skip to main content", "All interventions", "Search", "Filter", "Log in", "Municipality",
    "Find interventions", "Show results", "Sort by", "Browse by municipality", "About the intervention",
    "How to get a place", "Type of intervention", "Password", "E-mail address", "Forgot your password",
    "We could not find the page", "Go to the start page", "Main menu", "Choose language",
    "No interventions match your search", "Interventions", "places available", "Information confirmed",
]

# Internal URLs that are the same in every language.
LANGUAGE_NEUTRAL = ("/static/", "/api/", "/healthz")


class Page(HTMLParser):
    """The text a visitor reads or hears, and every link and form target with its attributes."""

    SPOKEN_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[tuple[str, dict]] = []
        self.html_attributes: dict = {}
        self._skip = 0
        self.feed(html)
        # Collapse layout whitespace only: no-break spaces belong to formatted dates and numbers.
        self.text = re.sub(r"[ \t\r\n\f]+", " ", " ".join(self.texts)).strip()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.html_attributes = attributes
        if tag in ("script", "style"):
            self._skip += 1
        for name in self.SPOKEN_ATTRIBUTES:
            if attributes.get(name):
                self.texts.append(attributes[name])
        if tag in ("a", "link") and attributes.get("href"):
            self.links.append((attributes["href"], attributes))
        if tag == "form" and attributes.get("action"):
            self.links.append((attributes["action"], attributes))

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.texts.append(data)


def prefix(locale: str) -> str:
    return "" if locale == DEFAULT_LOCALE else f"/{locale}"


def taxonomy_labels() -> dict[str, dict[str, dict[str, str]]]:
    data = json.loads(TAXONOMY_FILE.read_text(encoding="utf-8"))
    return {vocabulary: {entry["code"]: entry["labels"] for entry in entries}
            for vocabulary, entries in data.items()}


@pytest.fixture
def site(make):
    organisation = make.organisation(name="Bromölla kommun", municipality_code="1272", slug="bromolla")
    intervention = make.intervention(
        organisation,
        title="Språkcafé på biblioteket",
        summary="Samtal på svenska.",
        type_code="sprak",
        target_groups=("nyanlanda", "unga"),
        referrers=("arbetsformedlingen", "egen_anmalan"),
        capacity=CAPACITY,
        places_available=250,
        duration_weeks=3,
        confirmed_on=CONFIRMED_ON,
    )
    return {"organisation": organisation, "intervention": intervention}


PAGES = {
    "start": ("/", 200),
    "list": ("/interventions", 200),
    "search with results": ("/interventions?q=Språkcafé", 200),
    "search without results": (f"/interventions?q={NO_SUCH_WORD}", 200),
    "intervention": ("/interventions/{id}", 200),
    "municipality": ("/municipalities/bromolla", 200),
    "login": ("/login", 200),
    "interest form": ("/interventions/{id}/interest", 200),
    "404": ("/interventions/999999", 404),
}


def get_page(client, site, locale: str, page_type: str) -> tuple[int, Page]:
    path, _status = PAGES[page_type]
    url = prefix(locale) + path.format(id=site["intervention"].id)
    if url == "":
        url = "/"
    refresh()  # the test keeps one app context open; Flask-Babel caches the locale in it
    response = client.get(url)
    return response.status_code, Page(response.get_data(as_text=True))


@pytest.mark.parametrize("locale", LOCALES)
def test_every_public_page_is_in_the_visitors_language(client, site, locale):
    """Status, ``<html lang dir>``, no English leftovers and links that keep the language, for
    every public page type (one test per language: the pages share one set of records)."""
    language = LANGUAGES[locale]
    problems = []
    for page_type, (_path, expected_status) in PAGES.items():
        status, page = get_page(client, site, locale, page_type)
        if status != expected_status:
            problems.append(f"{page_type}: status {status}, expected {expected_status}")
        if page.html_attributes != {"lang": locale, "dir": language.direction}:
            problems.append(f"{page_type}: <html {page.html_attributes}>")
        if locale == "en":
            if "Skip to main content" not in page.text:
                problems.append(f"{page_type}: the English interface is missing")
        else:
            untranslated = [text for text in KEY_ENGLISH if text in page.text]
            if untranslated:
                problems.append(f"{page_type}: English text {untranslated}")
        leaving = [href for href, attributes in page.links if not keeps_language(href, attributes, locale)]
        if leaving:
            problems.append(f"{page_type}: links that leave the language {leaving}")
    assert not problems, f"{locale}:\n" + "\n".join(problems)


def keeps_language(href: str, attributes: dict, locale: str) -> bool:
    if not href.startswith("/") or href.startswith("//") or href.startswith(LANGUAGE_NEUTRAL):
        return True  # external, mailto:, tel:, #fragment, or the same in every language
    if "hreflang" in attributes:
        return True  # the language switcher and the alternates point elsewhere on purpose
    if locale == DEFAULT_LOCALE:
        return not any(href == f"/{code}" or href.startswith(f"/{code}/")
                       for code in LANGUAGES if code != DEFAULT_LOCALE)
    return href.startswith(f"/{locale}/")


@pytest.mark.parametrize("locale", LOCALES)
def test_taxonomy_labels_are_in_the_visitors_language(client, site, locale):
    labels = taxonomy_labels()
    type_label = labels["type"]["sprak"][locale]
    for page_type in ("start", "list", "search with results", "municipality"):
        _status, page = get_page(client, site, locale, page_type)
        assert type_label in page.text, (page_type, type_label)

    _status, page = get_page(client, site, locale, "intervention")
    expected = [type_label, labels["target_group"]["nyanlanda"][locale],
                labels["target_group"]["unga"][locale],
                labels["referrer"]["arbetsformedlingen"][locale]]
    for label in expected:
        assert label in page.text, label
    if locale != "sv":
        assert labels["type"]["sprak"]["sv"] not in page.text


def test_every_term_has_a_label_in_every_language():
    for vocabulary, terms in taxonomy_labels().items():
        for code, labels in terms.items():
            missing = [locale for locale in LOCALES if not labels.get(locale, "").strip()]
            assert not missing, f"{vocabulary}/{code} has no label in {missing}"
            copies = [locale for locale in LOCALES
                      if locale not in ("sv", "en") and labels[locale] == labels["en"]]
            assert not copies, f"{vocabulary}/{code}: English copied into {copies}"


@pytest.mark.parametrize("locale", LOCALES)
def test_dates_and_numbers_follow_the_locale(client, site, locale):
    _status, page = get_page(client, site, locale, "intervention")
    assert format_date(CONFIRMED_ON, "long", locale=locale) in page.text
    assert format_decimal(CAPACITY, locale=locale) in page.text


def test_the_confirmed_date_reads_differently_per_language(client, site):
    assert "5 mars 2026" in get_page(client, site, "sv", "intervention")[1].text
    assert "5 березня 2026" in get_page(client, site, "uk", "intervention")[1].text
    assert "March 5, 2026" in get_page(client, site, "en", "intervention")[1].text
    formats = {locale: format_date(CONFIRMED_ON, "long", locale=locale) for locale in ("sv", "ar", "uk")}
    assert len(set(formats.values())) == 3


@pytest.mark.parametrize(
    "locale, expected",
    [("uk", "3 тижні"), ("ar", "3 أسابيع"), ("so", "3 toddobaad"), ("ti", "3 ሰሙናት"), ("fa", "3 هفته")],
)
def test_plural_forms_follow_the_language(client, site, locale, expected):
    assert expected in get_page(client, site, locale, "intervention")[1].text


@pytest.mark.parametrize(
    "locale, required",
    [("so", "Goobtan waa in la buuxiyaa."), ("ti", "እዚ ቦታ ግድን ክምላእ ኣለዎ።"),
     ("ar", "هذا الحقل مطلوب."), ("uk", "Це поле обов’язкове."), ("en", "This field is required.")],
)
def test_form_validation_messages_are_in_the_visitors_language(client, app, no_csrf, locale, required):
    response = client.post(f"{prefix(locale)}/login", data={"email": "", "password": ""})
    page = Page(response.get_data(as_text=True))
    assert response.status_code in (200, 400)
    assert required in page.text
    if locale != "en":
        assert "This field is required." not in page.text


def test_an_unknown_address_under_a_language_prefix_gets_a_404_in_that_language(client, app):
    response = client.get("/ar/no-such-page", headers={"Accept-Language": "sv"})
    page = Page(response.get_data(as_text=True))
    assert response.status_code == 404
    assert page.html_attributes == {"lang": "ar", "dir": "rtl"}


def test_an_invalid_email_is_explained_in_somali(client, app, no_csrf):
    response = client.post("/so/password/forgot", data={"email": "not-an-address"})
    page = Page(response.get_data(as_text=True))
    assert "Geli cinwaan iimayl oo sax ah." in page.text
    assert "Invalid email address." not in page.text


@pytest.mark.parametrize("locale, expected", [("so", "Qor tiro dhan, lambarro oo keliya."),
                                              ("ti", "ምሉእ ቁጽሪ ብኣሃዛት ጥራይ ጸሓፍ።"),
                                              ("sv", "Ange ett heltal, med bara siffror.")])
def test_values_wtforms_cannot_read_are_explained_in_the_visitors_language(client, make, login, no_csrf,
                                                                          locale, expected):
    from portal.accounts.models import Role

    organisation = make.organisation()
    login(make.user(Role.EDITOR, organisation))
    prefix = "" if locale == "sv" else f"/{locale}"
    response = client.post(f"{prefix}/manage/interventions/new",
                           data={"organisation": organisation.id, "title": "X", "capacity": "many"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert expected in page and "Not a valid integer value." not in page
    assert "Give a whole number, with digits only." not in page  # the English is not shown
