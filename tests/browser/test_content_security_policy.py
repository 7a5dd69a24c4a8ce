"""The Content-Security-Policy holds in a real browser, and every page still works under it.

Every browser test fails on a violation the browser reports (``context_factory`` in
``conftest.py``); these tests show the policy is in force and the recorder hears it.
"""

from __future__ import annotations

from tests.browser.helpers import log_in

PAGES = ["/", "/interventions", "/en/interventions?q=praktik", "/ar/", "/login"]


def test_an_injected_inline_script_is_blocked_and_reported(page, csp_violations):
    page.goto("/")
    page.evaluate("""() => {
        const script = document.createElement('script');
        script.textContent = 'window.injected = true';
        document.body.appendChild(script);
    }""")
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.injected === undefined")
    assert csp_violations, "the browser reported no violation"
    csp_violations.clear()  # seen on purpose


def test_public_and_staff_pages_work_under_the_policy(page, live_server):
    for path in PAGES:
        response = page.goto(path)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-frame-options"] == "DENY"
    log_in(page, "redaktor@kristianstad.example.se")
    for path in ("/manage/interventions", "/booking/inbox"):
        page.goto(path)
        assert page.locator("main").is_visible()
