"""Searching from the app: catch up with the job log, search, resolve hits, fall back.

One ``SearchService`` per application keeps one ``SearchIndex`` (and so one reused
searcher) for all requests of a worker. Before each search a cheap check compares the
newest job id with the index's mark and applies what is missing, so every worker and
every node sees a change within one request of it being committed. A missing or broken
index never reaches the visitor: the search answers from the database, a warning is
logged and the index is rebuilt in the background.
"""

from __future__ import annotations

import html
import logging
import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from flask import Flask, current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, or_
from sqlalchemy.orm import joinedload, selectinload

from portal.catalogue.filters import facet_values, filters_from_args, matches
from portal.catalogue.models import (
    Intervention,
    InterventionStatus,
    InterventionTranslation,
    Organisation,
    TaxonomyTerm,
)
from portal.catalogue.services import published
from portal.extensions import db
from portal.i18n import DEFAULT_LOCALE
from portal.search.analysis import clean_text
from portal.search.documents import document_for
from portal.search.engine import (
    FACETS,
    MAX_PER_PAGE,
    SORTS,
    IndexBusy,
    IndexUnavailable,
    SearchIndex,
    SearchRequest,
    SearchResponse,
)
from portal.search.models import IndexJob
from portal.timeutil import utcnow

logger = logging.getLogger("portal.search")

SYNC_BATCH = 500
MAX_QUERY_LENGTH = 500


@dataclass
class SearchParams:
    """What a visitor asked for, validated; the page and the API share it."""

    text: str = ""
    locale: str = "sv"
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    near: str | None = None  # municipality code to measure distance from
    page: int = 1
    per_page: int = 20
    # The participant's home municipality: only what its residents may use, unless eligible_any.
    home: str | None = None
    eligible_any: bool = False

    @property
    def eligible_filter(self) -> bool:
        return bool(self.home) and not self.eligible_any


@dataclass
class Results:
    total: int
    page: int
    per_page: int
    interventions: list[Intervention]
    snippets: dict[int, str]
    scores: dict[int, float]
    facets: dict[str, list[tuple[str, int]]]
    suggestion: str | None
    from_index: bool
    distances: dict[int, float] = field(default_factory=dict)  # km, when sorted by distance
    relaxed: bool = False  # nothing matched every word that matters; these match most of them

    @property
    def pagination(self) -> ResultPages:
        """Flask-SQLAlchemy's paging interface over this result (for the pagination macro)."""
        return ResultPages(self.total, self.page, self.per_page, self.interventions)


class ResultPages(Pagination):
    """The pages of a search result: the engine has counted and fetched the page already."""

    def __init__(self, total: int, page: int, per_page: int, items: list[Intervention]) -> None:
        self._known_total, self._known_items = total, items
        super().__init__(page=page, per_page=per_page, max_per_page=None, error_out=False)

    def _query_items(self) -> list[Intervention]:
        return self._known_items

    def _query_count(self) -> int:
        return self._known_total


def parse_sort(value: str | None) -> str:
    return value if value in SORTS else "relevance"


def params_from_args(args, locale: str, page: int, per_page: int) -> SearchParams:
    """The search a query string asks for; unknown values are dropped, never an error."""
    near = args.get("near") or None
    return SearchParams(
        text=args.get("q", ""),
        locale=locale,
        filters=filters_from_args(args),
        sort=parse_sort(args.get("sort")),
        near=near if near and near.isdigit() and len(near) == 4 else None,
        page=page,
        per_page=per_page,
        eligible_any=args.get("eligible") == "any",
    )


class SearchService:
    def __init__(self, directory: str) -> None:
        self.index = SearchIndex(directory, target_group_labels=_target_group_labels)
        self._write_lock = threading.Lock()
        self._rebuild_lock = threading.Lock()

    # ---------------------------------------------------------------- keeping up

    def sync(self) -> int:
        """Apply every job above the index's mark; returns how many jobs were applied."""
        applied = 0
        with self._write_lock:
            while True:
                jobs = db.session.execute(
                    db.select(IndexJob.id, IndexJob.intervention_id)
                    .where(IndexJob.id > self.index.mark)
                    .order_by(IndexJob.id)
                    .limit(SYNC_BATCH)
                ).all()
                if not jobs:
                    return applied
                ids = {intervention_id for _job, intervention_id in jobs}
                documents = [document_for(item) for item in
                             db.session.execute(published().where(Intervention.id.in_(ids))).scalars()]
                deletes = ids - {doc["id"] for doc in documents}
                self.index.apply(documents, sorted(deletes), mark=jobs[-1][0])
                applied += len(jobs)

    def catch_up(self) -> None:
        """Cheap check before a search: apply jobs the index has not seen yet."""
        latest = db.session.execute(db.select(func.max(IndexJob.id))).scalar() or 0
        if latest <= self.index.mark:
            return
        if self._pruned_past_mark():
            raise IndexUnavailable("the index is older than the oldest kept job")
        try:
            self.sync()
        except IndexBusy:
            logger.info("search index busy; another process is applying the same jobs")

    def _pruned_past_mark(self) -> bool:
        oldest = db.session.execute(db.select(func.min(IndexJob.id))).scalar()
        return oldest is not None and self.index.mark < oldest - 1

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Build a fresh index beside the old one and swap it in; returns the count."""
        with self._rebuild_lock:
            mark = db.session.execute(db.select(func.max(IndexJob.id))).scalar() or 0
            term_labels: dict[int, dict[str, str]] = {}  # each term's labels gathered once
            documents = [document_for(item, term_labels) for item in _all_published()]
            count = self.index.rebuild(documents, progress=progress, mark=mark)
        self.sync()  # changes committed while the documents were read
        return count

    def rebuild_in_background(self) -> None:
        """Ask this node's queue to rebuild the index (searches answer from the database meanwhile)."""
        from portal.tasks import jobs, wake

        if not self._rebuild_lock.locked():
            wake(jobs.rebuild_search_index)

    def rebuild_now(self) -> None:
        """The queue's rebuild; a request that comes while one runs in this process is dropped."""
        if self._rebuild_lock.locked():
            return
        self.rebuild()
        logger.warning("search index rebuilt after it was found missing or broken")

    # --------------------------------------------------------------- searching

    def search(self, params: SearchParams) -> Results:
        filters = params.filters
        if params.eligible_filter:
            from portal.agreements.eligibility import search_keys

            filters = {**filters, "eligible": search_keys(params.home)}
        request = SearchRequest(
            text=clean_text(params.text, MAX_QUERY_LENGTH),
            locale=params.locale,
            filters=filters,
            sort=params.sort,
            origin=_municipality_centre(params.near),
            page=params.page,
            per_page=params.per_page,
        )
        try:
            self.catch_up()
            response = self.index.search(request)
        except IndexUnavailable as exc:
            logger.warning("search index unavailable (%s); answering from the database", exc)
            self.rebuild_in_background()
            results = database_search(request)
        else:
            results = _resolve(response, params.locale)
        if request.sort == "distance" and request.origin:
            results.distances = distances_from(request.origin, results.interventions)
        return results


def distances_from(origin: tuple[float, float], interventions: list[Intervention]) -> dict[int, float]:
    """Great-circle kilometres from ``origin`` to each intervention (or its organisation's centre)."""
    lat0, lon0 = (math.radians(v) for v in origin)
    found = {}
    for item in interventions:
        lat = item.lat if item.lat is not None else item.organisation.lat
        lon = item.lon if item.lon is not None else item.organisation.lon
        if lat is None or lon is None:
            continue
        lat, lon = math.radians(lat), math.radians(lon)
        h = math.sin((lat - lat0) / 2) ** 2 + math.cos(lat0) * math.cos(lat) * math.sin((lon - lon0) / 2) ** 2
        found[item.id] = 2 * 6371.0 * math.asin(math.sqrt(min(max(h, 0.0), 1.0)))
    return found


def repeats(snippet: str, summary: str) -> bool:
    """True when a snippet only says what the summary beside it says already."""
    plain = html.unescape(re.sub(r"</?mark>", "", snippet)).replace("…", " ")
    plain, summary = " ".join(plain.split()), " ".join(summary.split())
    return not plain or plain in summary or (bool(summary) and plain.startswith(summary))


def _all_published() -> Iterator[Intervention]:
    statement = published().order_by(Intervention.id).execution_options(yield_per=500)
    yield from db.session.execute(statement).scalars()


def _municipality_centre(municipality_code: str | None) -> tuple[float, float] | None:
    if not municipality_code:
        return None
    row = db.session.execute(
        db.select(Organisation.lat, Organisation.lon).where(Organisation.municipality_code == municipality_code)
    ).first()
    return (row.lat, row.lon) if row and row.lat is not None and row.lon is not None else None


def published_cards(locale: str) -> db.Select:
    """Published interventions with just what a result card shows, loaded eagerly
    (translations only when the card is not in Swedish)."""
    options = [joinedload(Intervention.organisation),
               joinedload(Intervention.type).lazyload(TaxonomyTerm.labels)]  # labels: `term_label`
    if locale != DEFAULT_LOCALE:
        options.append(selectinload(Intervention.translations))
    return db.select(Intervention).where(Intervention.status == InterventionStatus.PUBLISHED).options(*options)


def _resolve(response: SearchResponse, locale: str) -> Results:
    """Load the hits from the database in the engine's order (still-published ones only)."""
    ids = [hit.id for hit in response.hits]
    rows = {item.id: item
            for item in db.session.execute(published_cards(locale).where(Intervention.id.in_(ids))).scalars()}
    return Results(
        total=response.total,
        page=response.page,
        per_page=response.per_page,
        interventions=[rows[i] for i in ids if i in rows],
        snippets={hit.id: hit.snippet for hit in response.hits},
        scores={hit.id: hit.score for hit in response.hits},
        facets=response.facets,
        suggestion=response.suggestion,
        from_index=True,
        relaxed=response.relaxed,
    )


def _target_group_labels() -> dict[str, dict[str, str]]:
    """The target-group vocabulary's labels for the engine (cached with the other term labels)."""
    from portal.catalogue.models import Vocabulary
    from portal.catalogue.taxonomy import term_labels

    return term_labels()[Vocabulary.TARGET_GROUP]


# ------------------------------------------------------------- database fallback


def database_search(request: SearchRequest) -> Results:
    """Plain word matching in the database: slower and cruder, but always there."""
    statement = published()
    for word in request.text.split()[:10]:
        pattern = f"%{word.lower()}%"
        statement = statement.where(or_(
            func.lower(Intervention.title).like(pattern),
            func.lower(Intervention.summary).like(pattern),
            func.lower(Intervention.description).like(pattern),
            Intervention.translations.any(func.lower(InterventionTranslation.title).like(pattern)),
        ))
    candidates = [(item, facet_values(item)) for item in db.session.execute(
        statement.order_by(Intervention.published_at.desc(), Intervention.id)).scalars()]

    facets = {}
    for name in FACETS:
        counts = Counter(value for _item, values in candidates if matches(values, request.filters, skip=name)
                         for value in values[name])
        for value in request.filters.get(name, ()):
            counts.setdefault(value, 0)
        facets[name] = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    selected = [item for item, values in candidates if matches(values, request.filters)]
    per_page = max(1, min(request.per_page, MAX_PER_PAGE))
    page = max(1, request.page)
    shown = selected[(page - 1) * per_page: page * per_page]
    return Results(total=len(selected), page=page, per_page=per_page, interventions=shown, snippets={},
                   scores={item.id: 0.0 for item in shown}, facets=facets, suggestion=None, from_index=False)


def prune_jobs(older_than: timedelta) -> int:
    """Delete old jobs but always keep the newest, so the log's head is never lost."""
    newest = db.session.execute(db.select(func.max(IndexJob.id))).scalar()
    if newest is None:
        return 0
    result = db.session.execute(
        db.delete(IndexJob).where(IndexJob.created_at < utcnow() - older_than, IndexJob.id < newest)
    )
    db.session.commit()
    return result.rowcount


def service() -> SearchService:
    return current_app.extensions["search"]


def init_app(app: Flask) -> None:
    from flask import g

    from portal.search.jobs import install_listeners

    install_listeners()
    app.extensions["search"] = SearchService(app.config["SEARCH_INDEX_DIR"])

    @app.after_request
    def wake_the_index(response):
        # This node's consumer applies the new index jobs; a search before that catches up itself.
        if g.pop("search_sync_needed", False):
            from portal.tasks import jobs, wake

            wake(jobs.sync_search_index)
        return response

