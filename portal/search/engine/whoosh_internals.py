"""Everything that reaches into Whoosh's internals, kept in this one module.

Whoosh's public API reads postings and field lengths one document at a time in
Python and maps segment files; these functions read the stored blocks and
columns directly (with numpy) and read segment files into memory. They are
tied to the Whoosh version pinned in pyproject.toml; when one of its private
attributes moves, this is the only module to change.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import IndexReader
from whoosh.util.numeric import byte_to_length

BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
SEGMENT_SUFFIX = ".seg"


def read_field_lengths(leaf: IndexReader, name: str) -> np.ndarray:
    size = leaf.doc_count_all()
    lengths = np.zeros(size)
    try:
        # Whoosh keeps one length byte per document; read them all at once.
        column = leaf._perdoc.column_reader(f"_{name}_len", LENGTHS_COLUMN)
        raw = np.frombuffer(column._dbfile.get(column._basepos, column._count), dtype=np.uint8)
        lengths[: len(raw)] = BYTE_TO_LENGTH[raw]
    except Exception:  # noqa: BLE001 - no length column yet, or Whoosh internals moved
        for docnum in range(size):
            lengths[docnum] = leaf.doc_field_length(docnum, name, 0) or 0
    return lengths


class SegmentsInMemory(FileStorage):
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


def read_postings(leaf: IndexReader, name: str, term: str) -> tuple[np.ndarray, np.ndarray]:
    if (name, term) not in leaf:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    matcher = leaf.postings(name, term)
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child  # deleted documents are masked out later
    blocks = list(posting_blocks(matcher))
    if not blocks:  # every posting deleted
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    ids = np.concatenate([ids for ids, _ in blocks]).astype(np.int32)
    counts = np.concatenate([counts for _, counts in blocks]).astype(np.float32)
    return ids, counts


def posting_blocks(matcher) -> Iterable[tuple[np.ndarray, np.ndarray]]:
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
