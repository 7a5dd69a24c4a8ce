"""The search index: query kinds, facets, filters, sorting, paging, snippets,
suggestions, bad input, the mark, rebuild/apply and broken indexes."""

from __future__ import annotations

import shutil
import threading
from collections import Counter
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from portal.search.engine import (
    FACETS,
    IndexBusy,
    IndexUnavailable,
    SearchIndex,
    SearchRequest,
    SearchResponse,
)

from .conftest import OSBY, TODAY, corpus, make_doc


def search(index: SearchIndex, text: str = "", **options) -> SearchResponse:
    return index.search(SearchRequest(text=text, **options))


def ids(response: SearchResponse) -> list[int]:
    return [hit.id for hit in response.hits]


def all_ids(index: SearchIndex, text: str = "", **options) -> list[int]:
    return ids(search(index, text, per_page=100, **options))


# ------------------------------------------------------------------ query kinds


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("exact", "Cykelverkstaden i Osby", {2}),
        ("exact", "IPS", {8}),
        ("inflection", "praktikplatserna", {4}),
        ("inflection", "arbetsträningen", {1, 9}),
        ("compound", "verkstad", {2}),
        ("compound", "träning", {1, 9}),
        ("compound", "svenska", {3}),
        ("compound", "butik", {1}),
        ("no_diacritics", "arbetsformagebedomning", {5}),
        ("no_diacritics", "arbetstraning psykisk ohalsa", {9}),
        ("typo", "orienteringsutbldning", {11}),
        ("typo", "feriepratik", {6}),
        ("english", "work training thrift shop", {1}),
        ("english", "debt advice", {10}),
        ("synonym", "jobbcoach", {13}),
        ("synonym", "städjobb", {7}),
        ("synonym", "sommarjobb", {6}),
        ("synonym", "supported employment", {8}),
        ("target_group", "sjukskrivna", {5}),
        ("target_group", "nyanlända", {3, 7}),
        ("multiword", "arbetsträning med cyklar i Osby", {2}),
        ("multiword", "utbildning lokalvård Hässleholm", {7}),
    ],
)
def test_query_kinds_find_the_right_document_first(
    shared_index: SearchIndex, kind, text, expected
) -> None:
    response = search(shared_index, text)
    assert response.hits, f"{kind}: no hits for {text!r}"
    assert response.hits[0].id in expected, f"{kind}: {text!r} ranked {ids(response)}"


def test_english_only_words_find_swedish_only_entries(shared_index: SearchIndex) -> None:
    # Document 10 has no English translation; synonyms and labels bridge the gap.
    assert 10 in all_ids(shared_index, "debt")
    assert 5 in all_ids(shared_index, "people on sick leave")


def test_the_visitor_locale_gives_a_translated_snippet(shared_index: SearchIndex) -> None:
    response = search(shared_index, "thrift shop", locale="en")
    assert response.hits[0].id == 1
    assert "selling in the" in response.hits[0].snippet
    assert "<mark>shop</mark>" in response.hits[0].snippet


def test_relevance_scores_descend(shared_index: SearchIndex) -> None:
    scores = [hit.score for hit in search(shared_index, "arbetsträning praktik", per_page=100).hits]
    assert scores == sorted(scores, reverse=True)
    assert all(score > 0 for score in scores)


# ------------------------------------------------------------------ facets


def facet_values(doc: dict) -> dict[str, list[str]]:
    return {
        "municipality": [doc["municipality_code"]],
        "type": [doc["type"]],
        "target_group": doc["target_groups"],
        "language": doc["languages"],
        "referrer": doc["referrers"],
        "intake": [doc["intake"]],
        "places": ["available" if doc["places_available"] > 0 else "full"],
    }


def matches(doc: dict, filters: dict[str, list[str]]) -> bool:
    values = facet_values(doc)
    return all(
        any(value in values[name] for value in selected) for name, selected in filters.items()
    )


def counted_by_hand(docs: list[dict], filters: dict[str, list[str]]) -> dict[str, dict[str, int]]:
    """Counts per facet over the documents passing every *other* facet's filter."""
    counts = {}
    for name in FACETS:
        others = {other: selected for other, selected in filters.items() if other != name}
        counter: Counter[str] = Counter()
        for doc in docs:
            if matches(doc, others):
                counter.update(facet_values(doc)[name])
        counts[name] = dict(counter)
    return counts


def as_dicts(response: SearchResponse) -> dict[str, dict[str, int]]:
    return {
        name: {value: count for value, count in pairs if count}
        for name, pairs in response.facets.items()
    }


def test_facets_count_every_document_when_browsing(
    shared_index: SearchIndex, docs: list[dict]
) -> None:
    response = search(shared_index, per_page=3)
    assert response.total == len(docs)
    assert as_dicts(response) == counted_by_hand(docs, {})
    assert response.facets["places"] == [("available", 11), ("full", 2)]


def test_facets_count_the_whole_result_not_the_page(
    shared_index: SearchIndex, docs: list[dict]
) -> None:
    response = search(shared_index, "arbetsträning", per_page=1)
    matched = set(all_ids(shared_index, "arbetsträning"))
    assert response.total == len(matched) > 1
    assert as_dicts(response) == counted_by_hand([d for d in docs if d["id"] in matched], {})


def test_facets_of_a_filtered_result(shared_index: SearchIndex, docs: list[dict]) -> None:
    filters = {"type": ["utbildning", "praktik"], "places": ["available"]}
    response = search(shared_index, filters=filters)
    assert as_dicts(response) == counted_by_hand(docs, filters)
    # The selected facet still shows the values one could add (disjunctive facets).
    assert dict(response.facets["type"])["arbetstraning"] == 1


def test_facet_values_are_sorted_by_count(shared_index: SearchIndex) -> None:
    for pairs in search(shared_index).facets.values():
        assert pairs == sorted(pairs, key=lambda pair: (-pair[1], pair[0]))


def test_a_match_far_below_the_best_is_left_out_of_result_and_facets(tmp_path) -> None:
    # Document 3 mentions only "anställning", once, deep in a long text: with the
    # query's part "anställning" it would match, but far below the real answers, and
    # sorted by start it would come first.
    filler = " ".join(["Deltagarna får stöd av handledare varje vecka under hela perioden."] * 8)
    docs = [
        make_doc(1, "Lönebidragsanställning i kommunen",
                 "Lönebidragsanställning för den som har en funktionsnedsättning.", filler),
        make_doc(2, "Lönebidragsanställning i café", "Lönebidragsanställning i kök och servering.", filler),
        make_doc(3, "Studiecirkel i data", "Grundläggande datorkunskap.", filler * 6 + " Målet är en anställning.",
                 type="utbildning", start_date=TODAY),
        *(make_doc(10 + n, f"Språkcafé {n}", "Samtal på svenska.", filler, type="sprak") for n in range(10)),
    ]
    index = SearchIndex(tmp_path / "index", today=lambda: TODAY)
    index.rebuild(docs)
    try:
        response = search(index, "lönebidragsanställningar", sort="start")
        assert sorted(ids(response)) == [1, 2]
        assert response.total == 2
        assert response.facets["type"] == [("arbetstraning", 2)]
        # It is found by what it is about.
        assert ids(search(index, "studiecirkel")) == [3]
    finally:
        index.close()


# ------------------------------------------------------------------ filters


def test_filters_are_or_within_a_facet_and_across_facets(
    shared_index: SearchIndex, docs: list[dict]
) -> None:
    within = {"municipality": ["1293", "1266"]}
    assert sorted(all_ids(shared_index, filters=within)) == [3, 6, 7, 9, 13]
    across = {"municipality": ["1293", "1266"], "type": ["coachning", "sprak"]}
    assert sorted(all_ids(shared_index, filters=across)) == [3, 13]
    assert sorted(all_ids(shared_index, filters=across)) == sorted(
        d["id"] for d in docs if matches(d, across)
    )


def test_filters_combine_with_text(shared_index: SearchIndex) -> None:
    assert set(all_ids(shared_index, "arbetsträning", filters={"places": ["full"]})) == {2, 9}
    assert all_ids(shared_index, "arbetsförmåga", filters={"referrer": ["forsakringskassan"]}) == [
        5
    ]
    assert all_ids(shared_index, "arbetsförmåga", filters={"referrer": ["varden"]}) == []


def test_unknown_filter_values_match_nothing_and_unknown_facets_are_ignored(
    shared_index: SearchIndex,
) -> None:
    response = search(shared_index, filters={"type": ["no-such-type"]})
    assert response.total == 0
    assert ("no-such-type", 0) in response.facets["type"]
    assert search(shared_index, filters={"colour": ["blue"]}).total == 13


# ------------------------------------------------------------------ sorting


def test_sort_newest_first(shared_index: SearchIndex) -> None:
    assert all_ids(shared_index, sort="newest") == list(range(13, 0, -1))
    assert all_ids(shared_index) == list(range(13, 0, -1))  # browsing without text


def test_sort_by_start_puts_open_intake_then_coming_then_past_starts(
    shared_index: SearchIndex,
) -> None:
    # TODAY is 2025-06-01: 7 starts today, then 3, 2, 11; 5 started in March.
    assert all_ids(shared_index, sort="start") == [13, 12, 10, 9, 8, 6, 4, 1, 7, 3, 2, 11, 5]


def test_sort_by_distance_from_an_origin(shared_index: SearchIndex) -> None:
    order = all_ids(shared_index, sort="distance", origin=OSBY)
    assert set(order[:2]) == {2, 11}  # in Osby
    assert set(order[2:4]) == {3, 7}  # Hässleholm, 27 km
    assert order[-1] == 10  # no coordinates


def test_sort_applies_to_text_results(shared_index: SearchIndex) -> None:
    assert all_ids(shared_index, "arbetsträning", sort="newest") == sorted(
        all_ids(shared_index, "arbetsträning"), reverse=True
    )


def test_distance_sort_without_origin_falls_back_to_relevance(shared_index: SearchIndex) -> None:
    assert all_ids(shared_index, "verkstad", sort="distance") == all_ids(shared_index, "verkstad")


@pytest.mark.parametrize(("text", "options"), [
    ("", {"sort": "start"}),
    ("", {"sort": "newest"}),
    ("arbetsträning", {}),
    ("praktik", {"sort": "distance", "origin": OSBY}),
    ("svenska", {"sort": "start"}),
])
def test_pages_follow_the_order_of_the_whole_result(shared_index: SearchIndex, text, options) -> None:
    # Only what can reach a page is sorted; ties (same start, same place) must not
    # make pages overlap or skip.
    whole = all_ids(shared_index, text, **options)
    for per_page in (1, 2, 3, 5):
        paged = [hit for number in range(1, 15)
                 for hit in ids(search(shared_index, text, page=number, per_page=per_page, **options))]
        assert paged == whole, per_page


def test_first_in_order_agrees_with_a_full_sort_despite_ties() -> None:
    import numpy as np

    from portal.search.engine.query import first_in_order

    random = np.random.default_rng(7)
    docnums = np.arange(500)
    keys = (random.permutation(500), random.integers(0, 6, 500).astype(float))  # many ties
    full = docnums[np.lexsort(keys)]
    for stop in (1, 20, 83, 499, 500, 900):
        assert list(first_in_order(docnums, keys, stop)) == list(full[:stop])


FAST_PATH_QUERIES = ["", "arbetsträning", "work training thrift shop", "städjobb", "second hand",
                     "arbetstraning psykisk ohalsa", "svenska för nyanlända", "supported employment"]


def _answers(index: SearchIndex) -> list[tuple]:
    return [(r.total, [(h.id, h.score) for h in r.hits], r.facets)
            for r in (search(index, text, per_page=100, filters=filters)
                      for text in FAST_PATH_QUERIES for filters in ({}, {"type": ["praktik"]}))]


@pytest.mark.parametrize("setting", [
    {"scoring.SPARSE_SHARE": 0},  # every alternative and phrase scored sparse
    {"scoring.SPARSE_SHARE": 10**9},  # every one over all documents
    {"snapshot.FACET_ROWS_MAX_VALUES": 0},  # facets counted from (document, value) pairs
    {"caches.SCORE_CACHE_BYTES": 0},  # nothing kept between searches
])
def test_fast_paths_give_the_same_answers(tmp_path, monkeypatch, setting) -> None:

    def built(name: str) -> SearchIndex:
        index = SearchIndex(tmp_path / name, today=lambda: TODAY)
        index.rebuild(corpus())
        return index

    usual = built("usual")
    expected = _answers(usual)
    assert _answers(usual) == expected  # again, from the score cache
    for name, value in setting.items():
        monkeypatch.setattr(f"portal.search.engine.{name}", value)
    other = built("other")
    assert _answers(other) == expected
    usual.close()
    other.close()


def test_score_cache_keeps_to_its_budget() -> None:
    import numpy as np

    from portal.search.engine.caches import ScoreCache

    cache = ScoreCache(budget=3 * (64 + 8 * 1000))
    computed = []

    def scores(key):
        computed.append(key)
        return None, np.zeros(1000)

    for key in ("a", "b", "c", "d", "a"):
        cache.get(key, lambda key=key: scores(key))
    assert computed == ["a", "b", "c", "d", "a"]  # "a" was the least recently used, and went
    cache.get("d", lambda: scores("d"))
    assert computed[-1] == "a"  # "d" was kept


# ------------------------------------------------------------------ paging


def test_pages_split_the_result_without_overlap(shared_index: SearchIndex) -> None:
    pages = [search(shared_index, page=number, per_page=5) for number in (1, 2, 3, 4)]
    assert [len(page.hits) for page in pages] == [5, 5, 3, 0]
    assert all(page.total == 13 for page in pages)
    seen = [hit.id for page in pages for hit in page.hits]
    assert sorted(seen) == list(range(1, 14))
    assert (pages[1].page, pages[1].per_page) == (2, 5)


def test_page_size_is_capped(shared_index: SearchIndex) -> None:
    response = search(shared_index, per_page=10**9, page=-3)
    assert (response.page, response.per_page) == (1, 100)


# ------------------------------------------------------------------ snippets


def test_snippets_are_escaped_and_mark_the_matches(shared_index: SearchIndex) -> None:
    (hit,) = search(shared_index, "script").hits
    assert hit.id == 12
    assert "&lt;<mark>script</mark>&gt;" in hit.snippet
    assert "&amp;" in hit.snippet
    without_marks = hit.snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in without_marks and ">" not in without_marks


def test_snippets_mark_compounds_containing_the_word(shared_index: SearchIndex) -> None:
    hit = search(shared_index, "verkstad").hits[0]
    assert "<mark>Verkstaden</mark>" in hit.snippet


def test_browsing_gives_plain_snippets(shared_index: SearchIndex) -> None:
    hit = search(shared_index, per_page=1).hits[0]
    assert hit.snippet.startswith("Personlig jobbcoachning")
    assert "<mark>" not in hit.snippet
    assert hit.score == 0.0


# ------------------------------------------------------------------ suggestions


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("feriepratik", "feriepraktik"),
        ("orienteringsutbldning", "orienteringsutbildning"),
        ("kodstgua", "kodstuga"),
    ],
)
def test_did_you_mean(shared_index: SearchIndex, text: str, suggestion: str) -> None:
    assert search(shared_index, text).suggestion == suggestion


def test_no_suggestion_for_a_good_query(shared_index: SearchIndex) -> None:
    assert search(shared_index, "arbetsträning").suggestion is None
    assert search(shared_index, "").suggestion is None


# ------------------------------------------------------------------ bad input

NASTY_TEXTS = [
    '"unbalanced quote',
    "*",
    "?",
    "AND OR NOT",
    "title:x OR (",
    "x" * 5000,
    "arbetsträning " * 1000,
    "\x00\x07\x1b[31m",
    "\u202eعربي\u202c نص",
    "كيف أجد عملاً؟",
    "کار آموزی",
    "🙂 💼",
    "   ",
    "-",
    "\\",
    "%s %d {0}",
]


@pytest.mark.parametrize("text", NASTY_TEXTS)
def test_any_text_is_searched_without_error(shared_index: SearchIndex, text: str) -> None:
    response = search(shared_index, text)
    assert response.total >= 0
    assert set(response.facets) == set(FACETS)


@pytest.mark.parametrize(
    "request_",
    [
        SearchRequest(page="x", per_page=None),  # type: ignore[arg-type]
        SearchRequest(sort="bogus", locale="xx"),
        SearchRequest(filters={"type": "praktik"}),  # type: ignore[dict-item]
        SearchRequest(filters=None),  # type: ignore[arg-type]
        SearchRequest(filters={"type": [None, 3]}),  # type: ignore[list-item]
        SearchRequest(sort="distance", origin=("a", None)),  # type: ignore[arg-type]
        SearchRequest(sort="distance", origin=(999.0, 0.0)),
        SearchRequest(text=None),  # type: ignore[arg-type]
        SearchRequest(page=10**30),
    ],
)
def test_bad_request_values_are_corrected(
    shared_index: SearchIndex, request_: SearchRequest
) -> None:
    response = shared_index.search(request_)
    assert 1 <= response.per_page <= 100


def test_a_string_filter_counts_as_one_value(shared_index: SearchIndex) -> None:
    assert sorted(ids(search(shared_index, filters={"type": "praktik"}))) == [4, 6]  # type: ignore[dict-item]


# ------------------------------------------------------------------ mark, apply, rebuild


def test_mark_is_stored_and_survives_reopening(index: SearchIndex) -> None:
    assert index.mark == 7
    assert SearchIndex(index.directory).mark == 7
    assert index.apply([], [], mark=12)
    assert SearchIndex(index.directory).mark == 12


def test_apply_upserts_and_deletes_in_one_commit(index: SearchIndex) -> None:
    changed = make_doc(2, "Cykelverkstaden i Osby", "Nu även med elcyklar och mopeder.")
    added = make_doc(
        20, "Trädgårdslaget", "Arbetsträning med odling i växthus.", type="arbetstraning"
    )
    assert index.apply([changed, added], deletes=[12], mark=8)
    assert index.doc_count() == 13
    assert all_ids(index, "mopeder") == [2]
    assert all_ids(index, "växthus") == [20]
    assert all_ids(index, "script") == []
    assert all_ids(index, "servar") == []  # the old text of 2 is gone
    assert index.mark == 8


def test_apply_with_an_older_mark_changes_nothing(index: SearchIndex) -> None:
    assert index.apply([], [], mark=10)
    assert not index.apply([make_doc(30, "Gammalt", "Ska inte synas.")], deletes=[1], mark=9)
    assert index.mark == 10
    assert all_ids(index, "gammalt") == []
    assert 1 in all_ids(index)


def test_a_reader_sees_changes_made_by_another_index_object(index: SearchIndex) -> None:
    before = index.doc_count()
    other = SearchIndex(index.directory)
    other.apply([make_doc(40, "Snickeriet", "Arbetsträning i trä.")], [], mark=9)
    assert index.doc_count() == before + 1
    assert all_ids(index, "snickeriet") == [40]


def test_the_searcher_is_reused_until_the_index_changes(index: SearchIndex) -> None:
    search(index, "arbetsträning")
    first = index._snapshot
    search(index, "praktik")
    assert index._snapshot is first
    index.apply([], [13], mark=8)
    search(index, "praktik")
    assert index._snapshot is not first


def test_rebuild_swaps_in_a_new_build(index: SearchIndex) -> None:
    reader = SearchIndex(index.directory)
    assert reader.doc_count() == 13
    progress: list[tuple[int, int]] = []
    index.rebuild(
        corpus()[:3], progress=lambda done, total: progress.append((done, total)), mark=30
    )
    assert progress == [(1, 3), (2, 3), (3, 3)]
    assert reader.doc_count() == 3
    assert reader.mark == 30
    index.rebuild(corpus()[:2])
    builds = [p for p in Path(index.directory).iterdir() if p.is_dir()]
    assert len(builds) == 2  # the current build and the one it replaced


def test_an_open_reader_survives_a_rebuild(index: SearchIndex) -> None:
    # Keep a snapshot of the old build open while the directory is swapped.
    search(index, "arbetsträning")
    old_snapshot = index._snapshot
    SearchIndex(index.directory).rebuild(corpus()[:1])
    assert old_snapshot.searcher.doc_count() == 14  # 13 documents and the mark
    assert search(index).total == 1


def test_create_makes_an_empty_index(tmp_path: Path) -> None:
    index = SearchIndex(tmp_path / "new", create=True)
    assert index.exists()
    assert (index.doc_count(), index.mark) == (0, 0)
    response = search(index, "arbetsträning")
    assert (response.total, response.hits) == (0, [])
    assert response.facets == {name: [] for name in FACETS}


# ------------------------------------------------------------------ broken index


def test_a_missing_index_is_unavailable(tmp_path: Path) -> None:
    index = SearchIndex(tmp_path / "nothing")
    assert not index.exists()
    with pytest.raises(IndexUnavailable):
        search(index, "arbetsträning")
    with pytest.raises(IndexUnavailable):
        index.mark  # noqa: B018
    with pytest.raises(IndexUnavailable):
        index.apply([], [], mark=1)


def test_a_deleted_index_is_unavailable_even_when_open(index: SearchIndex) -> None:
    search(index, "arbetsträning")
    shutil.rmtree(index.directory)
    with pytest.raises(IndexUnavailable):
        search(index, "arbetsträning")


def current_build(index: SearchIndex) -> Path:
    return Path(index.directory) / (Path(index.directory) / "CURRENT").read_text().strip()


@pytest.mark.parametrize("damage", ["garbage", "truncate", "remove-toc", "bad-pointer"])
def test_a_corrupt_index_is_unavailable(index: SearchIndex, damage: str) -> None:
    build = current_build(index)
    index.close()
    if damage == "bad-pointer":
        (Path(index.directory) / "CURRENT").write_text("../../etc")
    for path in build.iterdir():
        if damage == "garbage":
            path.write_bytes(b"\x00garbage" * 10)
        elif damage == "truncate":
            path.write_bytes(path.read_bytes()[:20])
        elif damage == "remove-toc" and path.suffix == ".toc":
            path.unlink()
    with pytest.raises(IndexUnavailable):
        search(SearchIndex(index.directory), "arbetsträning")


def test_a_busy_writer_lock_raises_index_busy(index: SearchIndex) -> None:
    holder = whoosh_index.open_dir(str(current_build(index))).writer()
    try:
        busy = SearchIndex(index.directory, lock_timeout=0.05)
        with pytest.raises(IndexBusy):
            busy.apply([], [], mark=20)
    finally:
        holder.cancel()
    assert SearchIndex(index.directory).apply([], [], mark=20)


# ------------------------------------------------------------------ threads


def test_concurrent_searches_while_applying(index: SearchIndex) -> None:
    errors: list[BaseException] = []
    queries = [
        "arbetsträning",
        "verkstad",
        "",
        "feriepratik",
        "svenska för invandrare",
        "thrift store",
    ]

    def searching() -> None:
        try:
            for round_ in range(15):
                response = search(
                    index, queries[round_ % len(queries)], filters={"places": ["available"]}
                )
                assert response.total >= 0
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            errors.append(exc)

    threads = [threading.Thread(target=searching) for _ in range(4)]
    for thread in threads:
        thread.start()
    for mark in range(8, 12):
        index.apply(
            [make_doc(100 + mark, f"Extra {mark}", "Arbetsträning i verkstad.")], [], mark=mark
        )
    for thread in threads:
        thread.join()
    assert errors == []
    assert index.doc_count() == 17
