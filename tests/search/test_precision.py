"""Precision: a result is something the query is about. Compound heads count, modifiers and
generic words alone do not; multiword queries require their content words and say when they
had to ask for fewer; target groups are found by name; languages without a stemmer match
longer word forms; facet counts stay the length of the list they lead to."""

from __future__ import annotations

import pytest

from portal.search.engine import FACETS, SearchIndex, SearchRequest, SearchResponse

from .conftest import TODAY, make_doc


def search(index: SearchIndex, text: str = "", **options) -> SearchResponse:
    return index.search(SearchRequest(text=text, per_page=100, **options))


def ids(response: SearchResponse) -> list[int]:
    return [hit.id for hit in response.hits]


@pytest.fixture
def strict(monkeypatch) -> None:
    """Relax only when nothing at all is found (a real catalogue has more to choose from)."""
    monkeypatch.setattr("portal.search.engine.query.ENOUGH_RESULTS", 1)


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> SearchIndex:
    docs = [
        make_doc(1, "Arbete i butik", "Arbete med kassa och kundservice i en butik.", type="praktik"),
        make_doc(2, "Kurs i datorkunskap", "Arbetsmarknadsavdelningen ordnar kursen i datorkunskap.",
                 type="utbildning"),
        make_doc(3, "Cykelverkstaden", "Reparation av cyklar i verkstad.", type="ovrigt"),
        make_doc(4, "Skogslaget", "Arbetsträning utomhus i skog och natur."),
        make_doc(5, "Trädgårdsgruppen", "Arbetsträning i trädgård och växthus."),
        make_doc(6, "Fastighetsservice", "Arbetsträning med fastighetsskötsel."),
        make_doc(7, "Steget in", "Coachning för unga med adhd eller autism.", type="coachning",
                 target_groups=["unga", "funktionsnedsattning"]),
        make_doc(8, "Ungdomsslussen", "Coachning till studier.", type="coachning", target_groups=["unga"]),
        make_doc(9, "Supported employment", "En arbetsspecialist hjälper dig.", type="coachning",
                 target_groups=["funktionsnedsattning"]),
        make_doc(10, "Språkcafé", "Samtal på svenska.", type="sprak", target_groups=["nyanlanda"],
                 translations={"so": {"title": "Kafeega luqadda", "summary": "Ku hadal luqadda iswiidhishka."}}),
    ]
    index = SearchIndex(tmp_path_factory.mktemp("precision") / "index", today=lambda: TODAY)
    index.rebuild(docs)
    yield index
    index.close()


def test_a_match_only_on_a_compounds_modifier_is_not_a_result(index: SearchIndex) -> None:
    # "arbets-" only modifies "arbetsmarknadsavdelningen": document 2 is not about arbete.
    assert 2 not in ids(search(index, "arbete"))
    assert 1 in ids(search(index, "arbete"))


def test_a_match_on_a_compounds_head_is_a_result(index: SearchIndex) -> None:
    assert ids(search(index, "verkstad")) == [3]


def test_a_generic_word_alone_does_not_make_a_result_of_a_multiword_query(index: SearchIndex) -> None:
    # "hjälper" is generic: document 9 is found for its target group, not for the help it offers.
    response = search(index, "hjälp för unga")
    assert set(ids(response)) == {7, 8}


def test_a_multiword_query_requires_its_content_words(index: SearchIndex, strict) -> None:
    response = search(index, "arbetsträning i skog")
    assert ids(response) == [4]
    assert not response.relaxed


def test_words_joined_by_or_are_one_requirement(index: SearchIndex, strict) -> None:
    response = search(index, "arbetsträning i skog eller trädgård")
    assert set(ids(response)) == {4, 5}
    assert not response.relaxed


def test_a_multiword_query_that_finds_too_little_relaxes_and_says_so(index: SearchIndex, strict) -> None:
    # No document has all four; each of 4, 5 and 6 has arbetsträning and one more.
    response = search(index, "arbetsträning utomhus i trädgård med fastighetsskötsel")
    assert response.relaxed
    assert set(ids(response)) == {4, 5, 6}


def test_a_query_that_finds_enough_does_not_relax(index: SearchIndex) -> None:
    assert not search(index, "arbetsträning").relaxed


@pytest.mark.parametrize("text", [
    "unga med funktionsnedsättning",  # the label, without its generic "Personer med"
    "ungdomar med npf",  # synonyms of both target groups
    "young people with disabilities",  # the English synonyms
])
def test_target_group_queries_find_the_interventions_for_the_groups(index: SearchIndex, text: str) -> None:
    response = search(index, text)
    assert ids(response)[0] == 7, ids(response)
    assert 7 in ids(response)


def test_target_group_labels_in_any_language_find_the_group(tmp_path) -> None:
    labels = {"nyanlanda": {"sv": "Nyanlända", "uk": "Новоприбулі"}}
    index = SearchIndex(tmp_path / "index", today=lambda: TODAY, target_group_labels=lambda: labels)
    index.rebuild([
        make_doc(1, "Språkcafé", "Samtal på svenska.", type="sprak", target_groups=["nyanlanda"]),
        make_doc(2, "Cykelverkstaden", "Reparation av cyklar."),
    ])
    try:
        assert ids(search(index, "Новоприбулі", locale="uk")) == [1]
    finally:
        index.close()


def test_a_somali_query_matches_longer_word_forms(index: SearchIndex) -> None:
    response = search(index, "luqad", locale="so")
    assert ids(response) == [10]
    assert "<mark>luqadda</mark>" in response.hits[0].snippet


@pytest.mark.parametrize("text", ["", "arbetsträning", "arbete", "coachning för unga",
                                  "arbetsträning utomhus i trädgård med fastighetsskötsel"])
def test_facet_counts_equal_the_result_length_for_each_value(index: SearchIndex, text: str) -> None:
    facets = search(index, text).facets
    for name in FACETS:
        for value, count in facets[name]:
            assert search(index, text, filters={name: [value]}).total == count, (name, value)
