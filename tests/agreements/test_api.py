"""The API with home=: a verdict on every result, the price only for those who see prices,
and a problem document (never a 500) for a home or eligible it does not know."""

from __future__ import annotations

import pytest

from portal.accounts.models import Role
from portal.catalogue.models import OpenTo
from tests.agreements.test_verdict import build_world


@pytest.mark.parametrize("path", ["/api/v1/search", "/api/v1/interventions", "/api/v1/interventions/1"])
@pytest.mark.parametrize("home", ["12", "9999", "abcd", "<script>", "1273" * 40, "%00"])
def test_an_unknown_home_is_a_400_problem(client, make, path, home):
    build_world(make, "regional")
    response = client.get(path, query_string={"home": home})
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "home" in response.get_json()["detail"]


def test_eligible_is_any_or_nothing(client, make):
    build_world(make, "regional")
    assert client.get("/api/v1/search?home=1273&eligible=all").status_code == 400
    assert client.get("/api/v1/search?home=1273&eligible=any").status_code == 200


def test_every_result_carries_its_verdict(client, login, make, no_csrf):
    world = build_world(make, "bilateral")
    item = world["items"][OpenTo.AGREEMENT]
    anonymous = client.get(f"/api/v1/interventions/{item.id}?home=1273&lang=en").get_json()["verdict"]
    assert anonymous == {"open": True, "price_per_week_sek": None, "agreement": "Osby–Kristianstad",
                         "reason": "Open to residents of Osby under the Osby–Kristianstad agreement."}
    assert "verdict" not in client.get(f"/api/v1/interventions/{item.id}").get_json()
    login(make.user(Role.CASEWORKER, world["osby"]))
    listed = client.get("/api/v1/interventions?home=1266&per_page=50").get_json()["results"]
    assert {result["title"]: result["verdict"]["open"] for result in listed} == {
        "Insats own": False, "Insats agreement": False, "Insats region": True, "Insats anyone": True}
    found = client.get("/api/v1/search?home=1273&eligible=any&lang=en").get_json()["results"]
    assert len(found) == 4 and all("verdict" in result for result in found)
    priced = next(result for result in found if result["title"] == "Insats agreement")["verdict"]
    assert priced["price_per_week_sek"] == 1200 and "1,200 kr per week" in priced["reason"]
