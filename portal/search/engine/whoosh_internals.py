"""Everything that reaches into Whoosh's internals, kept in this one module.

Whoosh's public API reads postings and field lengths one document at a time in
Python and maps segment files; these functions read the stored blocks and
columns directly (with numpy) and read segment files into memory. They are
tied to the Whoosh version pinned in pyproject.toml; when one of its private
attributes moves, this is the only module to change.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile
from whoosh.formats import Frequency
from whoosh.index import Index
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import IndexReader
from whoosh.system import emptybytes, pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

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


# ---- writing a segment directly

TOKENS = SpaceSeparatedTokenizer().expression  # how Whoosh splits a pre-tokenised text


class _NoPool:
    """Stands in for the writer's posting pool: the postings are handed to the field
    writer directly, so there is nothing to sort or clean up."""

    def iter_postings(self):
        return iter(())

    def cleanup(self) -> None:
        pass


class SegmentBuilder:
    """Writes one new segment of `ix` through Whoosh's own codec writers (the per-document
    writer and the field writer of a `SegmentWriter`), without its per-token pipeline and
    its sorting pool.

    Text fields with the `Frequency` format (pre-tokenised: terms joined by spaces) are split
    here and their postings gathered per field and term (document numbers and frequencies
    in arrays); other indexed fields go through the field's own `index`. What is written is
    what `SegmentWriter.add_document` and `commit` write for the same documents: the same
    stored fields, columns, lengths, terms, postings (weight = frequency, value = varint of
    the frequency) and term statistics.
    """

    def __init__(self, ix: Index, *, lock: bool) -> None:
        self.writer = SegmentWriter(ix, _lk=lock)
        self.writer.pool.cleanup()
        self.writer.pool = _NoPool()
        self.schema = ix.schema
        self._split = {name for name, field in self.schema.items()
                       if field.indexed and type(field.format) is Frequency
                       and field.format.field_boost == 1.0 and not field.vector
                       and not field.separate_spelling() and not field.stored and not field.column_type}
        self._postings: dict[str, dict[str, array]] = {name: {} for name in self.schema.names()}
        self._other: list[tuple[str, bytes, int, float, bytes]] = []

    def add(self, fields: dict) -> None:
        writer, schema = self.writer, self.schema
        perdoc, docnum = writer.perdocwriter, writer.docnum
        perdoc.start_doc(docnum)
        for name in sorted(fields):
            if name.startswith("_"):
                continue
            value = fields[name]
            if value is None:
                continue
            field = schema[name]
            length = 0
            if name in self._split:
                if not value:
                    continue  # Whoosh's writer indexes and records nothing for it either
                counts = Counter(TOKENS.findall(value))
                if field.scorable:
                    length = sum(counts.values())
                # The length the field writer is given is the one the lengths column keeps.
                stored = byte_to_length(length_to_byte(length)) if length else 0
                terms = self._postings[name]
                for term, freq in counts.items():
                    postings = terms.get(term)
                    if postings is None:
                        postings = terms[term] = array("q")
                    postings.extend((docnum, freq, stored))
            elif field.indexed:
                for tbytes, freq, weight, vbytes in field.index(value):
                    if field.scorable:
                        length += freq
                    self._other.append((name, tbytes, docnum, weight, vbytes))
            perdoc.add_field(name, field, value if field.stored else None, length)
            if field.column_type:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        perdoc.finish_doc()
        writer._added = True
        writer.docnum += 1

    def finish(self):
        """Writes the segment's files and returns the segment (not yet in any TOC).

        Fields and terms in the order Whoosh's pool sorts them (UTF-8 bytes sort as the code
        points do); a gathered term's postings are handed to the postings writer a block at a
        time, cut and summarised as its `add_posting` would cut and summarise them."""
        writer = self.writer
        writer.perdocwriter.close()
        fieldwriter = writer.fieldwriter
        other: dict[str, list] = {}
        for item in sorted(self._other):
            other.setdefault(item[0], []).append(item)
        lengths = writer.per_document_reader()
        try:
            for name in sorted(set(other) | {n for n, terms in self._postings.items() if terms}):
                fieldwriter.start_field(name, self.schema[name])
                if name in other:
                    lasttext = None
                    for _, btext, docnum, weight, value in other[name]:
                        if btext != lasttext:
                            if lasttext is not None:
                                fieldwriter.finish_term()
                            fieldwriter.start_term(btext)
                            lasttext = btext
                        fieldwriter.add(docnum, weight, value or emptybytes, lengths.doc_field_length(docnum, name))
                    if lasttext is not None:
                        fieldwriter.finish_term()
                else:
                    terms = self._postings[name]
                    for term in sorted(terms):
                        fieldwriter.start_term(term.encode("utf-8"))
                        _add_postings(fieldwriter._postwriter, terms[term])
                        fieldwriter.finish_term()
                fieldwriter.finish_field()
        finally:
            lengths.close()
        fieldwriter.close()
        writer._close_segment()
        writer._assemble_segment()
        return writer.get_segment()

    def commit(self, segments: Sequence = ()) -> None:
        """Finishes this segment and makes `segments` and it the index's segments."""
        if self.writer.docnum:
            segments = [*segments, self.finish()]
        else:
            self.writer._close_segment()  # its empty files are removed with the TOC's leftovers
        self.writer._commit_toc(list(segments))
        self.writer._finish()

    def cancel(self) -> None:
        self.writer.cancel()


def _add_postings(postwriter, postings: array) -> None:
    """`postings` (docnum, frequency, length triples) into a `W3PostingsWriter`, as calls of
    its `add_posting(docnum, float(frequency), pack_uint(frequency), length)` would: a full
    block is written when the next posting comes, the last one is left for
    `finish_postings`; per block the largest weight and the least and largest non-zero
    length."""
    limit = postwriter._blocklimit
    count = len(postings) // 3
    for start in range(0, count, limit):
        if start:
            postwriter._write_block()
        stop = min(count, start + limit)
        docnums = postings[3 * start : 3 * stop : 3]
        freqs = postings[3 * start + 1 : 3 * stop : 3]
        lengths = [length for length in postings[3 * start + 2 : 3 * stop : 3] if length]
        postwriter._ids = array("I", docnums)
        postwriter._weights = array("f", map(float, freqs))
        postwriter._values = [pack_uint(freq) for freq in freqs]
        postwriter._maxweight = max(0, float(max(freqs)))
        postwriter._minlength = min(lengths) if lengths else None
        postwriter._maxlength = max(lengths, default=0)
