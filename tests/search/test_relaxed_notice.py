"""The search page and the search service say when a multiword query had to ask for fewer of its words."""

from __future__ import annotations

import pytest

from portal.search.services import SearchParams, service

NOTICE_SV = "Ingen insats matchar alla ord du sökte på."


@pytest.fixture
def two_gardens(make, monkeypatch):
    monkeypatch.setattr("portal.search.engine.query.ENOUGH_RESULTS", 1)
    make.intervention(title="Skogslaget", summary="Röjning och vedhantering i skogen.")
    make.intervention(title="Trädgårdsgruppen", summary="Odling i växthus och trädgård.")


def test_a_relaxed_query_says_so_on_the_page(client, two_gardens):
    page = client.get("/interventions", query_string={"q": "skog växthus"}).get_data(as_text=True)
    assert NOTICE_SV in page
    assert "Skogslaget" in page and "Trädgårdsgruppen" in page


def test_a_query_matched_in_full_has_no_notice(client, two_gardens):
    page = client.get("/interventions", query_string={"q": "skog vedhantering"}).get_data(as_text=True)
    assert NOTICE_SV not in page
    assert "Skogslaget" in page and "Trädgårdsgruppen" not in page


def test_the_search_service_reports_the_relaxation(app, two_gardens):
    assert service().search(SearchParams(text="skog växthus")).relaxed
    assert not service().search(SearchParams(text="skog")).relaxed
