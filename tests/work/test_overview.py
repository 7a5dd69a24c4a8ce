"""The landing page after login: the counts of what waits for this person."""

from __future__ import annotations

from portal.accounts.models import Role
from portal.catalogue.models import InterventionStatus
from tests.booking.helpers import new_request


def text(response) -> str:
    return response.get_data(as_text=True)


def count(page: str, name: str) -> int:
    import re

    return int(re.search(rf'data-count="{name}">(\d+)<', page).group(1))


def test_an_editor_lands_on_their_work(region, client_for, make):
    new_request(region)
    new_request(region)
    new_request(region, status="accepted")
    make.intervention(region.hassleholm, title="Ett utkast", status=InterventionStatus.DRAFT)
    editor = client_for(region.hassleholm_editor)
    page = text(editor.get("/en/work"))
    assert count(page, "new") == 2
    assert "1 request in progress" in page
    assert count(page, "drafts") == 1 and "Ett utkast" in page
    assert "Latest changes" in page


def test_a_case_officer_sees_what_they_sent(region, client_for):
    new_request(region)
    officer = client_for(region.caseworker)
    page = text(officer.get("/en/work"))
    assert count(page, "sent-open") == 1
    assert 'data-count="new"' not in page and 'data-count="drafts"' not in page


def test_login_lands_there_and_visitors_are_sent_to_log_in(client, make, no_csrf):
    from tests.factories import PASSWORD

    user = make.user(Role.CASEWORKER, make.organisation())
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response.location == "/work"
    client.post("/logout")
    assert client.get("/work").status_code == 302
