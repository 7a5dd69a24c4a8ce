"""Periodic jobs run once per period across every consumer, on the Redis queue of production."""

from __future__ import annotations

import os
import threading
import time
import uuid

import pytest

from portal import tasks
from portal.tasks import jobs
from tests.queue_helpers import ConsumerThread

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"Redis is required in CI: {reason}", pytrace=False)
    pytest.skip(f"Redis not reachable: {reason}")


@pytest.fixture
def redis_queue(app):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:
        redis_unavailable(str(exc))
    app.config.update(QUEUE_IMMEDIATE=False, QUEUE_URL=REDIS_URL, QUEUE_NAME=f"portal-test-{uuid.uuid4().hex[:8]}",
                      NODE_QUEUE_URL=REDIS_URL)
    tasks.init_app(app)
    yield tasks.queue
    tasks.queue.flush()
    tasks.node_queue.flush()
    app.config.update(QUEUE_IMMEDIATE=True, QUEUE_NAME="portal")
    tasks.init_app(app)


def test_a_periodic_job_enqueued_by_two_consumers_runs_once(app, redis_queue, monkeypatch):
    ran: list[str] = []
    lock = threading.Lock()

    def count_run():
        with lock:
            ran.append(threading.current_thread().name)

    monkeypatch.setattr(jobs.sweep_outbox, "job", count_run)
    for _scheduler in range(2):  # two consumers on two nodes both schedule this minute's run
        redis_queue.enqueue(jobs.sweep_outbox.s())
    consumers = [ConsumerThread(), ConsumerThread()]
    for consumer in consumers:
        consumer.start()
    deadline = time.monotonic() + 10
    while redis_queue.pending_count() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)  # the last dequeued task finishes
    for consumer in consumers:
        consumer.stop()
    assert len(ran) == 1, ran
    assert redis_queue.pending_count() == 0


def test_each_period_runs_again(app, redis_queue):
    from datetime import datetime, timedelta

    key_now = jobs._period_key("outbox", timedelta(minutes=1), datetime(2026, 12, 1, 10, 0, 30))
    key_same = jobs._period_key("outbox", timedelta(minutes=1), datetime(2026, 12, 1, 10, 0, 59))
    key_next = jobs._period_key("outbox", timedelta(minutes=1), datetime(2026, 12, 1, 10, 1, 0))
    assert key_now == key_same != key_next


def test_every_periodic_job_is_registered_and_described():
    names = set(jobs.PERIODIC_JOBS)
    assert {"outbox", "imports", "index-jobs", "retention", "mailboxes"} <= names
