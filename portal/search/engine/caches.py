"""Bounded caches of one index: decoded postings per segment, scores per alternative."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from cachetools import LRUCache
from whoosh.reading import IndexReader

from .whoosh_internals import read_postings

POSTINGS_CACHE_BUDGET = 4_000_000  # postings kept decoded in memory (8 bytes each)
SCORE_CACHE_BYTES = 64 * 1024 * 1024  # scores of alternatives kept per index generation

# Scores as (docnums, values), each docnum once, or (None, values over all docnums).
Scores = tuple[np.ndarray | None, np.ndarray]


class ScoreCache:
    """BM25F scores per alternative for one index generation, least recently used out.

    Common words are the expensive ones to score on a large index (their
    postings cover most documents), and they are the ones many different
    queries share: "arbete" is a part of "arbetsträning" and a synonym of
    "jobb", "work" the English of both. The budget counts bytes. Used under
    the index's lock, as the rest of a snapshot.
    """

    def __init__(self, budget: int | None = None) -> None:
        self._entries = LRUCache(maxsize=SCORE_CACHE_BYTES if budget is None else budget, getsizeof=nbytes)

    def get(self, key: Any, compute: Callable[[], Scores | None]) -> Scores | None:
        if key in self._entries:
            return self._entries[key]  # and makes it the most recently used
        value = compute()
        keep(self._entries, key, value)
        return value


def keep(cache: LRUCache, key: Any, value: Any) -> None:
    """Cache ``value`` unless it alone is larger than the whole budget."""
    try:
        cache[key] = value
    except ValueError:
        pass


def nbytes(scores: Scores | None) -> int:
    if scores is None:
        return 64
    ids, values = scores
    return 64 + values.nbytes + (0 if ids is None else ids.nbytes)


class PostingsCache:
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
            entry = read_postings(leaf, name, term)
            keep(self._entries, key, entry)
        return entry

    def clear(self) -> None:
        self._entries.clear()
