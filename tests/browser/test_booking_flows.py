"""Booking in a real browser: accessible pages, keyboard only, and without JavaScript.

A case officer in Kristianstad asks for a place on an intervention run by Hässleholm; an
editor in Hässleholm answers it. The pages are in English here so the steps read clearly.
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.browser.helpers import axe_violations, describe, log_in
from tests.browser.test_layout import focused, tab_to

CASEWORKER = "handlaggare@kristianstad.example.se"
EDITOR = "redaktor@hassleholm.example.se"


@pytest.fixture(scope="module")
def hassleholm_intervention(live_server) -> int:
    """A published Hässleholm intervention with places available."""
    url = f"{live_server}/api/v1/search?municipality=1293&places=available&per_page=1"
    with urllib.request.urlopen(url) as response:
        return json.load(response)["results"][0]["id"]


def send_request(page, intervention_id: int, reference: str) -> str:
    log_in(page, CASEWORKER)
    page.goto(f"/en/interventions/{intervention_id}/request")
    page.fill("#participant_reference", reference)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    return page.url


@pytest.mark.parametrize("prefix", ["", "/en", "/ar"], ids=["sv", "en", "ar"])
def test_booking_pages_have_no_violations(context_factory, hassleholm_intervention, prefix):
    caseworker = context_factory(viewport={"width": 1280, "height": 800}).new_page()
    log_in(caseworker, CASEWORKER)
    caseworker.goto(f"{prefix}/interventions/{hassleholm_intervention}/request")
    violations = axe_violations(caseworker)
    assert not violations, "booking form: " + describe(violations)
    caseworker.fill("#participant_reference", f"A11y {prefix or 'sv'}")
    caseworker.click("main form button[type=submit]")
    caseworker.wait_for_load_state()

    editor = context_factory(viewport={"width": 1280, "height": 800}).new_page()
    log_in(editor, EDITOR)
    editor.goto(f"{prefix}/booking/inbox")
    violations = axe_violations(editor)
    assert not violations, "inbox: " + describe(violations)
    editor.locator("main a[href*='/booking/requests/']").first.click()
    editor.wait_for_load_state()
    violations = axe_violations(editor)
    assert not violations, "request page: " + describe(violations)


def press_button(page, label: str) -> None:
    """Tab to the button with this text and press it with the space bar."""
    tab_to(page, lambda el: el["tag"] == "BUTTON" and el["text"] == label)
    with page.expect_navigation():
        page.keyboard.press("Space")


def test_keyboard_only_request_and_acceptance(context_factory, hassleholm_intervention):
    caseworker = context_factory(viewport={"width": 1280, "height": 800}).new_page()
    caseworker.goto("/en/login")
    tab_to(caseworker, lambda el: el["id"] == "email")
    caseworker.keyboard.type(CASEWORKER)
    caseworker.keyboard.press("Tab")
    caseworker.keyboard.type("demo-insatsportalen")
    with caseworker.expect_navigation():
        caseworker.keyboard.press("Enter")

    caseworker.goto(f"/en/interventions/{hassleholm_intervention}")
    tab_to(caseworker, lambda el: el["text"] == "Request a place")
    with caseworker.expect_navigation():
        caseworker.keyboard.press("Enter")
    tab_to(caseworker, lambda el: el["id"] == "participant_reference")
    caseworker.keyboard.type("Keyboard 42")
    press_button(caseworker, "Send the request")
    body = caseworker.locator("main").inner_text()
    assert "BR-" in body

    editor = context_factory(viewport={"width": 1280, "height": 800}).new_page()
    editor.goto("/en/login")
    tab_to(editor, lambda el: el["id"] == "email")
    editor.keyboard.type(EDITOR)
    editor.keyboard.press("Tab")
    editor.keyboard.type("demo-insatsportalen")
    with editor.expect_navigation():
        editor.keyboard.press("Enter")
    editor.goto("/en/booking/inbox")
    tab_to(editor, lambda el: "/booking/requests/" in (el["href"] or "") and "Keyboard 42" in el["text"]
           or ("/booking/requests/" in (el["href"] or "")))
    with editor.expect_navigation():
        editor.keyboard.press("Enter")
    press_button(editor, "Mark as received")
    press_button(editor, "Accept")
    assert "Accepted" in editor.locator("main").inner_text()
    assert focused(editor)["tag"] in ("BODY", "MAIN", "DIV", "P", "H1", "A", "BUTTON")


def test_booking_and_inbox_work_without_javascript(context_factory, hassleholm_intervention):
    caseworker = context_factory(java_script_enabled=False).new_page()
    send_request(caseworker, hassleholm_intervention, "No script 7")
    assert "BR-" in caseworker.locator("main").inner_text()

    editor = context_factory(java_script_enabled=False).new_page()
    log_in(editor, EDITOR)
    editor.goto("/en/booking/inbox")
    assert editor.locator("main a[href*='/booking/requests/']").count() > 0
    editor.locator("main a[href*='/booking/requests/']").first.click()
    editor.wait_for_load_state()
    editor.get_by_role("button", name="Mark as received").click()
    editor.wait_for_load_state()
    assert "Received" in editor.locator("main").inner_text()
