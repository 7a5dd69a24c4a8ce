"""One meaning per filter: SQL (the API's list), Python (the search's database fallback) and the
search engine select the same interventions for the same filters, on the demo region."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from portal.catalogue import filters
from portal.catalogue.services import published
from portal.demo import load_demo
from portal.extensions import db
from portal.search.engine import SearchRequest

CHOICES = [
    {"municipality": ["1273"]},
    {"municipality": ["1273", "1290"], "places": ["available"]},
    {"type": ["arbetstraning", "praktik"]},
    {"target_group": ["nyanlanda"], "language": ["ar"]},
    {"referrer": ["socialtjansten"]},
    {"intake": ["cohorts"]},
    {"places": ["full"]},
    {"places": ["available", "full"]},
    {"available_in": ["en"]},
    {"available_in": ["ar"], "municipality": ["1290"]},
    {"available_in": ["sv"]},
]


@pytest.fixture
def demo(app):
    load_demo()
    app.extensions["search"].sync()
    yield db.session.execute(published()).scalars().all()
    app.extensions["search"].index.close()


def test_sql_python_and_engine_select_the_same(demo, app):
    for chosen in CHOICES:
        by_python = {item.id for item in demo if filters.matches(filters.facet_values(item), chosen)}
        by_sql = {item.id for item in db.session.execute(filters.apply(published(), chosen)).scalars()}
        response = app.extensions["search"].index.search(SearchRequest(text="", filters=chosen, per_page=100))
        by_engine = {hit.id for hit in response.hits}
        assert by_python == by_sql == by_engine, chosen
        assert response.total == len(by_python), chosen
        everything = chosen in ({"places": ["available", "full"]}, {"available_in": ["sv"]})
        assert 0 < len(by_python) < len(demo) or everything, chosen

    asked = filters.parse_filters(MultiDict([("municipality", "0000"), ("type", "nonsense"),
                                             ("places", "maybe"), ("language", "a1"), ("type", "praktik")]))
    assert filters.known_filters(asked) == {"type": ["praktik"]}  # a mistyped link widens


def test_the_list_and_the_search_read_a_link_alike():
    args = MultiDict([("places", "1"), ("places", "true"), ("type", "x" * 100), ("municipality", ""),
                      ("intake", "cohorts"), ("language", "ar"), ("language", "ar")])
    assert filters.parse_filters(args) == {"places": ["available"], "intake": ["cohorts"], "language": ["ar"]}


def test_the_api_list_takes_every_filter_of_the_search(client, demo):
    for chosen in CHOICES:
        query = [(name, value) for name, values in chosen.items() for value in values] + [("per_page", 100)]
        listed = client.get("/api/v1/interventions", query_string=query).get_json()
        searched = client.get("/api/v1/search", query_string=query).get_json()
        assert listed["total"] == searched["total"], chosen
        assert {item["id"] for item in listed["results"]} == {item["id"] for item in searched["results"]}
