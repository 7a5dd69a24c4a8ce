"""A searcher with the per-document arrays of its index generation.

Whoosh stores and looks up postings; filtering, facets and sorting are done
with numpy over these arrays, kept in memory per index generation. Segments
never change, so their arrays are kept while the index grows by new ones.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from ..analysis import Decompounder
from .caches import PostingsCache, ScoreCache
from .errors import IndexUnavailable
from .fields import MARK_ID, SCHEMA_VERSION
from .request import FILTERS
from .scoring import BM25_B
from .vocabulary import Vocabulary
from .whoosh_internals import read_field_lengths

FACET_ROWS_MAX_VALUES = 64


class FacetValues:
    """Facet value ↔ small integer code, append-only for the life of an index object."""

    def __init__(self) -> None:
        self.codes: dict[str, dict[str, int]] = {name: {} for name in FILTERS}
        self.values: dict[str, list[str]] = {name: [] for name in FILTERS}

    def code(self, facet: str, value: str) -> int:
        codes = self.codes[facet]
        if value not in codes:
            codes[value] = len(codes)
            self.values[facet].append(value)
        return codes[value]


@dataclass
class Segment:
    """Per-document arrays of one (immutable) Whoosh segment."""

    ids: np.ndarray  # -1 where there is no intervention (the mark document)
    published: np.ndarray
    start: np.ndarray  # date ordinal, or -1
    open_intake: np.ndarray  # rolling or single-place intake
    lat: np.ndarray  # NaN where unknown
    lon: np.ndarray
    facet_docs: dict[str, np.ndarray]  # one entry per (document, value) ...
    facet_codes: dict[str, np.ndarray]  # ... and its value's code
    lengths: dict[str, np.ndarray] = field(default_factory=dict)  # field → token count

    @classmethod
    def load(cls, leaf: IndexReader, facet_values: FacetValues) -> Segment:
        size = leaf.doc_count_all()
        column = leaf.column_reader("meta")
        ids = np.full(size, -1, dtype=np.int64)
        published = np.zeros(size)
        start = np.full(size, -1, dtype=np.int64)
        open_intake = np.zeros(size, dtype=bool)
        lat = np.full(size, np.nan)
        lon = np.full(size, np.nan)
        pairs: dict[str, tuple[list[int], list[int]]] = {name: ([], []) for name in FILTERS}
        for docnum in range(size):
            raw = column[docnum]
            if not raw:
                continue
            meta = json.loads(raw)
            ids[docnum] = meta["id"]
            published[docnum] = meta["published"]
            if meta["start"] is not None:
                start[docnum] = meta["start"]
            open_intake[docnum] = meta["intake"] in ("rolling", "single")
            lat[docnum] = np.nan if meta["lat"] is None else meta["lat"]
            lon[docnum] = np.nan if meta["lon"] is None else meta["lon"]
            for name, values in meta["facets"].items():
                docs, codes = pairs[name]
                for value in values:
                    docs.append(docnum)
                    codes.append(facet_values.code(name, value))
        return cls(
            ids=ids,
            published=published,
            start=start,
            open_intake=open_intake,
            lat=lat,
            lon=lon,
            facet_docs={name: np.array(docs, dtype=np.int64) for name, (docs, _) in pairs.items()},
            facet_codes={
                name: np.array(codes, dtype=np.int64) for name, (_, codes) in pairs.items()
            },
        )

    def field_lengths(self, leaf: IndexReader, name: str) -> np.ndarray:
        if name not in self.lengths:
            self.lengths[name] = read_field_lengths(leaf, name)
        return self.lengths[name]


@dataclass
class Snapshot:
    """A searcher and the per-document arrays of its index generation."""

    build: str
    searcher: Searcher
    vocabulary: Vocabulary
    decompounder: Decompounder
    mark: int
    segments: list[tuple[IndexReader, int, Segment]]  # (leaf reader, docnum offset, data)
    live: np.ndarray  # interventions that are not deleted
    ids: np.ndarray
    published: np.ndarray
    start: np.ndarray
    open_intake: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    newest_rank: np.ndarray  # position of each document when sorted newest first
    facet_docs: dict[str, np.ndarray]
    facet_codes: dict[str, np.ndarray]
    facet_values: FacetValues
    postings: PostingsCache
    term_cache: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    norm_cache: dict[str, np.ndarray] = field(default_factory=dict)
    facet_rows: dict[str, np.ndarray] = field(default_factory=dict)
    scores: ScoreCache = field(default_factory=lambda: ScoreCache())

    @property
    def size(self) -> int:
        return len(self.live)

    @property
    def doc_count(self) -> int:
        return int(np.count_nonzero(self.live))

    def close(self) -> None:
        try:
            self.searcher.close()
        except Exception:  # noqa: BLE001 - closing a broken reader must not hide the real error
            pass

    @classmethod
    def load(
        cls,
        build: str,
        searcher: Searcher,
        vocabulary: Vocabulary,
        decompounder: Decompounder,
        segment_cache: dict[str, Segment],
        facet_values: FacetValues,
        postings: PostingsCache,
    ) -> Snapshot:
        reader = searcher.reader()
        segments = []
        for leaf, offset in reader.leaf_readers():
            key = leaf.segment().segment_id()
            if key not in segment_cache:
                segment_cache[key] = Segment.load(leaf, facet_values)
            segments.append((leaf, offset, segment_cache[key]))
        for stale in set(segment_cache) - {leaf.segment().segment_id() for leaf, _, _ in segments}:
            del segment_cache[stale]

        def joined(attribute: str) -> np.ndarray:
            return np.concatenate([getattr(data, attribute) for _, _, data in segments])

        ids = joined("ids")
        live = ids >= 0
        for leaf, offset, _ in segments:
            if leaf.has_deletions():
                deleted = np.fromiter(leaf.segment().deleted_docs(), dtype=np.int64)
                live[deleted + offset] = False
        published = joined("published")
        newest_rank = np.empty(len(ids), dtype=np.int64)
        newest_rank[np.lexsort((-ids, -published))] = np.arange(len(ids))
        return cls(
            build=build,
            searcher=searcher,
            vocabulary=vocabulary,
            decompounder=decompounder,
            mark=read_mark(searcher),
            segments=segments,
            live=live,
            ids=ids,
            published=published,
            start=joined("start"),
            open_intake=joined("open_intake"),
            lat=joined("lat"),
            lon=joined("lon"),
            newest_rank=newest_rank,
            facet_docs={
                name: np.concatenate(
                    [data.facet_docs[name] + offset for _, offset, data in segments]
                )
                for name in FILTERS
            },
            facet_codes={
                name: np.concatenate([data.facet_codes[name] for _, _, data in segments])
                for name in FILTERS
            },
            facet_values=facet_values,
            postings=postings,
        )

    def facet_mask(self, facet: str, selected: Sequence[str]) -> np.ndarray:
        codes = [
            self.facet_values.codes[facet][v]
            for v in selected
            if v in self.facet_values.codes[facet]
        ]
        mask = np.zeros(self.size, dtype=bool)
        if codes:
            mask[self.facet_docs[facet][np.isin(self.facet_codes[facet], codes)]] = True
        return mask

    def facet_counts(self, facet: str, base: np.ndarray) -> dict[str, int]:
        values = self.facet_values.values[facet]
        if len(values) <= FACET_ROWS_MAX_VALUES:
            scratch = np.empty(self.size, dtype=bool)
            counts = [np.count_nonzero(np.logical_and(base, row, out=scratch)) for row in self._facet_rows(facet)]
        else:
            counts = np.bincount(
                self.facet_codes[facet], weights=base[self.facet_docs[facet]], minlength=len(values)
            )
        return {values[code]: int(count) for code, count in enumerate(counts) if count}

    def _facet_rows(self, facet: str) -> np.ndarray:
        """Values × documents of a facet, True where a document has the value.

        With a moderate number of values, counting row by row (an AND and a
        count of bytes) is several times faster than gathering the result's
        (document, value) pairs.
        """
        if facet not in self.facet_rows:
            rows = np.zeros((len(self.facet_values.values[facet]), self.size), dtype=bool)
            rows[self.facet_codes[facet], self.facet_docs[facet]] = True
            self.facet_rows[facet] = rows
        return self.facet_rows[facet]

    def field_norms(self, name: str) -> np.ndarray:
        """BM25 length normalisation of a field, per docnum."""
        if name not in self.norm_cache:
            lengths = np.concatenate(
                [data.field_lengths(leaf, name) for leaf, _, data in self.segments]
            )
            average = float(lengths[self.live].mean()) if self.live.any() else 0.0
            self.norm_cache[name] = 1 - BM25_B + BM25_B * lengths / (average or 1.0)
        return self.norm_cache[name]


def up_to_date(searcher: Searcher) -> bool:
    try:
        return searcher.up_to_date()
    except Exception:  # noqa: BLE001 - a vanished index is "not up to date"; reloading reports it
        return False


@contextmanager
def quiet_about_abandoned_files() -> Iterator[None]:
    """Whoosh leaves files open when it fails on a damaged index; they are
    collected (closed) inside this block instead of warning at some later
    garbage collection."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        yield


def read_mark(searcher: Searcher) -> int:
    stored = searcher.document(id=MARK_ID)
    if not stored:
        raise IndexUnavailable("the index has no mark document")
    texts = stored.get("texts") or {}
    if texts.get("schema_version") != SCHEMA_VERSION:
        raise IndexUnavailable("the index was built with another schema version; rebuild it")
    return int(texts.get("mark", 0))
