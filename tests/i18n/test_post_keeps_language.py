"""A form sent from an English page lands on an English page (and a Swedish one on a Swedish page)."""

from __future__ import annotations

import io
import json

import pytest

from portal.accounts.models import Role
from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def _csrf_off(no_csrf):
    pass


@pytest.fixture
def owner(make):
    return make.organisation(name="Osby kommun", municipality_code="1273", slug="osby")


@pytest.fixture
def editor(make, owner, client):
    user = make.user(Role.ORG_ADMIN, owner)
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return user


def upload_job(client) -> int:
    record = {"id": "P1", "municipality_code": "1273", "title": "Praktik", "summary": "Praktik.",
              "type": "praktik", "capacity": 2, "places_available": 1}
    response = client.post("/en/manage/import", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(json.dumps([record]).encode()), "offer.json")})
    return int(response.location.rsplit("/", 1)[1])


POSTS = {
    "import confirm": lambda c, item, user, other: (f"/en/manage/import/{upload_job(c)}/confirm", {}),
    "import cancel": lambda c, item, user, other: (f"/en/manage/import/{upload_job(c)}/cancel", {}),
    "status": lambda c, item, user, other: (f"/en/manage/interventions/{item.id}/status", {"action": "pause"}),
    "places": lambda c, item, user, other: (f"/en/manage/interventions/{item.id}/places",
                                            {f"places-{item.id}-places_available": "2"}),
    "duplicate": lambda c, item, user, other: (f"/en/manage/interventions/{item.id}/duplicate", {}),
    "still correct": lambda c, item, user, other: (f"/en/manage/interventions/{item.id}/confirm", {}),
    "role": lambda c, item, user, other: (f"/en/manage/users/{other.id}/role", {f"user-{other.id}-role": "editor"}),
    "account active": lambda c, item, user, other: (f"/en/manage/users/{other.id}/active", {"active": "0"}),
    "end sessions": lambda c, item, user, other: (f"/en/manage/users/{other.id}/sessions", {}),
    "logout": lambda c, item, user, other: ("/en/logout", {}),
}


@pytest.mark.parametrize("name", list(POSTS))
def test_a_post_from_an_english_page_lands_on_an_english_page(client, make, owner, editor, name):
    item = make.intervention(owner)
    other = make.user(Role.CASEWORKER, owner)
    path, data = POSTS[name](client, item, editor, other)
    response = client.post(path, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    assert response.location.startswith("/en/"), response.location
    landing = client.get(response.location).get_data(as_text=True)
    assert '<html lang="en"' in landing


def test_the_same_post_from_a_swedish_page_stays_swedish(client, make, owner, editor):
    item = make.intervention(owner)
    response = client.post(f"/manage/interventions/{item.id}/status", data={"action": "pause"})
    assert response.status_code == 302 and not response.location.startswith("/en/")
