"""The search index: one object per index directory, serving many threads."""

from __future__ import annotations

import datetime as dt
import gc
import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from ..analysis import Decompounder, TargetGroups
from .caches import PostingsCache
from .errors import INDEX_ERRORS, IndexUnavailable
from .query import Search
from .request import SearchRequest, SearchResponse, normalised
from .snapshot import FacetValues, Segment, Snapshot, quiet_about_abandoned_files, up_to_date
from .storage import Builds
from .vocabulary import Vocabulary


class SearchIndex:
    """The search index in `directory`; one object can serve many threads.

    Construction touches nothing on disk (unless `create=True`), so an app can
    make one at start-up and fall back to the database while operations raise
    `IndexUnavailable`. `target_group_labels` gives the target-group vocabulary's
    labels (code → locale → label) at search time, so that a query naming a target
    group in any language finds the interventions for it; without it only the
    target-group synonyms of `portal/search/target_groups.json` do.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        create: bool = False,
        lock_timeout: float = 2.0,
        today: Callable[[], dt.date] = dt.date.today,
        target_group_labels: Callable[[], Mapping[str, Mapping[str, str]]] | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.lock_timeout = lock_timeout
        self._builds = Builds(self.directory, lock_timeout)
        self._today = today
        self._lock = threading.RLock()
        self._snapshot: Snapshot | None = None
        self._vocabularies: dict[str, Vocabulary] = {}
        self._segment_cache: dict[str, Segment] = {}
        self._facet_values = FacetValues()
        self._postings = PostingsCache()
        self._target_group_labels = target_group_labels
        self._target_groups: tuple[dict, TargetGroups] | None = None
        if create and not self.exists():
            self.rebuild([])

    def exists(self) -> bool:
        try:
            self._builds.path(self._builds.current())
        except IndexUnavailable:
            return False
        return True

    def _vocabulary(self, build: str) -> Vocabulary:
        with self._lock:
            if build not in self._vocabularies:
                self._vocabularies = {build: self._builds.vocabulary(build)}
            return self._vocabularies[build]

    # ---- the reused searcher

    def _current_snapshot(self) -> Snapshot:
        """The snapshot of the latest index generation, refreshed only on change."""
        with self._lock:
            build = self._builds.current()
            snapshot = self._snapshot
            if snapshot is not None and snapshot.build == build and up_to_date(snapshot.searcher):
                return snapshot
            with quiet_about_abandoned_files():
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

    def _load_snapshot(self, build: str, previous: Snapshot | None) -> Snapshot:
        if previous is not None and previous.build == build:
            searcher = previous.searcher.refresh()
            vocabulary, decompounder = previous.vocabulary, previous.decompounder
        else:
            self._drop_snapshot()
            self._segment_cache.clear()
            self._postings.clear()
            searcher = self._builds.open(build).searcher()
            vocabulary = self._vocabulary(build)
            decompounder = Decompounder(vocabulary.lexicon())
        return Snapshot.load(
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
        *,
        writer: str = "direct",
        processes: int | None = None,
    ) -> int:
        """Index `docs` into a fresh build and swap it in; returns the count.

        `mark` is the last index job already reflected in `docs` (read the job
        id *before* reading the documents). `progress(done, total)` is called
        after each document (with several processes, after each process's share).

        `writer="direct"` (the default) writes the segments through Whoosh's codec without
        its per-token pipeline, over `processes` processes (default: one per core from the
        main thread for 2 000 documents or more, else one); `writer="whoosh"` writes through
        Whoosh's own writer, the reference the direct writer is tested against.
        """
        docs = list({int(doc["id"]): doc for doc in docs}.values())  # the last one of an id wins
        self._builds.rebuild(docs, progress, mark, writer, processes)
        return len(docs)

    def apply(self, upserts: Sequence[dict], deletes: Sequence[int], mark: int) -> bool:
        """Apply index jobs up to `mark` in one commit (upserts replace by id).

        Returns False, changing nothing, when the index already holds a higher
        mark: another process applied newer jobs and these documents may be
        older than what it wrote. Raises `IndexBusy` when the write lock stays
        taken for `lock_timeout` seconds, `IndexUnavailable` without an index.
        """
        return self._builds.apply(self._builds.current(), self._vocabulary, upserts, deletes, mark)

    # ---- searching

    def search(self, request: SearchRequest) -> SearchResponse:
        """Run a search; bad input never raises (only IndexUnavailable can)."""
        request = normalised(request)
        with self._lock:
            snapshot = self._current_snapshot()
            try:
                return Search(snapshot, request, self._today(), self._current_target_groups()).run()
            except INDEX_ERRORS as exc:
                self._drop_snapshot()
                raise IndexUnavailable(f"the search index failed: {exc}") from exc

    def _current_target_groups(self) -> TargetGroups:
        """The target-group phrases, rebuilt only when the labels change."""
        labels = {code: dict(by_locale) for code, by_locale in (
            self._target_group_labels() if self._target_group_labels else {}).items()}
        if self._target_groups is None or self._target_groups[0] != labels:
            self._target_groups = (labels, TargetGroups.build(labels))
        return self._target_groups[1]

