"""Running a confirmed import on the background queue, and cleaning up after one that died.

The confirmed import runs in a queue consumer (``portal.tasks.jobs.run_import``), never in
the request. Every ``IMPORT_PROGRESS_EVERY`` rows it writes the progress to the job's row
on a connection of its own, in a short transaction, so the job page can show it while the
import's own transaction is still open. SQLite allows one writer at a time, so there the
progress is kept in the running process and written to the row when the import ends.

The import commits once, at its end: a consumer that dies mid-import leaves nothing
imported and the job "running". The periodic sweep marks such a job failed, with a message
that says so, once it has run longer than ``IMPORT_STALE_MINUTES``; unconfirmed uploads are
removed after a day.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from flask import current_app

from portal.catalogue.importer import ImportReport, audit_import, import_records
from portal.catalogue.models import Organisation
from portal.extensions import db
from portal.publishing.import_services import DEFAULT_PROGRESS_EVERY, JobNotPending, parse_upload, report_data
from portal.publishing.models import ImportJob, ImportStatus
from portal.timeutil import utcnow

log = logging.getLogger(__name__)

UNCONFIRMED_LIFETIME = timedelta(days=1)

# Progress of imports running in this process: job id -> (done, total).
_live_progress: dict[int, tuple[int, int]] = {}
_live_lock = threading.Lock()


def start_job(job_id: int) -> None:
    """Hand a confirmed (committed) job to the queue."""
    from portal.tasks import jobs, wake

    wake(jobs.run_import, job_id)


class _ProgressWriter:
    """The importer's ``progress(done, total)`` callback for one job."""

    def __init__(self, job_id: int, every: int) -> None:
        self.job_id = job_id
        self.every = max(1, every)
        self.separate_writes = db.engine.dialect.name != "sqlite"

    def __call__(self, done: int, total: int) -> None:
        with _live_lock:
            _live_progress[self.job_id] = (done, total)
        if self.separate_writes and (done % self.every == 0 or done == total):
            # A connection of its own: committed at once, visible while the import is open.
            with db.engine.begin() as connection:
                connection.execute(
                    db.update(ImportJob).where(ImportJob.id == self.job_id)
                    .values(done=done, total=total)
                )


def live_progress(job: ImportJob) -> tuple[int, int]:
    """``(done, total)`` of a job, the freshest this process knows."""
    with _live_lock:
        live = _live_progress.get(job.id)
    if job.status == ImportStatus.RUNNING and live is not None:
        return max(live[0], job.done), live[1] or job.total
    return job.done, job.total


def run_job(job_id: int) -> ImportJob:
    """Import a confirmed job from its stored copy of the file and record the outcome."""
    job = db.session.get(ImportJob, job_id, populate_existing=True)
    if job is None or job.status != ImportStatus.RUNNING:
        raise JobNotPending()
    filename, content, organisation_id = job.filename, job.content, job.organisation_id
    db.session.commit()  # hold nothing on the job's row while the import runs
    progress = _ProgressWriter(job_id, current_app.config.get("IMPORT_PROGRESS_EVERY", DEFAULT_PROGRESS_EVERY))

    def record_success(report: ImportReport) -> None:
        job = db.session.get(ImportJob, job_id)
        job.report = report_data(report, records)
        job.finished_at = utcnow()
        job.status = ImportStatus.DONE
        job.done = job.total = report.total
        audit_import(report, source=job.filename, actor=job.owner, organisation_id=job.organisation_id,
                     record_id=job.id)

    records: list = []
    try:
        scope = db.session.get(Organisation, organisation_id) if organisation_id else None
        records = parse_upload(filename, content)
        owner = db.session.get(ImportJob, job_id).owner
        report = import_records(records, only_organisation=scope, progress=progress,
                                before_commit=record_success, actor=owner)
    except Exception:
        db.session.rollback()
        log.exception("import job %s failed", job_id)
        report = None
    job = db.session.get(ImportJob, job_id, populate_existing=True)
    if report is None or not report.ok:
        job.report = report_data(report, records) if report is not None else {
            "errors": [], "failure": True, "rows": []}
        job.finished_at = utcnow()
        job.status = ImportStatus.FAILED
    db.session.commit()
    with _live_lock:
        _live_progress.pop(job_id, None)
    return job


def run_job_safely(job_id: int) -> None:
    """The queue's entry point: a job that cannot even be run is marked failed, never left running."""
    try:
        run_job(job_id)
    except JobNotPending:
        log.info("import job %s is not waiting to run (a repeated wake-up)", job_id)
    except Exception:
        log.exception("import job %s could not be run", job_id)
        db.session.rollback()
        _mark_failed(job_id)


def _mark_failed(job_id: int) -> None:
    with _live_lock:
        _live_progress.pop(job_id, None)
    try:
        with db.engine.begin() as connection:
            connection.execute(
                db.update(ImportJob)
                .where(ImportJob.id == job_id, ImportJob.status == ImportStatus.RUNNING)
                .values(status=ImportStatus.FAILED, finished_at=utcnow(),
                        report={"errors": [], "failure": True, "rows": []})
            )
    except Exception:
        log.exception("import job %s could not be marked as failed", job_id)


def clean_up_abandoned_jobs() -> tuple[int, int]:
    """Fail imports whose worker died (nothing of them was committed) and drop stale uploads."""
    stale_minutes = current_app.config["IMPORT_STALE_MINUTES"]
    failed = db.session.execute(
        db.update(ImportJob)
        .where(ImportJob.status == ImportStatus.RUNNING,
               ImportJob.started_at < utcnow() - timedelta(minutes=stale_minutes))
        .values(status=ImportStatus.FAILED, finished_at=utcnow(),
                report={"errors": [], "failure": True, "interrupted": True, "rows": []})
        .execution_options(synchronize_session=False)
    ).rowcount
    removed = db.session.execute(
        db.delete(ImportJob)
        .where(ImportJob.status == ImportStatus.PENDING, ImportJob.created_at < utcnow() - UNCONFIRMED_LIFETIME)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if failed or removed:
        log.warning("imports: %s interrupted job(s) marked failed, %s unconfirmed upload(s) removed",
                    failed, removed)
    return failed, removed
