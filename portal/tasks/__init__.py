"""The background queue (Huey): one place for every piece of work that must not hold a request.

The database stays the truth. A task is only a wake-up ("deliver the outbox", "run import
job 7"); the periodic sweeps find whatever a lost wake-up left pending, so a lost queue entry
delays work and never loses it.

Two queues, consumed by the same ``flask queue worker`` process:

- ``queue``: shared by every node (``QUEUE_URL``: a ``redis://`` URL in production, else a
  SQLite file in ``instance/``): mail, imports and the periodic jobs.
- ``node_queue``: this node's own (always a SQLite file beside the node's search index), for
  work on files only this node has: rebuilding its search index.

Tests set ``QUEUE_IMMEDIATE`` so that a task runs where it is enqueued.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import Huey
from huey.storage import RedisStorage, SqliteStorage

logger = logging.getLogger("portal.tasks")

# Created in immediate mode (in memory) so that importing the package touches no file or
# server; `init_app` gives each its real storage.
queue = Huey("portal", results=False, immediate=True, utc=True)
node_queue = Huey("portal-node", results=False, immediate=True, utc=True)

_app: Flask | None = None


def init_app(app: Flask) -> None:
    global _app
    _app = app
    immediate = bool(app.config["QUEUE_IMMEDIATE"])
    queue.name = app.config.get("QUEUE_NAME") or "portal"
    node_queue.name = f"{queue.name}-node"
    _configure(queue, app.config["QUEUE_URL"] or _sqlite_url(Path(app.instance_path) / "queue.db"), immediate)
    _configure(node_queue, app.config.get("NODE_QUEUE_URL") or _sqlite_url(node_queue_file(app)), immediate)
    app.extensions["queue"] = queue
    from portal.tasks import jobs  # noqa: F401  (registers the tasks)


def node_queue_file(app: Flask) -> Path:
    """One file per search index directory, so two nodes on one machine keep theirs apart."""
    index_dir = str(Path(app.config["SEARCH_INDEX_DIR"]).resolve())
    digest = hashlib.sha1(index_dir.encode()).hexdigest()[:12]
    return Path(app.instance_path) / f"node-queue-{digest}.db"


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _configure(huey: Huey, url: str, immediate: bool) -> None:
    if url.startswith(("redis://", "rediss://", "unix://")):
        huey.storage_class, huey.storage_kwargs = RedisStorage, {"url": url}
    elif url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        path.parent.mkdir(parents=True, exist_ok=True)
        huey.storage_class, huey.storage_kwargs = SqliteStorage, {"filename": str(path)}
    else:
        from portal.config import ConfigurationError

        raise ConfigurationError(f"QUEUE_URL must be a redis:// or sqlite:/// URL, not {url!r}")
    if huey.immediate != immediate:
        huey.immediate = immediate  # recreates the storage
    else:
        huey.storage = huey.create_storage()


def in_app_context(func):
    """Run a task inside the application: the caller's when it has one, else the worker's."""

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any):
        if has_app_context():
            return func(*args, **kwargs)
        if _app is None:
            raise RuntimeError("the queue has no application: call create_app() first")
        with _app.app_context():
            try:
                return func(*args, **kwargs)
            finally:
                from portal.extensions import db

                db.session.remove()

    return run


def wake(task, *args: Any) -> None:
    """Enqueue ``task``; a queue that cannot be reached only delays the work (the sweep finds it)."""
    try:
        task(*args)
    except Exception:
        if has_app_context() and current_app.config.get("QUEUE_IMMEDIATE"):
            raise  # in tests a failing task is a failing test
        logger.exception("could not enqueue %s; the periodic sweep will pick the work up", task.name)


def status() -> dict[str, Any]:
    """Whether the shared queue answers, and how many tasks wait in it."""
    try:
        return {"reachable": True, "pending": queue.pending_count(), "scheduled": queue.scheduled_count()}
    except Exception as exc:  # the health check reports it; it must not fail itself
        return {"reachable": False, "error": type(exc).__name__}
