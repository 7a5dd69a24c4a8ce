"""Share with the participant: a handout in their language with a QR code of a short link."""

from __future__ import annotations

import re

from portal.accounts.models import Role


def text(response) -> str:
    return response.get_data(as_text=True)


def test_an_officer_makes_a_handout_in_arabic(client, make, login, no_csrf):
    organisation = make.organisation(name="Osby kommun", municipality_code="1273")
    item = make.intervention(organisation, title="Praktik i butik", summary="Du lär dig butiksarbete.",
                             contact_name="Sara Nilsson", contact_phone="0479-52 80 00",
                             translations={"ar": {"title": "تدريب في متجر", "summary": "", "description": ""}})
    login(make.user(Role.CASEWORKER, organisation))
    page = text(client.get(f"/en/interventions/{item.id}"))
    assert "Share with the participant" in page
    response = client.get(f"/interventions/{item.id}/handout-in", query_string={"language": "ar"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/ar/interventions/{item.id}/handout")

    handout = text(client.get(f"/ar/interventions/{item.id}/handout"))
    assert 'lang="ar"' in handout and 'dir="rtl"' in handout
    assert "تدريب في متجر" in handout  # the translated title
    assert re.search(r'<p lang="sv" dir="ltr">Du lär dig butiksarbete.</p>', handout)  # Swedish, marked
    assert "Sara Nilsson" in handout and "0479-52 80 00" in handout
    assert '<svg' in handout and 'class="qr-code"' in handout
    assert f"http://localhost/ar/i/{item.id}" in handout

    short = client.get(f"/ar/i/{item.id}")
    assert short.status_code == 302 and short.headers["Location"].endswith(f"/ar/interventions/{item.id}")


def test_visitors_see_no_share_form_and_unknown_ones_are_404(client, make):
    item = make.intervention(title="Praktik i butik")
    assert "Share with the participant" not in text(client.get(f"/en/interventions/{item.id}"))
    assert client.get("/en/interventions/999999/handout").status_code == 404
    odd = client.get(f"/interventions/{item.id}/handout-in", query_string={"language": "xx<script>"})
    assert odd.status_code == 302 and odd.headers["Location"].endswith(f"/interventions/{item.id}/handout")
