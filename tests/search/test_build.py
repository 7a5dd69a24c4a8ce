"""Every way of writing a build answers exactly as Whoosh's own single writer does.

The direct writer (segments written through Whoosh's codec, postings gathered per term) and
the spreading of a build over processes must not change what a search sees: the same
terms, postings, field lengths, stored fields and columns per document, hence the same
results, scores, snippets and facets.
"""

from __future__ import annotations

import json

import pytest
from whoosh import index as whoosh_index

from portal.search.engine import SearchIndex, SearchRequest

from .conftest import TODAY, corpus, make_doc, whoosh_compile_warnings_ignored

QUERIES = ["", "arbetsträning", "verkstad", "svenska för nyanlända", "work training thrift shop",
           "unga med funktionsnedsättning", "luqad", "arbetsformagebedomning"]


def answers(index: SearchIndex) -> list[tuple]:
    return [(r.total, [(h.id, h.score, h.snippet) for h in r.hits], r.facets, r.suggestion)
            for r in (index.search(SearchRequest(text=text, per_page=100)) for text in QUERIES)]


def contents(index: SearchIndex) -> dict:
    """What a reader of the build sees, keyed by document id rather than document number."""
    build = index.directory / (index.directory / "CURRENT").read_text().strip()
    with whoosh_compile_warnings_ignored():
        ix = whoosh_index.open_dir(str(build))
    with ix.reader() as reader:
        ids = {docnum: fields["id"] for docnum, fields in reader.iter_docs()}
        seen = {
            "stored": sorted((fields["id"], json.dumps(fields, sort_keys=True, default=str))
                             for _, fields in reader.iter_docs()),
            "terms": {},
            "lengths": {},
            "totals": {},
        }
        for name in ix.schema.names():
            if ix.schema[name].scorable:
                # A segment without the field has no lengths column: None there, 0 in another.
                seen["lengths"][name] = sorted((ids[d], reader.doc_field_length(d, name) or 0) for d in ids)
                seen["totals"][name] = reader.field_length(name)
        for name, btext in reader.all_terms():
            info = reader.term_info(name, btext)
            postings = reader.postings(name, btext)
            seen["terms"][(name, btext)] = (
                info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                info.max_weight(),
                sorted((ids[docnum], weight) for docnum, weight in postings.items_as("weight")))
        if reader.has_column("meta"):
            column = reader.column_reader("meta")
            seen["meta"] = sorted((ids[d], column[d]) for d in ids)
    ix.close()
    return seen


@pytest.fixture
def two_cores(monkeypatch):
    monkeypatch.setattr("portal.search.engine.storage.PARALLEL_BUILD_MIN", 1)
    monkeypatch.setattr("portal.search.engine.storage.BUILD_BATCH", 2)
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1}, raising=False)


@pytest.mark.parametrize(("writer", "processes"), [("direct", 1), ("direct", 2), ("direct", 3),
                                                   ("whoosh", 2)])
def test_a_build_gives_the_same_index_and_answers_as_whooshs_writer(tmp_path, writer, processes) -> None:
    reference = SearchIndex(tmp_path / "reference", today=lambda: TODAY)
    reference.rebuild(corpus(), mark=3, writer="whoosh", processes=1)
    other = SearchIndex(tmp_path / "other", today=lambda: TODAY)
    other.rebuild(corpus(), mark=3, writer=writer, processes=processes)
    try:
        assert other.mark == 3
        assert other.doc_count() == reference.doc_count()
        assert contents(other) == contents(reference)
        assert answers(other) == answers(reference)
    finally:
        reference.close()
        other.close()


def test_a_large_build_from_the_command_line_is_spread_over_the_cores(tmp_path, two_cores) -> None:
    single = SearchIndex(tmp_path / "single", today=lambda: TODAY)
    single.rebuild(corpus(), mark=3, writer="whoosh", processes=1)
    spread = SearchIndex(tmp_path / "spread", today=lambda: TODAY)
    spread.rebuild(corpus(), mark=3)
    try:
        build = spread.directory / (spread.directory / "CURRENT").read_text().strip()
        assert len(list(build.glob("*.seg"))) == 2  # a segment per process, the mark in the last
        assert answers(spread) == answers(single)
    finally:
        single.close()
        spread.close()


def test_changes_applied_to_a_direct_build_answer_as_on_whooshs(tmp_path) -> None:
    docs = corpus()
    indexes = []
    for writer in ("whoosh", "direct"):
        index = SearchIndex(tmp_path / writer, today=lambda: TODAY)
        index.rebuild(docs[:-1], mark=1, writer=writer, processes=1)
        assert index.apply([docs[-1], {**docs[0], "title": "Cykelverkstad för unga"}], [docs[1]["id"]], 2)
        indexes.append(index)
    try:
        assert answers(indexes[1]) == answers(indexes[0])
    finally:
        for index in indexes:
            index.close()


def segment_files(index: SearchIndex) -> dict[str, bytes]:
    """The files inside the build's one compound segment file, by name without the segment's."""
    build = index.directory / (index.directory / "CURRENT").read_text().strip()
    with whoosh_compile_warnings_ignored():
        ix = whoosh_index.open_dir(str(build))
    with ix.reader() as reader:
        files = reader.segment().open_compound_file(ix.storage)
        found = {name.split(".", 1)[1]: files.open_file(name).read() for name in files.list()}
    ix.close()
    return found


def test_long_posting_lists_are_written_as_whooshs_writer_writes_them(tmp_path) -> None:
    """Terms with more postings than a block holds (128), one exactly two blocks long: every
    file of the direct writer's segment (postings, terms, lengths, stored fields, columns)
    is byte for byte Whoosh's."""
    docs = [make_doc(n, f"Arbetsträning {'i verkstad' if n % 2 else 'med cykel'} {n}",
                     "Praktik och arbetsträning" + " i butik" * (n % 5), "Handledning. " * (n % 3))
            for n in range(1, 301)]
    docs += [make_doc(n, "Ovanligt ord", "Sällsynt") for n in range(301, 557)]  # 256 postings
    indexes = []
    for writer in ("whoosh", "direct"):
        index = SearchIndex(tmp_path / writer, today=lambda: TODAY)
        index.rebuild(docs, mark=1, writer=writer, processes=1)
        indexes.append(index)
    try:
        reference, direct = (segment_files(index) for index in indexes)
        assert {"pst", "trm", "meta.col", "_stored.col"} <= set(reference)
        assert direct == reference
        assert answers(indexes[1]) == answers(indexes[0])
    finally:
        for index in indexes:
            index.close()
