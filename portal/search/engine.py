"""The Whoosh index of published interventions and the search over it.

No Flask and no database here: the app hands in plain document dicts (the
keys in `DOCUMENT_KEYS`) and gets plain dataclasses back.

On disk, `directory` holds a pointer file `CURRENT` naming the active build
(`index-<time>-<random>/`: a complete Whoosh index plus `vocabulary.json`). A
rebuild writes a new build beside it and swaps the pointer with `os.replace`,
so readers never see a half-built index, and a reader that still has the old
build open keeps working until its next search notices the new pointer. The
mark (last applied index job) is a special document inside the index, so it
is committed atomically with the changes it stands for.

All text is analysed by `analysis` and stored pre-tokenised (terms joined by
spaces), so the Whoosh schema needs no custom analyser classes. Whoosh stores
and looks up postings; scoring (BM25F), filtering, facets and sorting are done
here with numpy over per-document arrays kept in memory per index generation.
"""

from __future__ import annotations

import bisect
import datetime as dt
import gc
import html
import json
import math
import os
import shutil
import struct
import threading
import time
import uuid
import warnings
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from pickle import UnpicklingError
from typing import Any

import numpy as np
from cachetools import LRUCache
from whoosh import index as whoosh_index
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.fields import COLUMN, ID, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile
from whoosh.index import LockError
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import IndexReader
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from .analysis import (
    ALL_LOCALES,
    PART_WEIGHT,
    SWEDISH,
    TRANSLATION_LOCALES,
    Alternative,
    Clause,
    Decompounder,
    QueryContext,
    QueryPlan,
    analyse,
    analyzer_for,
    clean_text,
    default_synonyms,
    edit_distance,
    fold,
    plan_query,
    prefix_variants,
    word_spans,
    words,
)

__all__ = [
    "DOCUMENT_KEYS",
    "FACETS",
    "FILTERS",
    "SORTS",
    "Hit",
    "IndexBusy",
    "IndexUnavailable",
    "SearchError",
    "SearchIndex",
    "SearchRequest",
    "SearchResponse",
]

DOCUMENT_KEYS = (
    "id", "external_id", "title", "summary", "description", "organisation", "municipality_code",
    "unit", "city", "type", "target_groups", "languages", "referrers", "intake", "places_available",
    "start_date", "published_at", "lat", "lon", "translations", "labels",
)  # fmt: skip
FACETS = ("municipality", "type", "target_group", "language", "referrer", "intake", "places")
# Filters without facet counts: applied to the result and to every facet's counts.
# "available_in": a language the intervention is delivered in or has a translation in.
FILTERS = (*FACETS, "available_in")
SORTS = ("relevance", "start", "newest", "distance")

SCHEMA_VERSION = 2
MARK_ID = "__mark__"
POINTER_FILE = "CURRENT"
VOCABULARY_FILE = "vocabulary.json"
SPELLING = "_spelling"  # vocabulary key of the surface words
BUILD_PREFIX = "index-"
STAGING_PREFIX = "building-"
ABANDONED_STAGING_SECONDS = 6 * 3600

MAX_PER_PAGE = 100
MAX_PAGE = 1000
MAX_FILTER_VALUES = 50
FACET_ROWS_MAX_VALUES = 64
FEW_HITS = 3
LONG_WORD = 8  # from this length on, typo tolerance allows two edits
MAX_FUZZY_TERMS = 3
# Query-time compound lookup: the query word, the rest of the compound, how many.
MIN_COMPOUND_QUERY = 5
MIN_UNKNOWN_HEAD = 4
MIN_KNOWN_TAIL = 4
MAX_COMPOUND_TERMS = 20
SNIPPET_WORDS = 32
SNIPPET_CHARS = 400
SNIPPET_LEAD_CHARS = 40

# Field boosts: title > summary > description; labels and place in between.
TEXT_FIELD_BOOSTS = {"title": 4.0, "summary": 2.0, "description": 1.0, "labels": 1.5}
PLACE_BOOST = 2.0
# Compounds containing the query word: "cykelverkstad" for "verkstad".
PART_FIELD_BOOSTS = {"parts_title": 3.0, "parts_text": 0.8}
AUXILIARY_ENGLISH_WEIGHT = 0.8  # English is searched for every visitor, a little lower
CLAUSE_TIEBREAK = 0.2
# A document scoring below this share of the best match is left out of the result (and
# of its facet counts): it matched only a common word, a weak compound part or a synonym
# of one, and would otherwise fill the list when sorted by start, newest or distance.
MIN_SCORE_SHARE = 0.05
_START_GROUP_SPAN = 4_000_000  # sort by start: groups apart by more than a date key spans
BM25_K1 = 1.2
BM25_B = 0.75
TERM_CACHE_SIZE = 4096
SPARSE_SHARE = 16  # postings of fewer than 1/16 of the documents are scored sparse
POSTINGS_CACHE_BUDGET = 4_000_000  # postings kept decoded in memory (8 bytes each)
SCORE_CACHE_BYTES = 64 * 1024 * 1024  # scores of alternatives kept per index generation

# What reading vanished or damaged index files raises (Whoosh unpickles and
# unpacks what it reads, so garbage surfaces as any of these).
_INDEX_ERRORS = (
    whoosh_index.IndexError,
    OSError,
    EOFError,
    struct.error,
    UnpicklingError,
    zlib.error,
    ValueError,
    KeyError,
    IndexError,
)
_BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


class SearchError(Exception):
    """Base class of the errors the search engine raises."""


class IndexUnavailable(SearchError):
    """The index is missing, unreadable or of an old format: rebuild it."""


class IndexBusy(SearchError):
    """Another writer held the index lock for too long."""


# ------------------------------------------------------------ request/response


@dataclass
class SearchRequest:
    text: str = ""
    locale: str = SWEDISH
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"  # relevance | start | newest | distance
    origin: tuple[float, float] | None = None  # (lat, lon) for sort="distance"
    page: int = 1
    per_page: int = 20


@dataclass
class Hit:
    id: int
    score: float
    snippet: str  # safe HTML: escaped text, matched words in <mark>


@dataclass
class SearchResponse:
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    suggestion: str | None = None


# ---------------------------------------------------------------------- schema


def _text_field() -> TEXT:
    return TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=False)


def build_schema() -> Schema:
    fields: dict[str, Any] = {
        "id": ID(stored=True, unique=True),
        "meta": COLUMN(),
        "texts": STORED(),
        "place_sv": _text_field(),
        "parts_title": _text_field(),
        "parts_text": _text_field(),
    }
    for locale in ALL_LOCALES:
        for name in TEXT_FIELD_BOOSTS:
            fields[f"{name}_{locale}"] = _text_field()
    return Schema(**fields)


# ----------------------------------------------------------- document → fields


def _as_list(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value if v]


def _as_timestamp(value: Any) -> float:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.timestamp()
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC).timestamp()
    return 0.0


def _as_float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def document_meta(doc: dict) -> dict[str, Any]:
    """The per-document values search keeps in memory (facets, sort keys)."""
    start = doc.get("start_date")
    places = doc.get("places_available") or 0
    return {
        "id": int(doc["id"]),
        "facets": {
            "municipality": _as_list(doc.get("municipality_code")),
            "type": _as_list(doc.get("type")),
            "target_group": _as_list(doc.get("target_groups")),
            "language": _as_list(doc.get("languages")),
            "referrer": _as_list(doc.get("referrers")),
            "intake": _as_list(doc.get("intake")),
            "places": ["available" if places > 0 else "full"],
            "available_in": available_in(doc),
        },
        "intake": str(doc.get("intake") or ""),
        "start": start.toordinal() if isinstance(start, dt.date) else None,
        "published": _as_timestamp(doc.get("published_at")),
        "lat": _as_float(doc.get("lat")),
        "lon": _as_float(doc.get("lon")),
    }


def available_in(doc: dict) -> list[str]:
    """Swedish (the original), the languages it is delivered in and those it is translated to."""
    translated = [locale for locale, text in (doc.get("translations") or {}).items()
                  if any((text or {}).get(name) for name in ("title", "summary", "description"))]
    return sorted({SWEDISH, *_as_list(doc.get("languages")), *translated})


def _locale_texts(doc: dict) -> dict[str, dict[str, str]]:
    """locale → {title, summary, description, labels}, Swedish first."""
    labels = doc.get("labels") or {}
    texts = {
        SWEDISH: {
            "title": doc.get("title") or "",
            "summary": doc.get("summary") or "",
            "description": doc.get("description") or "",
            "labels": labels.get(SWEDISH) or "",
        }
    }
    translations = doc.get("translations") or {}
    for locale in TRANSLATION_LOCALES:
        translated = translations.get(locale) or {}
        entry = {name: translated.get(name) or "" for name in ("title", "summary", "description")}
        entry["labels"] = labels.get(locale) or ""
        if any(entry.values()):
            texts[locale] = entry
    return texts


def _place_text(doc: dict) -> str:
    return " ".join(str(doc.get(key) or "") for key in ("organisation", "unit", "city"))


def document_vocabulary(doc: dict) -> dict[str, set[str]]:
    """locale → the document's analysed terms, plus `SPELLING` → its surface words."""
    vocabulary: dict[str, set[str]] = {SPELLING: set(words(_place_text(doc)))}
    for locale, entry in _locale_texts(doc).items():
        terms = vocabulary.setdefault(locale, set())
        for text in entry.values():
            terms.update(analyse(text, locale))
            vocabulary[SPELLING].update(words(text))
    vocabulary[SWEDISH].update(analyse(_place_text(doc), SWEDISH))
    return vocabulary


def prepare_document(doc: dict, decompounder: Decompounder) -> dict[str, Any]:
    """Whoosh field values for one document of the input contract."""
    texts = _locale_texts(doc)
    fields: dict[str, Any] = {
        "id": str(int(doc["id"])),
        "meta": json.dumps(document_meta(doc), separators=(",", ":")).encode(),
        "texts": {
            locale: {
                name: clean_text(text) for name, text in entry.items() if name != "labels" and text
            }
            for locale, entry in texts.items()
        },
        "place_sv": " ".join(analyse(_place_text(doc), SWEDISH)),
    }
    for locale, entry in texts.items():
        for name, text in entry.items():
            fields[f"{name}_{locale}"] = " ".join(analyse(text, locale))

    swedish = texts[SWEDISH]
    fields["parts_title"] = _parts_text(swedish["title"], decompounder)
    body = " ".join((swedish["summary"], swedish["description"], swedish["labels"]))
    fields["parts_text"] = _parts_text(body, decompounder)
    return fields


def _parts_text(text: str, decompounder: Decompounder) -> str:
    """The stems of the known parts of the compounds in a Swedish text."""
    swedish = analyzer_for(SWEDISH)
    surfaces = (swedish.surface(word) for word in words(text))
    return " ".join(part for surface in surfaces if surface for part in decompounder.parts(surface))


def _mark_document(mark: int) -> dict[str, Any]:
    return {
        "id": MARK_ID,
        "meta": b"",
        "texts": {"mark": int(mark), "schema_version": SCHEMA_VERSION},
    }


# ------------------------------------------------------------------- lexicon


class Vocabulary:
    """The terms of one build with their document frequencies.

    Per locale the analysed terms, and under `SPELLING` the surface words
    (for "did you mean"). Kept in a file beside the index rather than in
    Whoosh fields, which would double the postings to write. It answers
    "is this word known", finds typo candidates, and its Swedish terms (with
    the synonym list) are the lexicon compounds are split against.
    """

    def __init__(self, counts: dict[str, dict[str, int]] | None = None) -> None:
        self.counts: dict[str, dict[str, int]] = counts or {}
        self._sorted: dict[str, list[str]] = {}

    @classmethod
    def from_documents(cls, docs: Iterable[dict]) -> Vocabulary:
        vocabulary = cls()
        for doc in docs:
            for locale, terms in document_vocabulary(doc).items():
                counts = vocabulary.counts.setdefault(locale, {})
                for term in terms:
                    counts[term] = counts.get(term, 0) + 1
        return vocabulary

    def frequency(self, locale: str, term: str) -> int:
        return self.counts.get(locale, {}).get(term, 0)

    def starting_with(self, locale: str, prefix: str) -> list[str]:
        return _with_prefix(self._sorted_terms(locale, reverse=False), prefix)

    def ending_with(self, locale: str, suffix: str) -> list[str]:
        return [
            term[::-1]
            for term in _with_prefix(self._sorted_terms(locale, reverse=True), suffix[::-1])
        ]

    def _sorted_terms(self, locale: str, reverse: bool) -> list[str]:
        key = f"{locale}:{'reversed' if reverse else 'sorted'}"
        if key not in self._sorted:
            terms = self.counts.get(locale, {})
            self._sorted[key] = sorted(term[::-1] for term in terms) if reverse else sorted(terms)
        return self._sorted[key]

    def lexicon(self, extra: Iterable[str] = ()) -> set[str]:
        """Swedish whole-word terms to split compounds against."""
        return {*self.counts.get(SWEDISH, {}), *default_synonyms().swedish_terms(), *extra}

    def save(self, path: Path) -> None:
        _write_atomically(path, json.dumps(self.counts, ensure_ascii=False, separators=(",", ":")))

    @classmethod
    def load(cls, path: Path) -> Vocabulary:
        try:
            return cls(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return cls()


def _with_prefix(terms: list[str], prefix: str) -> list[str]:
    start = bisect.bisect_left(terms, prefix)
    return terms[start : bisect.bisect_left(terms, prefix + "\U0010ffff", lo=start)]


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


# --------------------------------------------------------- in-memory columns


class _FacetValues:
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
class _Segment:
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
    def load(cls, leaf: IndexReader, facet_values: _FacetValues) -> _Segment:
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
            self.lengths[name] = _read_field_lengths(leaf, name)
        return self.lengths[name]


def _read_field_lengths(leaf: IndexReader, name: str) -> np.ndarray:
    size = leaf.doc_count_all()
    lengths = np.zeros(size)
    try:
        # Whoosh keeps one length byte per document; read them all at once.
        column = leaf._perdoc.column_reader(f"_{name}_len", LENGTHS_COLUMN)
        raw = np.frombuffer(column._dbfile.get(column._basepos, column._count), dtype=np.uint8)
        lengths[: len(raw)] = _BYTE_TO_LENGTH[raw]
    except Exception:  # noqa: BLE001 - no length column yet, or Whoosh internals moved
        for docnum in range(size):
            lengths[docnum] = leaf.doc_field_length(docnum, name, 0) or 0
    return lengths


@dataclass
class _Snapshot:
    """A searcher and the per-document arrays of its index generation."""

    build: str
    searcher: Searcher
    vocabulary: Vocabulary
    decompounder: Decompounder
    mark: int
    segments: list[tuple[IndexReader, int, _Segment]]  # (leaf reader, docnum offset, data)
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
    facet_values: _FacetValues
    postings: _PostingsCache
    term_cache: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    norm_cache: dict[str, np.ndarray] = field(default_factory=dict)
    facet_rows: dict[str, np.ndarray] = field(default_factory=dict)
    scores: _ScoreCache = field(default_factory=lambda: _ScoreCache())

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
        segment_cache: dict[str, _Segment],
        facet_values: _FacetValues,
        postings: _PostingsCache,
    ) -> _Snapshot:
        reader = searcher.reader()
        segments = []
        for leaf, offset in reader.leaf_readers():
            key = leaf.segment().segment_id()
            if key not in segment_cache:
                segment_cache[key] = _Segment.load(leaf, facet_values)
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
            mark=_read_mark(searcher),
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


def _up_to_date(searcher: Searcher) -> bool:
    try:
        return searcher.up_to_date()
    except Exception:  # noqa: BLE001 - a vanished index is "not up to date"; reloading reports it
        return False


@contextmanager
def _quiet_about_abandoned_files() -> Iterator[None]:
    """Whoosh leaves files open when it fails on a damaged index; they are
    collected (closed) inside this block instead of warning at some later
    garbage collection."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        yield


def _read_mark(searcher: Searcher) -> int:
    stored = searcher.document(id=MARK_ID)
    if not stored:
        raise IndexUnavailable("the index has no mark document")
    texts = stored.get("texts") or {}
    if texts.get("schema_version") != SCHEMA_VERSION:
        raise IndexUnavailable("the index was built with another schema version; rebuild it")
    return int(texts.get("mark", 0))


# --------------------------------------------------------------------- index


class _SegmentsInMemory(FileStorage):
    """An index directory whose segment files are read into memory whole when opened.

    Whoosh would map them (mmap), and a mapped file that is truncated or damaged on disk
    kills the process with SIGBUS when a page past its end is touched; a read copy can only
    be short, which fails as an ordinary exception: the search falls back to the database
    and the index is rebuilt. The file is closed at once, as with a mapping.
    """

    def __init__(self, path: str) -> None:
        super().__init__(path, supports_mmap=False)

    def open_file(self, name: str, **kwargs):
        if not name.endswith(SEGMENT_SUFFIX):
            return super().open_file(name, **kwargs)
        with open(self._fpath(name), "rb") as file:
            return BufferFile(memoryview(file.read()), name=name)


SEGMENT_SUFFIX = ".seg"


class SearchIndex:
    """The search index in `directory`; one object can serve many threads.

    Construction touches nothing on disk (unless `create=True`), so an app can
    make one at start-up and fall back to the database while operations raise
    `IndexUnavailable`.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        create: bool = False,
        lock_timeout: float = 2.0,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self.directory = Path(directory)
        self.lock_timeout = lock_timeout
        self._today = today
        self._lock = threading.RLock()
        self._snapshot: _Snapshot | None = None
        self._vocabularies: dict[str, Vocabulary] = {}
        self._segment_cache: dict[str, _Segment] = {}
        self._facet_values = _FacetValues()
        self._postings = _PostingsCache()
        if create and not self.exists():
            self.rebuild([])

    # ---- state on disk

    def exists(self) -> bool:
        try:
            self._build_path(self._current_build())
        except IndexUnavailable:
            return False
        return True

    def _current_build(self) -> str:
        try:
            name = (self.directory / POINTER_FILE).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise IndexUnavailable(f"no search index in {self.directory}") from exc
        if not name.startswith(BUILD_PREFIX) or "/" in name or "\\" in name:
            raise IndexUnavailable(f"bad index pointer in {self.directory}")
        return name

    def _build_path(self, build: str) -> Path:
        path = self.directory / build
        if not path.is_dir():
            raise IndexUnavailable(f"index build {build} is missing")
        return path

    def _open(self, build: str) -> whoosh_index.Index:
        path = self._build_path(build)
        with _quiet_about_abandoned_files():
            try:
                return _SegmentsInMemory(str(path)).open_index()
            except Exception as exc:  # noqa: BLE001 - any failure to open means "rebuild"
                problem = f"cannot open the index in {path}: {exc!r}"
            gc.collect()
        raise IndexUnavailable(problem)

    def _vocabulary(self, build: str) -> Vocabulary:
        with self._lock:
            if build not in self._vocabularies:
                self._vocabularies = {
                    build: Vocabulary.load(self._build_path(build) / VOCABULARY_FILE)
                }
            return self._vocabularies[build]

    # ---- the reused searcher

    def _current_snapshot(self) -> _Snapshot:
        """The snapshot of the latest index generation, refreshed only on change."""
        with self._lock:
            build = self._current_build()
            snapshot = self._snapshot
            if snapshot is not None and snapshot.build == build and _up_to_date(snapshot.searcher):
                return snapshot
            with _quiet_about_abandoned_files():
                try:
                    self._snapshot = self._load_snapshot(build, snapshot)
                    return self._snapshot
                except Exception as exc:  # noqa: BLE001 - a damaged index fails in many ways
                    problem = (
                        str(exc)
                        if isinstance(exc, IndexUnavailable)
                        else f"cannot read the index: {exc!r}"
                    )
                self._drop_snapshot()
                gc.collect()
            raise IndexUnavailable(problem)

    def _load_snapshot(self, build: str, previous: _Snapshot | None) -> _Snapshot:
        if previous is not None and previous.build == build:
            searcher = previous.searcher.refresh()
            vocabulary, decompounder = previous.vocabulary, previous.decompounder
        else:
            self._drop_snapshot()
            self._segment_cache.clear()
            self._postings.clear()
            searcher = self._open(build).searcher()
            vocabulary = self._vocabulary(build)
            decompounder = Decompounder(vocabulary.lexicon())
        return _Snapshot.load(
            build,
            searcher,
            vocabulary,
            decompounder,
            self._segment_cache,
            self._facet_values,
            self._postings,
        )

    def _drop_snapshot(self) -> None:
        if self._snapshot:
            self._snapshot.close()
        self._snapshot = None

    def close(self) -> None:
        with self._lock:
            self._drop_snapshot()

    @property
    def mark(self) -> int:
        """Id of the last index job applied (what `rebuild`/`apply` stored)."""
        return self._current_snapshot().mark

    def doc_count(self) -> int:
        return self._current_snapshot().doc_count

    # ---- writing

    def rebuild(
        self,
        docs: Iterable[dict],
        progress: Callable[[int, int], None] | None = None,
        mark: int = 0,
    ) -> int:
        """Index `docs` into a fresh build and swap it in; returns the count.

        `mark` is the last index job already reflected in `docs` (read the job
        id *before* reading the documents). `progress(done, total)` is called
        after each document.
        """
        docs = list({int(doc["id"]): doc for doc in docs}.values())  # the last one of an id wins
        self.directory.mkdir(parents=True, exist_ok=True)
        build = f"{BUILD_PREFIX}{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
        staging = self.directory / (STAGING_PREFIX + build[len(BUILD_PREFIX) :])
        staging.mkdir()
        try:
            vocabulary = Vocabulary.from_documents(docs)
            vocabulary.save(staging / VOCABULARY_FILE)
            self._write_build(staging, docs, Decompounder(vocabulary.lexicon()), progress, mark)
            os.rename(staging, self.directory / build)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        previous = self._swap_pointer(build)
        self._remove_old_builds(keep={build, previous})
        return len(docs)

    @staticmethod
    def _write_build(
        path: Path,
        docs: Sequence[dict],
        decompounder: Decompounder,
        progress: Callable[[int, int], None] | None,
        mark: int,
    ) -> None:
        ix = whoosh_index.create_in(str(path), build_schema())
        writer = ix.writer(limitmb=256)
        try:
            for done, doc in enumerate(docs, start=1):
                writer.add_document(**prepare_document(doc, decompounder))
                if progress:
                    progress(done, len(docs))
            writer.add_document(**_mark_document(mark))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        ix.close()

    def _swap_pointer(self, build: str) -> str | None:
        try:
            previous = self._current_build()
        except IndexUnavailable:
            previous = None
        _write_atomically(self.directory / POINTER_FILE, build)
        return previous

    def _remove_old_builds(self, keep: set[str | None]) -> None:
        # The build just replaced is kept: other processes may be opening it now.
        for path in self.directory.glob(f"{BUILD_PREFIX}*"):
            if path.name not in keep and path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
        # Staging directories of rebuilds that died; a running one is younger.
        abandoned = time.time() - ABANDONED_STAGING_SECONDS
        for path in self.directory.glob(f"{STAGING_PREFIX}*"):
            if path.is_dir() and path.stat().st_mtime < abandoned:
                shutil.rmtree(path, ignore_errors=True)

    def apply(self, upserts: Sequence[dict], deletes: Sequence[int], mark: int) -> bool:
        """Apply index jobs up to `mark` in one commit (upserts replace by id).

        Returns False, changing nothing, when the index already holds a higher
        mark: another process applied newer jobs and these documents may be
        older than what it wrote. Raises `IndexBusy` when the write lock stays
        taken for `lock_timeout` seconds, `IndexUnavailable` without an index.
        """
        build = self._current_build()
        ix = self._open(build)
        new_terms = (term for doc in upserts for term in document_vocabulary(doc)[SWEDISH])
        decompounder = Decompounder(self._vocabulary(build).lexicon(new_terms))
        prepared = [prepare_document(doc, decompounder) for doc in upserts]
        deleted_ids = [str(int(doc_id)) for doc_id in deletes]
        writer = self._acquire_writer(ix)
        try:
            with writer.searcher() as searcher:
                if mark < _read_mark(searcher):
                    writer.cancel()
                    return False
            for doc_id in deleted_ids:
                writer.delete_by_term("id", doc_id)
            for fields in prepared:
                writer.update_document(**fields)
            writer.update_document(**_mark_document(mark))
            writer.commit()
        except _INDEX_ERRORS as exc:
            _cancel(writer)
            raise IndexUnavailable(f"cannot write to the index in {self.directory}: {exc}") from exc
        except BaseException:
            _cancel(writer)
            raise
        return True

    def _acquire_writer(self, ix: whoosh_index.Index):
        """Ix's writer, retrying with back-off while another writer holds the lock."""
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.02
        while True:
            try:
                return ix.writer()
            except LockError:
                if time.monotonic() + delay > deadline:
                    raise IndexBusy(
                        f"the search index in {self.directory} is locked by another writer"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
            except _INDEX_ERRORS as exc:
                raise IndexUnavailable(
                    f"cannot write to the index in {self.directory}: {exc}"
                ) from exc

    # ---- searching

    def search(self, request: SearchRequest) -> SearchResponse:
        """Run a search; bad input never raises (only IndexUnavailable can)."""
        request = _normalised(request)
        with self._lock:
            snapshot = self._current_snapshot()
            try:
                return _Search(snapshot, request, self._today()).run()
            except _INDEX_ERRORS as exc:
                self._drop_snapshot()
                raise IndexUnavailable(f"the search index failed: {exc}") from exc


def _cancel(writer) -> None:
    try:
        writer.cancel()
    except Exception:  # noqa: BLE001 - the error that made us cancel is the one to report
        pass


def _normalised(request: SearchRequest) -> SearchRequest:
    """A copy of the request with every value in range."""

    def as_int(value: Any, default: int, low: int, high: int) -> int:
        try:
            return min(max(int(value), low), high)
        except (TypeError, ValueError, OverflowError):
            return default

    sort = request.sort if request.sort in SORTS else "relevance"
    origin = _origin(request.origin)
    if sort == "distance" and origin is None:
        sort = "relevance"
    filters: dict[str, list[str]] = {}
    if isinstance(request.filters, dict):
        for name, values in request.filters.items():
            selected = _as_list(values)[:MAX_FILTER_VALUES] if name in FILTERS else []
            if selected:
                filters[name] = selected
    return SearchRequest(
        text=request.text if isinstance(request.text, str) else "",
        locale=request.locale if request.locale in ALL_LOCALES else SWEDISH,
        filters=filters,
        sort=sort,
        origin=origin,
        page=as_int(request.page, 1, 1, MAX_PAGE),
        per_page=as_int(request.per_page, 20, 1, MAX_PER_PAGE),
    )


def _origin(value: Any) -> tuple[float, float] | None:
    try:
        lat, lon = (_as_float(v) for v in value)
    except (TypeError, ValueError):
        return None
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


# -------------------------------------------------------------------- search


class _Search:
    """One search over one snapshot."""

    def __init__(self, snapshot: _Snapshot, request: SearchRequest, today: dt.date) -> None:
        self.snapshot = snapshot
        self.request = request
        self.today = today
        self.reader = snapshot.searcher.reader()

    def run(self) -> SearchResponse:
        plan = plan_query(self.request.text, self._context())
        scores = (
            _Scorer(self.snapshot, self.request.locale).query(plan) if not plan.is_empty else None
        )
        text_mask = self.snapshot.live if scores is None else self._text_matches(scores)
        filter_masks = {
            name: self.snapshot.facet_mask(name, values)
            for name, values in self.request.filters.items()
        }
        result_mask = text_mask.copy()
        for mask in filter_masks.values():
            result_mask &= mask
        total = int(np.count_nonzero(result_mask))

        first = (self.request.page - 1) * self.request.per_page
        stop = first + self.request.per_page
        page = self._ordered(result_mask, scores, stop)[first:stop]
        highlighter = _Highlighter(plan)
        return SearchResponse(
            total=total,
            page=self.request.page,
            per_page=self.request.per_page,
            hits=[
                self._hit(int(d), 0.0 if scores is None else float(scores[d]), highlighter)
                for d in page
            ],
            facets=self._facets(text_mask, filter_masks),
            suggestion=self._suggestion(plan, total),
        )

    def _text_matches(self, scores: np.ndarray) -> np.ndarray:
        matching = self.snapshot.live & (scores > 0)
        if not matching.any():
            return matching
        floor = MIN_SCORE_SHARE * float(scores[matching].max())
        return matching & (scores >= floor)

    # ---- the plan's questions to the index

    def _context(self) -> QueryContext:
        return QueryContext(
            locales=_search_locales(self.request.locale),
            primary=self.request.locale,
            decompounder=self.snapshot.decompounder,
            synonyms=default_synonyms(),
            is_known=self._is_known,
            fuzzy=self._fuzzy,
            compounds=self._compounds,
        )

    def _is_known(self, locale: str, term: str) -> bool:
        if self.snapshot.vocabulary.frequency(locale, term):
            return True
        # Words added since the last rebuild, and words only seen inside compounds.
        names = [f"{name}_{locale}" for name in TEXT_FIELD_BOOSTS]
        if locale == SWEDISH:
            names += list(PART_FIELD_BOOSTS)
        return any((name, term) in self.reader for name in names)

    def _compounds(self, term: str) -> list[str]:
        """Indexed Swedish compounds that begin or end with the term, commonest first.

        This finds "arbetsträning" for "träning" even where "träning" never
        occurs alone, so the index-time decompounding could not split it.
        The rest of the compound must look like a word: a head of four
        letters or more, or a tail that is itself a known word.
        """
        vocabulary = self.snapshot.vocabulary
        if len(term) < MIN_COMPOUND_QUERY:
            return []
        found = [
            c
            for c in vocabulary.ending_with(SWEDISH, term)
            if len(c) - len(term) >= MIN_UNKNOWN_HEAD
        ]
        for candidate in vocabulary.starting_with(SWEDISH, term):
            tail = candidate[len(term) :]
            if len(tail) >= MIN_KNOWN_TAIL and (
                vocabulary.frequency(SWEDISH, tail) or vocabulary.frequency(SWEDISH, tail[1:])
            ):
                found.append(candidate)
        found.sort(key=lambda c: -vocabulary.frequency(SWEDISH, c))
        return found[:MAX_COMPOUND_TERMS]

    def _fuzzy(self, locale: str, term: str) -> list[tuple[str, int]]:
        """Indexed terms within one edit (two for long words), closest and commonest first."""
        vocabulary = self.snapshot.vocabulary
        max_edits = 1 if len(term) < LONG_WORD else 2
        ranked = sorted(
            (edits, -vocabulary.frequency(locale, candidate), candidate)
            for candidate, edits in _close_terms(vocabulary, locale, term, max_edits)
        )
        return [(candidate, edits) for edits, _, candidate in ranked[:MAX_FUZZY_TERMS]]

    # ---- facets and order

    def _facets(
        self, text_mask: np.ndarray, filter_masks: dict[str, np.ndarray]
    ) -> dict[str, list[tuple[str, int]]]:
        """Counts per facet value over the whole result.

        A facet's own selection is left out of its counts (disjunctive
        faceting): a selected facet still shows the values one could add.
        """
        facets = {}
        for name in FACETS:
            base = text_mask.copy()
            for other, mask in filter_masks.items():
                if other != name:
                    base &= mask
            counts = self.snapshot.facet_counts(name, base)
            for value in self.request.filters.get(name, ()):
                counts.setdefault(value, 0)
            facets[name] = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        return facets

    def _ordered(self, result_mask: np.ndarray, scores: np.ndarray | None, stop: int) -> np.ndarray:
        """The first `stop` docnums of the result in the requested order."""
        docnums = np.flatnonzero(result_mask)
        rank = self.snapshot.newest_rank[docnums]
        sort = self.request.sort
        if sort == "relevance" and scores is not None:
            keys: tuple[np.ndarray, ...] = (rank, -scores[docnums])
        elif sort == "start":
            keys = (rank, self._start_key(docnums))
        elif sort == "distance":
            keys = (rank, self._distances(docnums))
        else:
            keys = (rank,)
        return _first_in_order(docnums, keys, stop)

    def _start_key(self, docnums: np.ndarray) -> np.ndarray:
        """Open intake first, then coming starts (soonest first), then past ones (latest first)."""
        start = self.snapshot.start[docnums]
        today = self.today.toordinal()
        dated = start >= 0
        group = np.select(
            [dated & (start >= today), dated, self.snapshot.open_intake[docnums]],
            [1, 2, 0],
            default=3,
        )
        date_key = np.where(group == 1, start, np.where(group == 2, -start, 0))
        # One integer key: the group, then the date within it (ordinals stay below 10**6).
        return group * _START_GROUP_SPAN + date_key

    def _distances(self, docnums: np.ndarray) -> np.ndarray:
        lat0, lon0 = (math.radians(v) for v in self.request.origin)
        lat = np.radians(self.snapshot.lat[docnums])
        lon = np.radians(self.snapshot.lon[docnums])
        h = (
            np.sin((lat - lat0) / 2) ** 2
            + math.cos(lat0) * np.cos(lat) * np.sin((lon - lon0) / 2) ** 2
        )
        distance = 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
        return np.where(np.isnan(distance), np.inf, distance)

    # ---- hits

    def _hit(self, docnum: int, score: float, highlighter: _Highlighter) -> Hit:
        texts = self.snapshot.searcher.stored_fields(docnum).get("texts") or {}
        translated = texts.get(self.request.locale) or {}
        locale = (
            self.request.locale
            if translated.get("summary") or translated.get("description")
            else SWEDISH
        )
        entry = texts.get(locale) or {}
        body = " ".join(t for t in (entry.get("summary"), entry.get("description")) if t)
        return Hit(
            id=int(self.snapshot.ids[docnum]),
            score=round(score, 4),
            snippet=highlighter.snippet(body, locale),
        )

    # ---- did you mean

    def _suggestion(self, plan: QueryPlan, total: int) -> str | None:
        """The query with misspelt words corrected, when it found little.

        With few hits every word unknown to the index is corrected; otherwise
        only words the index does not know as a whole (those searched with
        typo tolerance).
        """
        unknown = {clause.text for clause in plan.clauses if clause.unknown}
        if not unknown and total >= FEW_HITS:
            return None
        corrected = [
            self._correct(w) if total < FEW_HITS or w in unknown else w for w in plan.words
        ]
        return " ".join(corrected) if corrected != plan.words else None

    def _correct(self, word: str) -> str:
        vocabulary = self.snapshot.vocabulary
        if len(word) < 4 or word.isdigit() or vocabulary.frequency(SPELLING, word):
            return word
        max_edits = 1 if len(word) < LONG_WORD else 2
        candidates = _close_terms(vocabulary, SPELLING, word, max_edits, diacritics=True)
        if not candidates:
            return word
        folded = fold(word)
        # Restoring å/ä/ö beats any other correction, then fewer edits, then the commonest word.
        best = max(
            candidates,
            key=lambda item: (
                fold(item[0]) == folded,
                -item[1],
                vocabulary.frequency(SPELLING, item[0]),
            ),
        )
        return best[0]


def _search_locales(locale: str) -> list[str]:
    """Swedish always, the visitor's language, and English as a lingua franca."""
    locales = [SWEDISH]
    for extra in (locale, "en"):
        if extra not in locales:
            locales.append(extra)
    return locales


def _field_boosts(locale: str, with_parts: bool) -> dict[str, float]:
    boosts = {f"{name}_{locale}": boost for name, boost in TEXT_FIELD_BOOSTS.items()}
    if locale == SWEDISH:
        boosts["place_sv"] = PLACE_BOOST
        if with_parts:
            boosts.update(PART_FIELD_BOOSTS)
    return boosts


def _close_terms(
    vocabulary: Vocabulary, locale: str, term: str, max_edits: int, diacritics: bool = False
) -> list[tuple[str, int]]:
    """(known term, edits) within `max_edits` of `term`, other than itself.

    Only terms sharing the first two letters are compared (typing errors
    rarely hit them), which keeps this a short slice of the sorted vocabulary.
    A long word without such candidates gets a second look at terms sharing
    its first letter and its last three ("abretsträning").
    """
    prefixes = prefix_variants(term) if diacritics else [term[:2]]
    candidates = (c for prefix in prefixes for c in vocabulary.starting_with(locale, prefix))
    found = _within(candidates, term, max_edits)
    if not found and len(term) >= LONG_WORD:
        ending = term[-3:]
        wider = (c for c in vocabulary.starting_with(locale, term[:1]) if c.endswith(ending))
        found = _within(wider, term, max_edits)
    return found


def _within(candidates: Iterable[str], term: str, max_edits: int) -> list[tuple[str, int]]:
    found = []
    for candidate in candidates:
        if candidate != term and abs(len(candidate) - len(term)) <= max_edits:
            edits = edit_distance(term, candidate, max_edits)
            if edits <= max_edits:
                found.append((candidate, edits))
    return found


# -------------------------------------------------------------------- scoring


# Scores as (docnums, values), each docnum once, or (None, values over all docnums).
_Scores = tuple[np.ndarray | None, np.ndarray]


class _Scorer:
    """BM25F scores of a query plan, as one array over all docnums.

    An alternative (a term or phrase in one language) is scored by BM25F: its
    frequencies in the fields, weighted by field boost and normalised by field
    length, are added *before* saturation, so a word repeated in title,
    summary and labels counts only a little more than one in the title alone.
    Within a clause the best alternative counts fully and the others only a
    little, so a word with many synonyms does not outweigh one without; the
    clauses of a query are summed.
    """

    def __init__(self, snapshot: _Snapshot, locale: str) -> None:
        self.snapshot = snapshot
        self.reader = snapshot.searcher.reader()
        self.locale = locale

    def query(self, plan: QueryPlan) -> np.ndarray:
        total = np.zeros(self.snapshot.size)
        for clause in plan.clauses:
            total += self.clause(clause)
        return total

    def clause(self, clause: Clause) -> np.ndarray:
        options = [self.alternative(a) for a in _distinct(clause.alternatives)]
        if clause.parts:
            options.append(self.parts(clause.parts))
        best = np.zeros(self.snapshot.size)
        total = np.zeros(self.snapshot.size)
        for option in options:
            if option is None:
                continue
            ids, scores = option
            if ids is None:
                np.maximum(best, scores, out=best)
                total += scores
            else:
                best[ids] = np.maximum(best[ids], scores)
                total[ids] += scores
        return best + CLAUSE_TIEBREAK * (total - best)

    def parts(self, parts: list[Clause]) -> _Scores:
        """Parts of a compound query word: summed, scaled by the share matched."""
        total = np.zeros(self.snapshot.size)
        matched = np.zeros(self.snapshot.size)
        for part in parts:
            scores = self.clause(part)
            total += scores
            matched += scores > 0
        return None, PART_WEIGHT * total * matched / len(parts)

    def alternative(self, alternative: Alternative) -> _Scores | None:
        """The BM25F scores of the documents an alternative matches."""
        unweighted = self.snapshot.scores.get(_matching_key(alternative), lambda: self._bm25(alternative))
        if unweighted is None:
            return None
        ids, scores = unweighted
        return ids, scores * (alternative.weight * self._locale_weight(alternative.locale))

    def _bm25(self, alternative: Alternative) -> _Scores | None:
        """BM25F of an alternative at weight 1.

        Most alternatives (synonyms, compound parts, fuzzy terms) match few
        documents and are kept sparse; one that matches many, as a common word
        on a large index does, is cheaper as one array over all docnums.
        """
        found: list[tuple[np.ndarray, np.ndarray]] = []
        single = len(alternative.terms) == 1 or alternative.any_of
        for name, boost in _field_boosts(alternative.locale, alternative.compound_parts).items():
            if single:
                postings = [self.frequencies(name, term) for term in alternative.terms]
            elif not name.startswith("parts_"):
                postings = [self.together(name, alternative.terms)]
            else:
                continue
            found += [(ids, boost * values) for ids, values in postings if len(ids)]
        if not found:
            return None
        ids, frequencies = self._summed(found)
        matching = np.count_nonzero(frequencies) if ids is None else len(ids)
        idf = math.log(1 + (self.snapshot.doc_count - matching + 0.5) / (matching + 0.5))
        return ids, idf * (BM25_K1 + 1) * frequencies / (BM25_K1 + frequencies)

    def _summed(self, found: list[tuple[np.ndarray, np.ndarray]]) -> _Scores:
        """Frequencies per document added over fields: sparse, or dense when many."""
        if len(found) == 1:
            return found[0]
        ids = np.concatenate([ids for ids, _ in found])
        values = np.concatenate([values for _, values in found])
        if len(ids) * SPARSE_SHARE < self.snapshot.size:
            unique, positions = np.unique(ids, return_inverse=True)
            return unique, np.bincount(positions, weights=values)
        return None, np.bincount(ids, weights=values, minlength=self.snapshot.size)

    def frequencies(self, name: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, length-normalised frequencies) of one term in one field."""
        key = (name, term)
        cache = self.snapshot.term_cache
        if key not in cache:
            if len(cache) >= TERM_CACHE_SIZE:
                cache.clear()
            ids, counts = self.snapshot.postings.postings(self.reader, name, term)
            cache[key] = (
                ids,
                counts / self.snapshot.field_norms(name)[ids] if len(ids) else counts,
            )
        return cache[key]

    def together(self, name: str, terms: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Mean frequency of a phrase's terms where they all occur in the field.

        Co-occurrence stands in for adjacency: much cheaper, and synonym
        phrases are short enough that the difference rarely matters.
        Postings are sorted by docnum, so the rarest term's documents are
        looked up in the others' by binary search, unless every term is common.
        """
        postings = sorted((self.frequencies(name, term) for term in terms), key=lambda p: len(p[0]))
        ids, summed = postings[0]
        if len(ids) * SPARSE_SHARE >= self.snapshot.size:  # all common: count them densely
            present = np.zeros(self.snapshot.size, dtype=np.int32)
            dense = np.zeros(self.snapshot.size)
            for other_ids, other_values in postings:
                present[other_ids] += 1
                dense[other_ids] += other_values
            ids = ids[present[ids] == len(terms)]
            return ids, dense[ids] / len(terms)
        for other_ids, other_values in postings[1:]:
            if not len(ids):
                break
            positions = np.minimum(np.searchsorted(other_ids, ids), len(other_ids) - 1)
            found = other_ids[positions] == ids
            ids, summed = ids[found], summed[found] + other_values[positions[found]]
        return ids, summed / len(terms)

    def _locale_weight(self, locale: str) -> float:
        return AUXILIARY_ENGLISH_WEIGHT if locale == "en" and self.locale != "en" else 1.0


def _distinct(alternatives: Iterable[Alternative]) -> list[Alternative]:
    """One alternative per way of matching, keeping the highest weight."""
    best: dict[tuple[str, tuple[str, ...], bool, bool], Alternative] = {}
    for alternative in alternatives:
        key = _matching_key(alternative)
        if key not in best or best[key].weight < alternative.weight:
            best[key] = alternative
    return list(best.values())


def _matching_key(alternative: Alternative) -> tuple[str, tuple[str, ...], bool, bool]:
    """What decides which documents an alternative matches and how well (not its weight).

    Flags that change nothing are left out: compound parts are indexed for
    Swedish only, and `any_of` means nothing for one term.
    """
    return (
        alternative.locale,
        alternative.terms,
        alternative.compound_parts and alternative.locale == SWEDISH,
        alternative.any_of and len(alternative.terms) > 1,
    )


class _ScoreCache:
    """BM25F scores per alternative for one index generation, least recently used out.

    Common words are the expensive ones to score on a large index (their
    postings cover most documents), and they are the ones many different
    queries share: "arbete" is a part of "arbetsträning" and a synonym of
    "jobb", "work" the English of both. The budget counts bytes. Used under
    the index's lock, as the rest of a snapshot.
    """

    def __init__(self, budget: int | None = None) -> None:
        self._entries = LRUCache(maxsize=SCORE_CACHE_BYTES if budget is None else budget, getsizeof=_nbytes)

    def get(self, key: Any, compute: Callable[[], _Scores | None]) -> _Scores | None:
        if key in self._entries:
            return self._entries[key]  # and makes it the most recently used
        value = compute()
        _keep(self._entries, key, value)
        return value


def _keep(cache: LRUCache, key: Any, value: Any) -> None:
    """Cache ``value`` unless it alone is larger than the whole budget."""
    try:
        cache[key] = value
    except ValueError:
        pass


def _nbytes(scores: _Scores | None) -> int:
    if scores is None:
        return 64
    ids, values = scores
    return 64 + values.nbytes + (0 if ids is None else ids.nbytes)


def _first_in_order(docnums: np.ndarray, keys: tuple[np.ndarray, ...], stop: int) -> np.ndarray:
    """The first `stop` of `docnums` ordered by `keys` (as `np.lexsort`: the last key first).

    Sorting a broad result whole costs more than the rest of a search on a large
    index; only what can reach the page is sorted: whatever the last key puts at
    or before the `stop`-th place, ties included, so the order is the same.
    """
    if stop < len(docnums):
        primary = keys[-1]
        kth = np.partition(primary, stop - 1)[stop - 1]
        candidates = primary <= kth
        docnums = docnums[candidates]
        keys = tuple(key[candidates] for key in keys)
    return docnums[np.lexsort(keys)][:stop]


class _PostingsCache:
    """Decoded postings per (segment, field, term), least recently used first out.

    Segments never change, so entries stay valid while the index grows by
    new segments; the budget counts postings (8 bytes each).
    """

    def __init__(self, budget: int = POSTINGS_CACHE_BUDGET) -> None:
        self._entries = LRUCache(maxsize=budget, getsizeof=lambda entry: len(entry[0]) + 1)

    def postings(self, reader: IndexReader, name: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, term frequencies) of a term; deleted documents included."""
        id_blocks: list[np.ndarray] = []
        count_blocks: list[np.ndarray] = []
        for leaf, offset in reader.leaf_readers():
            ids, counts = self._segment_postings(leaf, name, term)
            if len(ids):
                id_blocks.append(ids + offset)
                count_blocks.append(counts)
        if not id_blocks:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(id_blocks), np.concatenate(count_blocks)

    def _segment_postings(
        self, leaf: IndexReader, name: str, term: str
    ) -> tuple[np.ndarray, np.ndarray]:
        key = (leaf.segment().segment_id(), name, term)
        entry = self._entries.get(key)
        if entry is None:
            entry = _read_postings(leaf, name, term)
            _keep(self._entries, key, entry)
        return entry

    def clear(self) -> None:
        self._entries.clear()


def _read_postings(leaf: IndexReader, name: str, term: str) -> tuple[np.ndarray, np.ndarray]:
    if (name, term) not in leaf:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    matcher = leaf.postings(name, term)
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child  # deleted documents are masked out later
    blocks = list(_posting_blocks(matcher))
    if not blocks:  # every posting deleted
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    ids = np.concatenate([ids for ids, _ in blocks]).astype(np.int32)
    counts = np.concatenate([counts for _, counts in blocks]).astype(np.float32)
    return ids, counts


def _posting_blocks(matcher) -> Iterable[tuple[np.ndarray, np.ndarray]]:
    """A matcher's postings as numpy arrays, a block at a time.

    Whoosh's own block reader decodes ids with a Python loop; the stored
    block (a tuple of id deltas and a tuple, float or None of weights) is
    decoded here with numpy instead, and other matchers are walked one
    posting at a time.
    """
    if not isinstance(matcher, W3LeafMatcher) or matcher._byteids:
        ids, counts = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            counts.append(matcher.weight())
            matcher.next()
        yield np.array(ids, dtype=np.int64), np.array(counts, dtype=np.float64)
        return
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        deltas, weights = matcher._data[0], matcher._data[1]
        ids = np.cumsum(np.array(deltas, dtype=np.int64))
        if weights is None:
            counts = np.ones(len(ids))
        elif isinstance(weights, float):
            counts = np.full(len(ids), weights)
        else:
            counts = np.array(weights, dtype=np.float64)
        yield ids, counts
        matcher._next_block()


# ------------------------------------------------------------------ snippets


class _Highlighter:
    """Marks the words a query matched; remembers its decisions per term."""

    def __init__(self, plan: QueryPlan) -> None:
        self.terms = plan.highlight
        self._memo: dict[tuple[str, str], bool] = {}
        self._parts: dict[str, list[str]] = {}

    def snippet(self, text: str, locale: str) -> str:
        """About `SNIPPET_WORDS` words of `text` from just before the first
        match: escaped, matched words in <mark>."""
        start = self._anchor(text, locale)
        segment = text[start : start + SNIPPET_CHARS]
        spans = word_spans(segment, SNIPPET_WORDS)
        if not spans:
            return ""
        analyzer = analyzer_for(locale)
        terms = self.terms.get(locale, set())
        end = spans[-1].end if start + spans[-1].end < len(text.rstrip()) else len(segment)

        pieces = ["…"] if start else []
        cursor = 0
        for span in spans:
            if self._matches(locale, analyzer.term(span.word), terms):
                pieces.append(html.escape(segment[cursor : span.start]))
                pieces.append(f"<mark>{html.escape(segment[span.start : span.end])}</mark>")
                cursor = span.end
        pieces.append(html.escape(segment[cursor:end]))
        if start + end < len(text.rstrip()):
            pieces.append("…")
        return "".join(pieces)

    def _anchor(self, text: str, locale: str) -> int:
        """Where the snippet starts: a few words before the first likely match.

        Terms are folded stems, so they occur as substrings of the folded
        text; this finds the spot without analysing every word.
        """
        terms = [term for term in self.terms.get(locale, ()) if len(term) >= 3]
        if not terms:
            return 0
        folded = fold(text.lower())
        found = [folded.find(term) for term in terms]
        first = min((position for position in found if position >= 0), default=0)
        if first <= SNIPPET_LEAD_CHARS:
            return 0
        return text.rfind(" ", 0, first - SNIPPET_LEAD_CHARS) + 1

    def _matches(self, locale: str, term: str | None, terms: set[str]) -> bool:
        if not term:
            return False
        key = (locale, term)
        if key not in self._memo:
            # A compound containing a searched part counts: "cykelverkstad" for "verkstad".
            self._memo[key] = term in terms or any(
                part in term for part in self._long_terms(locale, terms)
            )
        return self._memo[key]

    def _long_terms(self, locale: str, terms: set[str]) -> list[str]:
        if locale not in self._parts:
            self._parts[locale] = [t for t in terms if len(t) >= 4]
        return self._parts[locale]
