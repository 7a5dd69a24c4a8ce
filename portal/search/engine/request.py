"""What a search asks and what it answers: the request, its limits and the response."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..analysis import ALL_LOCALES, SWEDISH

DOCUMENT_KEYS = (
    "id", "external_id", "title", "summary", "description", "organisation", "municipality_code",
    "unit", "city", "type", "target_groups", "languages", "referrers", "intake", "places_available",
    "start_date", "published_at", "lat", "lon", "translations", "labels", "eligible",
)  # fmt: skip
FACETS = ("municipality", "type", "target_group", "language", "referrer", "intake", "places")
# Filters without facet counts: applied to the result and to every facet's counts.
# "available_in": a language the intervention is delivered in or has a translation in.
# "eligible": whom it is open to, as keys (see portal/agreements/eligibility.py); a search for a
# participant's home municipality asks for the keys that home may use.
FILTERS = (*FACETS, "available_in", "eligible")
SORTS = ("relevance", "start", "newest", "distance")

MAX_PER_PAGE = 100
MAX_PAGE = 1000
MAX_FILTER_VALUES = 50


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
    relaxed: bool = False  # no result matched every word that matters; these match most of them


def as_list(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value if v]


def as_float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def normalised(request: SearchRequest) -> SearchRequest:
    """A copy of the request with every value in range."""

    def as_int(value: Any, default: int, low: int, high: int) -> int:
        try:
            return min(max(int(value), low), high)
        except (TypeError, ValueError, OverflowError):
            return default

    sort = request.sort if request.sort in SORTS else "relevance"
    origin = valid_origin(request.origin)
    if sort == "distance" and origin is None:
        sort = "relevance"
    filters: dict[str, list[str]] = {}
    if isinstance(request.filters, dict):
        for name, values in request.filters.items():
            selected = as_list(values)[:MAX_FILTER_VALUES] if name in FILTERS else []
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


def valid_origin(value: Any) -> tuple[float, float] | None:
    try:
        lat, lon = (as_float(v) for v in value)
    except (TypeError, ValueError):
        return None
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon
