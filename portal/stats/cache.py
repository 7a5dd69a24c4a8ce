"""A small in-process cache of computed figures, keyed by what they are computed from.

The key holds the scope, the language, ``STATS_MIN_CELL`` and a data version: the newest
booking event, follow-up answer, target and intervention change. Any change to those makes
a new version, so a cached figure is never stale; reading the version is a handful of
index lookups, where the figures themselves scan every request of the period.
"""

from __future__ import annotations

from collections.abc import Callable
from threading import Lock
from typing import Any

from cachetools import LRUCache
from flask import current_app
from sqlalchemy import func

from portal.extensions import db

SIZE = 64


class FigureCache:
    def __init__(self) -> None:
        self.entries: LRUCache[tuple, Any] = LRUCache(maxsize=SIZE)
        self.lock = Lock()

    def get_or_compute(self, key: tuple, compute: Callable[[], Any]) -> Any:
        with self.lock:
            if key in self.entries:
                return self.entries[key]
        value = compute()
        with self.lock:
            self.entries[key] = value
        return value


def data_version() -> tuple:
    """What the figures depend on, as one row."""
    from portal.booking.models import BookingEvent, BookingRequest
    from portal.catalogue.models import Intervention
    from portal.stats.models import FollowUpPrompt, StatsTarget

    row = db.session.execute(db.select(
        db.select(func.max(BookingEvent.id)).scalar_subquery(),
        db.select(func.max(BookingRequest.id)).scalar_subquery(),
        db.select(func.max(FollowUpPrompt.answered_at)).scalar_subquery(),
        db.select(func.count(FollowUpPrompt.id)).scalar_subquery(),
        db.select(func.max(StatsTarget.updated_at)).scalar_subquery(),
        db.select(func.count(StatsTarget.id)).scalar_subquery(),
        db.select(func.max(Intervention.updated_at)).scalar_subquery(),
    )).one()
    return tuple(row)


def cached(name: str, *key: Any, compute: Callable[[], Any]) -> Any:
    cache = current_app.extensions.setdefault("stats_figures", FigureCache())
    full_key = (name, *key, current_app.config.get("STATS_MIN_CELL", 5), data_version())
    return cache.get_or_compute(full_key, compute)
