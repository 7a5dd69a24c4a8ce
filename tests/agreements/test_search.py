"""The search filter "open to residents of …": applied by default while a home municipality
is set, removable like any filter, and computed over documents, so that the total and every
facet count equal what a count of eligible interventions in the test gives."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from portal.accounts.models import Role
from portal.agreements.eligibility import HOME_OTHER, search_keys, verdict
from portal.agreements.models import Agreement, AgreementKind
from portal.catalogue import filters
from portal.catalogue.models import Organisation
from portal.catalogue.services import published
from portal.demo import load_demo
from portal.extensions import db
from portal.search.engine import SearchRequest
from portal.search.services import SearchParams, database_search


@pytest.fixture
def demo(app):
    load_demo()
    # An expired bilateral agreement, which must count for nothing.
    osby, horby = (db.session.execute(db.select(Organisation).where(Organisation.municipality_code == code))
                   .scalar_one() for code in ("1273", "1266"))
    db.session.add(Agreement(name="Gammalt avtal", kind=AgreementKind.BILATERAL, members=[osby, horby],
                             valid_from=date(2020, 1, 1), valid_until=date(2021, 1, 1)))
    db.session.commit()
    app.extensions["search"].sync()
    yield db.session.execute(published()).scalars().all()
    app.extensions["search"].index.close()


HOMES = ["1273", "1290", "1266", HOME_OTHER]


@pytest.mark.parametrize("home", HOMES)
def test_totals_and_facet_counts_count_the_eligible(demo, app, home):
    eligible = [item for item in demo if verdict(item, home).open]
    assert 0 < len(eligible) < len(demo) or home == "1290"
    results = app.extensions["search"].search(SearchParams(home=home, per_page=100))
    assert results.from_index
    assert results.total == len(eligible)
    assert {item.id for item in results.interventions} == {item.id for item in eligible}
    expected_types = Counter(item.type.code for item in eligible)
    assert dict(results.facets["type"]) == dict(expected_types)
    expected_municipalities = Counter(item.organisation.municipality_code for item in eligible)
    assert dict(results.facets["municipality"]) == dict(expected_municipalities)
    # One meaning: the engine, Python (the fallback) and SQL select the same.
    chosen = {"eligible": search_keys(home)}
    by_sql = {item.id for item in db.session.execute(filters.apply(published(), chosen)).scalars()}
    by_python = {item.id for item in demo if filters.matches(filters.facet_values(item), chosen)}
    fallback = database_search(SearchRequest(text="", filters=chosen, per_page=100))
    assert by_sql == by_python == {item.id for item in eligible} == {item.id for item in fallback.interventions}
    # With a facet chosen, the others still count only the eligible.
    narrowed = app.extensions["search"].search(SearchParams(home=home, per_page=100,
                                                            filters={"type": ["arbetstraning"]}))
    assert narrowed.total == expected_types["arbetstraning"]
    assert dict(narrowed.facets["municipality"]) == dict(Counter(
        item.organisation.municipality_code for item in eligible if item.type.code == "arbetstraning"))


def test_the_page_applies_it_by_default_and_removes_it_like_a_filter(client, login, make, demo, no_csrf):
    osby = db.session.execute(db.select(Organisation).where(Organisation.municipality_code == "1273")).scalar_one()
    login(make.user(Role.CASEWORKER, osby))
    eligible = sum(1 for item in demo if verdict(item, "1273").open)
    page = client.get("/interventions").get_data(as_text=True)  # the default home: Osby, the officer's own
    assert f"{eligible} insatser" in page or f"{eligible} interventions" in page
    assert "eligible=any" in page  # the tag that removes it
    everything = client.get("/interventions?eligible=any").get_data(as_text=True)
    assert f"{len(demo)} insatser" in everything or f"{len(demo)} interventions" in everything
    assert 'name="eligible" value="any"' in everything  # kept when the form is sent again
    # Another home in one step; the API says the same.
    client.post("/participant/home", data={"home": "1266", "next": "/interventions?eligible=any&page=2"})
    horby = sum(1 for item in demo if verdict(item, "1266").open)
    assert client.get("/api/v1/search?home=1266&per_page=100").get_json()["total"] == horby
    assert client.get("/api/v1/search?home=1266&eligible=any").get_json()["total"] == len(demo)
    page = client.get("/interventions").get_data(as_text=True)
    assert f"{horby} insatser" in page or f"{horby} interventions" in page
    client.post("/participant/home", data={"home": "", "next": "/interventions"})
    page = client.get("/interventions").get_data(as_text=True)
    assert f"{len(demo)} insatser" in page or f"{len(demo)} interventions" in page
    assert client.post("/participant/home", data={"home": "0000"}).status_code == 302  # refused, not a 500
