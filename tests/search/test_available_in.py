"""The "available in my language" filter: delivered in the language or translated to it.

It is a filter, not a facet: it narrows the result and every facet's counts alike, in the
index and in the database fallback.
"""

from __future__ import annotations

from collections import Counter

from portal.catalogue.models import Intervention, InterventionStatus
from portal.extensions import db
from portal.search.engine import SearchIndex, SearchRequest
from portal.search.services import database_search

from .conftest import TODAY, make_doc


def docs() -> list[dict]:
    return [
        make_doc(1, "Arbetsträning", "Träning i butik"),
        make_doc(2, "Praktik på lager", "Lagerarbete", languages=["sv", "ar"]),
        make_doc(3, "Svenska för yrket", "Språkstöd",
                 translations={"ar": {"title": "السويدية للعمل", "summary": "", "description": ""}}),
        make_doc(4, "Jobbcoach", "Stöd att söka jobb", type="praktik",
                 translations={"en": {"title": "Job coach", "summary": "Help", "description": ""}}),
    ]


def test_the_filter_keeps_what_is_delivered_in_or_translated_to_the_language(tmp_path):
    index = SearchIndex(tmp_path / "index", today=lambda: TODAY)
    index.rebuild(docs(), mark=1)
    arabic = index.search(SearchRequest(filters={"available_in": ["ar"]}, per_page=100))
    assert {hit.id for hit in arabic.hits} == {2, 3}
    assert arabic.total == 2
    swedish = index.search(SearchRequest(filters={"available_in": ["sv"]}, per_page=100))
    assert swedish.total == 4


def test_facet_counts_follow_the_filter(tmp_path):
    index = SearchIndex(tmp_path / "index", today=lambda: TODAY)
    index.rebuild(docs(), mark=1)
    response = index.search(SearchRequest(filters={"available_in": ["en"]}, per_page=100))
    assert [hit.id for hit in response.hits] == [4]
    assert dict(response.facets["type"]) == {"praktik": 1}
    assert "available_in" not in response.facets


def api_search(client, **params) -> dict:
    response = client.get("/api/v1/search", query_string={"per_page": 100, **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def readable_in(item: Intervention, locale: str) -> bool:
    return locale in item.language_codes or any(
        t.locale == locale and (t.title or t.summary or t.description) for t in item.translations)


def test_totals_and_facets_equal_the_list_on_the_database(client, runner, app):
    runner.invoke(args=["portal", "demo"])
    published = db.session.execute(
        db.select(Intervention).where(Intervention.status == InterventionStatus.PUBLISHED)).scalars().all()
    for locale in ("ar", "en", "uk"):
        expected = [item for item in published if readable_in(item, locale)]
        data = api_search(client, available_in=locale)
        assert data["total"] == len(expected) == len(data["results"]), locale
        assert {r["id"] for r in data["results"]} == {item.id for item in expected}
        types = Counter(item.type.code for item in expected)
        assert {f["value"]: f["count"] for f in data["facets"]["type"]} == dict(types)


def test_the_database_fallback_applies_the_same_filter(client, runner, app):
    runner.invoke(args=["portal", "demo"])
    indexed = api_search(client, available_in="ar")
    fallback = database_search(SearchRequest(filters={"available_in": ["ar"]}, per_page=100))
    assert fallback.total == indexed["total"] == len(fallback.interventions)
    assert dict(fallback.facets["type"]) == {f["value"]: f["count"] for f in indexed["facets"]["type"]}


def test_a_bad_language_value_widens_instead_of_failing(client, runner, app):
    runner.invoke(args=["portal", "demo"])
    everything = api_search(client)["total"]
    assert api_search(client, available_in="<script>")["total"] == everything
