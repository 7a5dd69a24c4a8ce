"""Helpers of the browser tests: logging in as a demo account, and axe-core's verdict."""

from __future__ import annotations

DEMO_PASSWORD = "demo-insatsportalen"


# The demo has no account in Osby; the browser tests' portal adds this one (see conftest).
OSBY_OFFICER = "handlaggare@osby.example.se"
OSBY_PASSWORD = "osby-handlaggare-demo"


def log_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[dict]:
    """Violations of the WCAG 2.0/2.1 A and AA rules on the current page (packaged axe-core)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return results.response["violations"]


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] if isinstance(node["target"][0], str) else str(node["target"])
                    for node in v["nodes"][:5])
        for v in violations
    )
