"""axe-core finds no WCAG 2.0/2.1 A or AA violation on any page type, in sv, en and ar."""

from __future__ import annotations

import pytest

from tests.browser.helpers import axe_violations, describe, log_in

LANGUAGES = ["", "/en", "/ar"]  # Swedish is the unprefixed URL

PUBLIC_PAGES = {
    "start": "/",
    "search with results": "/interventions?q=arbetsträning",
    "search without results": "/interventions?q=qwxzyvbn",
    "intervention": "/interventions/1",
    "municipality": "/municipalities/hassleholm",
    "login": "/login",
    "not found": "/interventions/999999",
}

EDITOR_PAGES = {
    "editor list": "/manage/interventions",
    "editor form": "/manage/interventions/1/edit",
    "landing page": "/work",
}


def localized(prefix: str, path: str) -> str:
    return (prefix + path) if path != "/" else (prefix + "/" if prefix else "/")


@pytest.mark.parametrize("prefix", LANGUAGES, ids=["sv", "en", "ar"])
@pytest.mark.parametrize("name", list(PUBLIC_PAGES))
def test_public_pages_have_no_violations(page, prefix, name):
    page.goto(localized(prefix, PUBLIC_PAGES[name]))
    violations = axe_violations(page)
    assert not violations, describe(violations)


@pytest.mark.parametrize("prefix", LANGUAGES, ids=["sv", "en", "ar"])
@pytest.mark.parametrize("name", list(EDITOR_PAGES))
def test_editor_pages_have_no_violations(page, prefix, name):
    log_in(page, "redaktor@hassleholm.example.se")
    page.goto(localized(prefix, EDITOR_PAGES[name]))
    violations = axe_violations(page)
    assert not violations, describe(violations)


@pytest.mark.parametrize("prefix", LANGUAGES, ids=["sv", "en", "ar"])
def test_editor_form_with_validation_errors_has_no_violations(page, prefix):
    log_in(page, "redaktor@hassleholm.example.se")
    page.goto(localized(prefix, "/manage/interventions/new"))
    page.fill("#title", "")
    page.fill("#capacity", "2")
    page.fill("#places_available", "5")
    page.click("form.edit-form button[type=submit]")
    page.wait_for_selector("#error-summary")
    violations = axe_violations(page)
    assert not violations, describe(violations)
