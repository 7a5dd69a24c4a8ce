"""A fresh build written segment by segment, the analysis and the writing spread over the cores.

Each document's texts are analysed once (`analyse_document`): the vocabulary of the build and
the field values come from the same pass. Only the compound heads wait for the lexicon of the
whole build. With one process, the parent analyses everything, builds the vocabulary and writes
one segment. With several, the documents are split in contiguous slices, one forked process
each: a process analyses its slice and sends back its vocabulary counts (small: the distinct
terms), the parent sums them and sends the lexicon back, and each process then writes its own
segment through `SegmentBuilder` (Whoosh's codec writers, without its per-token pipeline and
sorting pool), the last one with the mark document after its slice, and sends back the
segment's description. The parent writes the table of contents naming them all, in order.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from whoosh import index as whoosh_index

from ..analysis import Decompounder
from .fields import analyse_document, build_schema, mark_document, prepare_document
from .vocabulary import Vocabulary
from .whoosh_internals import SegmentBuilder


class BuildFailed(RuntimeError):
    """A writer process failed; the message carries its traceback."""


def write_direct(
    path: Path,
    docs: Sequence[dict],
    processes: int,
    progress: Callable[[int, int], None] | None,
    mark: int,
) -> Vocabulary:
    """Write `docs` and the mark into a new index in `path`; returns the build's vocabulary."""
    ix = whoosh_index.create_in(str(path), build_schema())
    try:
        if processes < 2 or len(docs) < 2:
            return _write_here(ix, docs, progress, mark)
        return _write_in_processes(ix, docs, processes, progress, mark)
    finally:
        ix.close()


def _write_here(ix, docs, progress, mark) -> Vocabulary:
    analysed = [analyse_document(doc) for doc in docs]
    vocabulary = Vocabulary.from_analysed(analysed)
    decompounder = Decompounder(vocabulary.lexicon())
    builder = SegmentBuilder(ix, lock=True)
    try:
        for done, (doc, analysis) in enumerate(zip(docs, analysed, strict=True), start=1):
            builder.add(prepare_document(doc, decompounder, analysis))
            if progress:
                progress(done, len(docs))
        builder.add(mark_document(mark))
    except BaseException:
        builder.cancel()
        raise
    builder.commit()
    return vocabulary


def _write_in_processes(ix, docs, processes, progress, mark) -> Vocabulary:
    context = multiprocessing.get_context("fork")
    step = -(-len(docs) // processes)
    slices = [docs[start : start + step] for start in range(0, len(docs), step)]
    channels, workers = [], []
    try:
        for number, part in enumerate(slices, start=1):
            parent_end, child_end = context.Pipe()
            last = mark_document(mark) if number == len(slices) else None
            worker = context.Process(target=_write_slice, args=(ix.storage.folder, part, last, child_end),
                                     daemon=True)
            worker.start()
            child_end.close()
            channels.append(parent_end)
            workers.append(worker)
        vocabulary = Vocabulary()
        for channel in channels:
            _add_counts(vocabulary, _received(channel))
        lexicon = vocabulary.lexicon()
        for channel in channels:
            channel.send(lexicon)
        segments, done = [], 0
        for channel, part in zip(channels, slices, strict=True):
            segments.append(_received(channel))
            done += len(part)
            if progress:
                progress(done, len(docs))
        SegmentBuilder(ix, lock=True).commit(segments)
        return vocabulary
    finally:
        for worker in workers:
            worker.join(timeout=5)
            if worker.is_alive():
                worker.kill()
                worker.join()


def _received(channel):
    try:
        kind, value = channel.recv()
    except EOFError:
        raise BuildFailed("an index writer process ended without an answer") from None
    if kind == "error":
        raise BuildFailed(f"an index writer process failed:\n{value}")
    return value


def _add_counts(vocabulary: Vocabulary, counts: dict[str, dict[str, int]]) -> None:
    for locale, terms in counts.items():
        total = vocabulary.counts.setdefault(locale, {})
        for term, count in terms.items():
            total[term] = total.get(term, 0) + count


def _write_slice(folder: str, docs: Sequence[dict], mark: dict | None, channel) -> None:
    """In a forked process: analyse `docs`, send their vocabulary counts, wait for the
    lexicon, write a segment of them (and of the `mark` document, after them, in the last
    process, as the single writer has it) and send its description."""
    try:
        analysed = [analyse_document(doc) for doc in docs]
        channel.send(("counts", Vocabulary.from_analysed(analysed).counts))
        decompounder = Decompounder(channel.recv())
        ix = whoosh_index.open_dir(folder)
        builder = SegmentBuilder(ix, lock=False)
        for doc, analysis in zip(docs, analysed, strict=True):
            builder.add(prepare_document(doc, decompounder, analysis))
        if mark is not None:
            builder.add(mark)
        segment = builder.finish()  # the temporary directory is shared: the parent removes it
        channel.send(("segment", segment))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises it
        try:
            channel.send(("error", traceback.format_exc()))
        except Exception:  # noqa: BLE001 - the parent sees the closed pipe
            pass
    finally:
        channel.close()
        os._exit(0)
