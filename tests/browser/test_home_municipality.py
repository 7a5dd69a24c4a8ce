"""The Osby officer's story in a real browser: state where the participant lives, search, see
the verdicts, open an intervention that costs a price, request it; the owner sees the price
and the agreement in the inbox. axe finds nothing on the new parts in sv, en and ar.

The demo has no Osby account: the browser tests' portal gets one (`OSBY_OFFICER`)."""

from __future__ import annotations

import pytest

from tests.browser.helpers import OSBY_OFFICER as OFFICER
from tests.browser.helpers import OSBY_PASSWORD as PASSWORD
from tests.browser.helpers import axe_violations, describe, log_in

OWNER = "redaktor@kristianstad.example.se"


def no_violations(page, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{where}: " + describe(violations)


@pytest.mark.parametrize("prefix", ["", "/en", "/ar"], ids=["sv", "en", "ar"])
def test_the_osby_officers_story(browser, live_server, prefix):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    officer = context.new_page()
    log_in(officer, OFFICER, PASSWORD)
    # Where the participant lives: Osby by default, changed in one step (to Hörby and back).
    officer.goto(f"{prefix}/interventions")
    assert officer.locator("#participant-home").input_value() == "1273"
    no_violations(officer, "search with a home municipality")
    officer.select_option("#participant-home", "1266")
    officer.click(".participant-home button[type=submit]")
    officer.wait_for_load_state()
    assert officer.locator("#participant-home").input_value() == "1266"
    officer.select_option("#participant-home", "1273")
    officer.click(".participant-home button[type=submit]")
    officer.wait_for_load_state()
    # Every card says whether it is open to the participant; the filter tag can be removed.
    cards = officer.locator("article.card")
    assert cards.count() > 0 and officer.locator("article.card .verdict").count() == cards.count()
    filtered = officer.locator(".results-count").inner_text()
    officer.locator("a.filter-tag[href*='eligible=any']").click()
    officer.wait_for_load_state()
    assert officer.locator(".results-count").inner_text() != filtered
    no_violations(officer, "search with the filter removed")
    officer.goto(f"{prefix}/interventions?q=Feriepraktik&eligible=any")
    closed = officer.locator("article.card .verdict-closed").first.inner_text()
    assert "Kristianstad" in closed  # "Only for residents of Kristianstad."
    no_violations(officer, "a closed verdict")
    # Snickeriet in Kristianstad costs Osby 1 200 kr a week under the agreement.
    officer.goto(f"{prefix}/interventions?q=Snickeriet")
    officer.locator("article.card a", has_text="Snickeriet").first.click()
    officer.wait_for_load_state()
    verdict = officer.locator(".intervention-header .verdict").inner_text()
    assert "Skåne Nordost" in verdict and ("1 200" in verdict.replace("\u00a0", " ").replace("\u202f", " ")
                                           or "1,200" in verdict or "1٬200" in verdict or "١٬٢٠٠" in verdict)
    if prefix == "/en":
        assert "Open to residents of Osby at 1,200 kr per week under the Skåne Nordost agreement, paid by Osby." \
            in verdict
    no_violations(officer, "intervention page with its verdict")
    officer.locator("main a.button[href*='/request']").click()
    officer.wait_for_load_state()
    assert "Skåne Nordost" in officer.locator("main .verdict").inner_text()
    no_violations(officer, "booking form with its verdict")
    officer.fill("#participant_reference", f"Osby {prefix or 'sv'}")
    officer.click("main form.edit-form button[type=submit]")
    officer.wait_for_load_state()
    assert "/booking/requests/" in officer.url
    # The owner sees the price and the agreement on the request in the inbox.
    owner_context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 800})
    owner_context.set_default_timeout(10_000)
    owner = owner_context.new_page()
    log_in(owner, OWNER)
    owner.goto(f"{prefix}/booking/inbox")
    row = owner.locator("tr", has_text="Snickeriet").first
    assert "Skåne Nordost" in row.inner_text()
    no_violations(owner, "inbox with price and agreement")
    context.close()
    owner_context.close()
