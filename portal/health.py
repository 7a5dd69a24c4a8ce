"""How the portal is doing: database, queue, outbox and search index, for /healthz and a person."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import func, text
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.timeutil import utcnow


def health_report() -> tuple[bool, dict[str, Any]]:
    """``(healthy, report)``: healthy means the database answers; the rest is information."""
    from portal import tasks

    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        current_app.logger.exception("health check: the database does not answer")
        db.session.rollback()
        return False, {"status": "unavailable", "database": "error", "queue": tasks.status()}
    return True, {"status": "ok", "database": "ok", "queue": tasks.status(),
                  "outbox": _outbox(), "search_index": _search_index()}


def _outbox() -> dict[str, Any]:
    from portal.notify.models import OutboxMessage

    pending, oldest = db.session.execute(
        db.select(func.count(OutboxMessage.id), func.min(OutboxMessage.created_at))
        .where(OutboxMessage.sent_at.is_(None))
    ).one()
    age = int((utcnow() - oldest).total_seconds()) if oldest is not None else 0
    return {"undelivered": pending, "oldest_undelivered_seconds": age}


def _search_index() -> dict[str, Any]:
    from portal.search.models import IndexJob

    search = current_app.extensions["search"]
    newest = db.session.execute(db.select(func.max(IndexJob.id))).scalar() or 0
    try:
        exists, mark = search.index.exists(), search.index.mark
    except Exception as exc:  # a broken index is reported, not raised
        return {"usable": False, "error": type(exc).__name__}
    return {"usable": bool(exists), "behind": max(newest - mark, 0) if exists else None}
