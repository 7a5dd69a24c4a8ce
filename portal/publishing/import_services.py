"""Bulk import through the web, the services: upload, dry run, confirm, cancel.

An editor uploads a CSV or JSON file in the format of ``flask portal import`` (README,
"Import format"). The file is checked at once as a dry run and nothing is written; the
report says per row what would be created, updated or left unchanged, or names every
invalid row and field. A valid file is kept server-side in an :class:`ImportJob` until
its owner confirms it; the import then runs from that stored copy, never from anything the
browser sends again. An editor may only touch their own organisation; a region
administrator may import for any.

The confirmed import runs on the background queue (``portal/publishing/import_jobs.py``).
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.accounts.permissions import Action, can, require
from portal.catalogue.importer import ImportFileError, ImportReport, import_records, parse_text
from portal.catalogue.models import Organisation
from portal.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied
from portal.extensions import db
from portal.publishing.models import ImportJob, ImportStatus
from portal.timeutil import utcnow

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MULTIPART_ALLOWANCE = 64 * 1024  # the form around the file: boundaries, headers, CSRF token
DEFAULT_PROGRESS_EVERY = 20
ALLOWED_SUFFIXES = (".csv", ".json")
RECENT_JOBS = 10
IMPORT_STATUS_LABELS = {
    "pending": _l("checked, waiting for your confirmation"),
    "running": _l("importing"),
    "done": _l("imported"),
    "failed": _l("failed, nothing imported"),
}



class UploadProblem(InvalidInput):
    """The upload cannot be imported at all; the message is shown next to the file field."""


class JobNotPending(Conflict):
    """The job has already been started (or finished) and cannot be confirmed again."""




# ------------------------------------------------------------------------- services


def max_upload_bytes() -> int:
    return int(current_app.config.get("IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def import_scope(user: User) -> Organisation | None:
    """The one organisation ``user``'s import may touch; None for a region administrator."""
    require(user, Action.EDIT_INTERVENTION)
    if can(user, Action.MANAGE_REGION):
        return None
    if user.organisation is None:
        raise PermissionDenied()
    return user.organisation


def read_upload(filename: str, data: bytes, max_bytes: int) -> str:
    """The uploaded file as text, or :class:`UploadProblem` saying what is wrong with it."""
    if not filename.lower().endswith(ALLOWED_SUFFIXES):
        raise UploadProblem(_("Choose a file whose name ends in .csv or .json."))
    if len(data) > max_bytes:
        raise UploadProblem(too_large_message(max_bytes))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadProblem(_("The file must be saved as UTF-8 text.")) from exc


def too_large_message(max_bytes: int) -> str:
    return _("The file is too large: at most %(size)s MB can be imported at a time.",
             size=_megabytes(max_bytes))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def suffix_of(filename: str) -> str:
    return ".csv" if filename.lower().endswith(".csv") else ".json"


def parse_upload(filename: str, content: str) -> list[dict[str, Any]]:
    try:
        records = parse_text(content, suffix_of(filename))
    except ImportFileError as exc:
        raise UploadProblem(_("The file cannot be read: %(reason)s", reason=str(exc.message))) from exc
    if not records:
        raise UploadProblem(_("The file holds no interventions."))
    return records


def report_data(report: ImportReport, records: list[dict[str, Any]]) -> dict[str, Any]:
    """The report as JSON for the job row, with one line per row of the file."""
    data: dict[str, Any] = {
        "dry_run": report.dry_run,
        "total": report.total,
        "created": list(report.created),
        "updated": list(report.updated),
        "unchanged": list(report.unchanged),
        "organisations_created": list(report.organisations_created),
        "errors": [
            {"row": error.row, "record_id": error.record_id, "field": error.field,
             "message": error.message}
            for error in sorted(report.errors, key=lambda error: error.row)
        ],
        "rows": [],
    }
    if report.errors:
        return data
    # The importer writes the rows in file order and lists each id under its outcome.
    outcomes = {name: Counter(data[name]) for name in ("created", "updated", "unchanged")}
    for number, record in enumerate(records, start=1):
        record_id = str(record.get("id"))
        outcome = next((name for name, left in outcomes.items() if left[record_id] > 0), None)
        if outcome:
            outcomes[outcome][record_id] -= 1
        data["rows"].append({
            "row": number,
            "id": record_id,
            "municipality_code": record.get("municipality_code"),
            "title": record.get("title"),
            "outcome": outcome,
        })
    return data


def prepare_import(user: User, filename: str,
                   content: str) -> tuple[ImportJob | None, dict[str, Any]]:
    """Dry-run the file; keep it as a pending job when it is valid (commits).

    Returns the job (None when the file has errors) and the dry-run report.
    """
    scope = import_scope(user)
    scope_id = scope.id if scope is not None else None
    records = parse_upload(filename, content)
    report = import_records(records, dry_run=True, only_organisation=scope)
    data = report_data(report, records)
    if not report.ok:
        return None, data
    job = ImportJob(owner_id=user.id, organisation_id=scope_id, filename=filename[:255],
                    content=content, status=ImportStatus.PENDING, total=len(records), done=0,
                    report=data)
    db.session.add(job)
    db.session.commit()
    return job, data


def owned_job(user: User, job_id: int) -> ImportJob:
    """The job, freshly read, if ``user`` owns it; 404 otherwise (jobs of others do not leak)."""
    require(user, Action.EDIT_INTERVENTION, hide=True)
    job = db.session.get(ImportJob, job_id, populate_existing=True)
    if job is None or job.owner_id != user.id:
        raise NotFound()
    return job


def confirm_import(user: User, job: ImportJob) -> None:
    """Mark the owner's pending job as running (commits); the caller then runs it."""
    if job.owner_id != user.id:
        raise NotFound()
    if job.organisation is not None:
        require(user, Action.EDIT_INTERVENTION, job.organisation)
    else:
        require(user, Action.MANAGE_REGION)
    claimed = db.session.execute(
        db.update(ImportJob)
        .where(ImportJob.id == job.id, ImportJob.status == ImportStatus.PENDING)
        .values(status=ImportStatus.RUNNING, done=0, started_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if claimed != 1:  # a second click, or another tab, got there first
        raise JobNotPending()


def cancel_import(user: User, job: ImportJob) -> None:
    """Throw away a pending job and the file it keeps (commits)."""
    if job.owner_id != user.id:
        raise NotFound()
    if job.status != ImportStatus.PENDING:
        raise JobNotPending()
    db.session.delete(job)
    db.session.commit()


# ---------------------------------------------------------------------------- views
