"""A build spread over writer processes answers exactly as one written by a single writer."""

from __future__ import annotations

from portal.search.engine import SearchIndex, SearchRequest

from .conftest import TODAY, corpus

QUERIES = ["", "arbetsträning", "verkstad", "svenska för nyanlända", "work training thrift shop"]


def answers(index: SearchIndex) -> list[tuple]:
    return [(r.total, [(h.id, h.score, h.snippet) for h in r.hits], r.facets, r.suggestion)
            for r in (index.search(SearchRequest(text=text, per_page=100)) for text in QUERIES)]


def test_a_parallel_build_gives_the_same_answers(tmp_path, monkeypatch) -> None:
    single = SearchIndex(tmp_path / "single", today=lambda: TODAY)
    single.rebuild(corpus(), mark=3)
    monkeypatch.setattr("portal.search.engine.storage.PARALLEL_BUILD_MIN", 1)
    monkeypatch.setattr("portal.search.engine.storage.BUILD_BATCH", 2)
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1}, raising=False)
    parallel = SearchIndex(tmp_path / "parallel", today=lambda: TODAY)
    parallel.rebuild(corpus(), mark=3)
    try:
        assert parallel.mark == 3
        assert parallel.doc_count() == single.doc_count()
        assert answers(parallel) == answers(single)
    finally:
        single.close()
        parallel.close()
