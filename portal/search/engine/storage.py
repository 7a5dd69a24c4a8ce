"""The index directory on disk: the pointer to the active build, rebuilds and applied changes.

`directory` holds a pointer file `CURRENT` naming the active build
(`index-<time>-<random>/`: a complete Whoosh index plus `vocabulary.json`). A
rebuild writes a new build beside it and swaps the pointer with `os.replace`,
so readers never see a half-built index, and a reader that still has the old
build open keeps working until its next search notices the new pointer. The
mark (last applied index job) is a special document inside the index, so it
is committed atomically with the changes it stands for.
"""

from __future__ import annotations

import gc
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import LockError

from ..analysis import SWEDISH, Decompounder
from .errors import INDEX_ERRORS, IndexBusy, IndexUnavailable
from .fields import (
    AnalysedDocument,
    analyse_document,
    build_schema,
    document_vocabulary,
    mark_document,
    prepare_document,
)
from .building import write_direct
from .files import write_atomically
from .snapshot import quiet_about_abandoned_files, read_mark
from .vocabulary import Vocabulary
from .whoosh_internals import SegmentsInMemory

POINTER_FILE = "CURRENT"
VOCABULARY_FILE = "vocabulary.json"
BUILD_PREFIX = "index-"
STAGING_PREFIX = "building-"
ABANDONED_STAGING_SECONDS = 6 * 3600
PARALLEL_BUILD_MIN = 500  # documents; below, forking the writer processes costs more than it saves
BUILD_BATCH = 100  # documents handed to a writer process at a time


class Builds:
    """The builds in an index directory and the pointer to the current one."""

    def __init__(self, directory: Path, lock_timeout: float) -> None:
        self.directory = directory
        self.lock_timeout = lock_timeout

    def current(self) -> str:
        try:
            name = (self.directory / POINTER_FILE).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise IndexUnavailable(f"no search index in {self.directory}") from exc
        if not name.startswith(BUILD_PREFIX) or "/" in name or "\\" in name:
            raise IndexUnavailable(f"bad index pointer in {self.directory}")
        return name

    def path(self, build: str) -> Path:
        path = self.directory / build
        if not path.is_dir():
            raise IndexUnavailable(f"index build {build} is missing")
        return path

    def open(self, build: str) -> whoosh_index.Index:
        path = self.path(build)
        with quiet_about_abandoned_files():
            try:
                return SegmentsInMemory(str(path)).open_index()
            except Exception as exc:  # noqa: BLE001 - any failure to open means "rebuild"
                problem = f"cannot open the index in {path}: {exc!r}"
            gc.collect()
        raise IndexUnavailable(problem)

    def vocabulary(self, build: str) -> Vocabulary:
        return Vocabulary.load(self.path(build) / VOCABULARY_FILE)

    # ---- rebuilding

    def rebuild(
        self,
        docs: Sequence[dict],
        progress: Callable[[int, int], None] | None,
        mark: int,
        writer: str = "direct",
        processes: int | None = None,
    ) -> None:
        """Write `docs` into a fresh build and point to it (`writer`: see `SearchIndex.rebuild`)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        build = f"{BUILD_PREFIX}{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
        staging = self.directory / (STAGING_PREFIX + build[len(BUILD_PREFIX) :])
        staging.mkdir()
        try:
            processes = build_processes(len(docs)) if processes is None else processes
            if writer == "direct":
                vocabulary = write_direct(staging, docs, processes, progress, mark)
            elif writer == "whoosh":
                analysed = [analyse_document(doc) for doc in docs]  # each text once, for both uses
                vocabulary = Vocabulary.from_analysed(analysed)
                write_build(staging, docs, analysed, Decompounder(vocabulary.lexicon()), progress, mark,
                            processes)
            else:
                raise ValueError(f"unknown index writer {writer!r}")
            vocabulary.save(staging / VOCABULARY_FILE)
            os.rename(staging, self.directory / build)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        previous = self._swap_pointer(build)
        self._remove_old_builds(keep={build, previous})

    def _swap_pointer(self, build: str) -> str | None:
        try:
            previous = self.current()
        except IndexUnavailable:
            previous = None
        write_atomically(self.directory / POINTER_FILE, build)
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

    # ---- applying changes

    def apply(
        self,
        build: str,
        vocabulary_of: Callable[[str], Vocabulary],
        upserts: Sequence[dict],
        deletes: Sequence[int],
        mark: int,
    ) -> bool:
        """Apply changes up to `mark` to `build` in one commit; see `SearchIndex.apply`."""
        ix = self.open(build)
        new_terms = (term for doc in upserts for term in document_vocabulary(doc)[SWEDISH])
        decompounder = Decompounder(vocabulary_of(build).lexicon(new_terms))
        prepared = [prepare_document(doc, decompounder) for doc in upserts]
        deleted_ids = [str(int(doc_id)) for doc_id in deletes]
        writer = self._acquire_writer(ix)
        try:
            with writer.searcher() as searcher:
                if mark < read_mark(searcher):
                    writer.cancel()
                    return False
            for doc_id in deleted_ids:
                writer.delete_by_term("id", doc_id)
            for fields in prepared:
                writer.update_document(**fields)
            writer.update_document(**mark_document(mark))
            writer.commit()
        except INDEX_ERRORS as exc:
            cancel_writer(writer)
            raise IndexUnavailable(f"cannot write to the index in {self.directory}: {exc}") from exc
        except BaseException:
            cancel_writer(writer)
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
            except INDEX_ERRORS as exc:
                raise IndexUnavailable(
                    f"cannot write to the index in {self.directory}: {exc}"
                ) from exc


def write_build(
    path: Path,
    docs: Sequence[dict],
    analysed: Sequence[AnalysedDocument],
    decompounder: Decompounder,
    progress: Callable[[int, int], None] | None,
    mark: int,
    processes: int = 1,
) -> None:
    """The reference build through Whoosh's own writer (`processes` writer processes)."""
    ix = whoosh_index.create_in(str(path), build_schema())
    writer = ix.writer(**writer_options(processes))
    try:
        for done, (doc, analysis) in enumerate(zip(docs, analysed, strict=True), start=1):
            writer.add_document(**prepare_document(doc, decompounder, analysis))
            if progress:
                progress(done, len(docs))
        writer.add_document(**mark_document(mark))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    ix.close()


def build_processes(count: int) -> int:
    """How many processes a build of `count` documents is spread over.

    Processes are forked, so only from the main thread (the command line); a rebuild in a
    web worker's background thread runs alone, as does a small one, for which starting the
    processes costs more than it saves.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if count < PARALLEL_BUILD_MIN or threading.current_thread() is not threading.main_thread():
        return 1
    return cores


def writer_options(processes: int) -> dict:
    """Whoosh writer options for a build over `processes` processes: the prepared documents
    are handed to one writer process each, each writing its own segment (kept apart: the
    snapshot reads several segments anyway)."""
    if processes < 2:
        return {"limitmb": 256}
    return {"limitmb": 256 // processes, "procs": processes, "multisegment": True, "batchsize": BUILD_BATCH}


def cancel_writer(writer) -> None:
    try:
        writer.cancel()
    except Exception:  # noqa: BLE001 - the error that made us cancel is the one to report
        pass
