"""The tasks and periodic jobs on the queue. Each only calls a domain's service.

A periodic job runs once per period across all nodes and consumers: every consumer's
scheduler enqueues it, the first run claims the period's key in the shared queue storage
(an atomic put-if-empty) and holds Huey's lock while it works; the others find the key
taken and do nothing.
"""

from __future__ import annotations

import functools
import logging
import time
from datetime import UTC, datetime, timedelta

from huey import crontab
from huey.constants import EmptyData

from portal.tasks import in_app_context, node_queue, queue

logger = logging.getLogger("portal.tasks")


# ------------------------------------------------------------------- wake-ups


@queue.task(retries=2, retry_delay=30)
@in_app_context
def deliver_outbox() -> None:
    """Send what the outbox holds (each message exactly once); wake again when a retry falls due."""
    from portal.notify.services import deliver_all_due, seconds_until_next_attempt

    deliver_all_due()
    delay = seconds_until_next_attempt()
    if delay is not None:
        _schedule_retry(delay)


RETRY_KEY = "portal.outbox.retry-at"


def _schedule_retry(delay: float) -> None:
    """One wake-up for the next due retry, however many deliveries asked for it."""
    due = time.time() + delay + 0.5
    planned = queue.storage.peek_data(RETRY_KEY)
    if planned is not EmptyData and time.time() < float(planned) <= due + 1:
        return  # an earlier (or the same) wake-up is already planned
    queue.storage.put_data(RETRY_KEY, str(due).encode())
    deliver_outbox.schedule(delay=delay + 0.5)


@queue.task()
@in_app_context
def run_import(job_id: int) -> None:
    from portal.publishing.import_jobs import run_job_safely

    run_job_safely(job_id)


@node_queue.task()
@in_app_context
def sync_search_index() -> None:
    """Apply new index jobs to this node's index (a busy or missing index is left to the catch-up)."""
    from flask import current_app

    from portal.search.engine import IndexBusy, IndexUnavailable

    try:
        current_app.extensions["search"].sync()
    except (IndexUnavailable, IndexBusy) as exc:
        logger.info("index jobs left for the catch-up before the next search: %s", exc)


@node_queue.task()
@in_app_context
def rebuild_search_index() -> None:
    """Rebuild this node's index (it was found missing or broken)."""
    from flask import current_app

    current_app.extensions["search"].rebuild_now()


# ------------------------------------------------------------------- periodic jobs

PERIODIC_JOBS: dict[str, str] = {}  # name → what it does, for `flask portal status`


def _period_key(name: str, period: timedelta, now: datetime) -> str:
    seconds = int(period.total_seconds())
    slot = int(now.timestamp()) // seconds
    return f"portal.periodic.{name}.{slot}"


def periodic(name: str, schedule, period: timedelta, description: str):
    """Register ``func`` as a job that runs once per ``period`` across all nodes."""

    def decorator(func):
        PERIODIC_JOBS[name] = description

        def run() -> None:
            now = datetime.now(UTC)
            if not queue.storage.put_if_empty(_period_key(name, period, now), b"1"):
                logger.info("periodic job %s already ran in this period", name)
                return
            queue.storage.delete_data(_period_key(name, period, now - period))
            with queue.lock_task(f"periodic.{name}"):
                task.job()

        task = queue.periodic_task(schedule, name=f"periodic.{name}")(in_app_context(functools.wraps(func)(run)))
        task.job = func  # the work itself, without the once-per-period guard (tests, `flask portal status`)
        return task

    return decorator


@periodic("outbox", crontab(minute="*"), timedelta(minutes=1),
          "deliver mail that a lost wake-up or an outage left in the outbox")
def sweep_outbox() -> None:
    from portal.notify.services import deliver_all_due

    deliver_all_due()


@periodic("imports", crontab(minute="*/5"), timedelta(minutes=5),
          "mark imports whose worker died as failed; remove unconfirmed uploads after a day")
def sweep_imports() -> None:
    from portal.publishing.import_jobs import clean_up_abandoned_jobs

    clean_up_abandoned_jobs()


@periodic("index-jobs", crontab(minute="10", hour="3"), timedelta(days=1),
          "prune applied search index jobs older than a week")
def prune_index_jobs() -> None:
    from portal.search.services import prune_jobs

    prune_jobs(timedelta(days=7))


@periodic("retention", crontab(minute="20", hour="3"), timedelta(days=1),
          "anonymise closed booking requests past the retention period")
def purge_closed_bookings() -> None:
    from flask import current_app

    from portal.booking.services import purge_closed_requests

    report = purge_closed_requests(current_app.config["BOOKING_RETENTION_MONTHS"])
    logger.info("retention: %s closed booking request(s) anonymised", report.anonymised)


@periodic("mailboxes", crontab(minute="0", hour="7"), timedelta(days=1),
          "remind the region administrators while booking requests wait for a mailbox")
def remind_missing_mailboxes() -> None:
    from portal.booking.held_mail import remind_administrators

    if remind_administrators():
        from portal.tasks import wake

        wake(deliver_outbox)


@periodic("freshness", crontab(minute="0", hour="6"), timedelta(days=1),
          "review digests, valid-until reminders, auto-pause of long-stale records, closing finished cohorts")
def keep_the_catalogue_true() -> None:
    from portal.publishing.freshness import run_daily
    from portal.tasks import wake

    report = run_daily()
    logger.info("freshness: %s", report)
    wake(deliver_outbox)


@periodic("follow-up", crontab(minute="30", hour="8"), timedelta(days=1),
          "ask case officers how their participants are doing 3 and 6 months after a request closed")
def send_follow_up_prompts() -> None:
    from portal.stats.follow_up import send_due_prompts
    from portal.tasks import wake

    sent = send_due_prompts()
    logger.info("follow-up: %s prompt(s) sent", sent)
    if sent:
        wake(deliver_outbox)
