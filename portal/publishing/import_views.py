"""Bulk import through the web, the pages: upload with dry run, the job's progress, confirm, cancel.

The services are in ``import_services.py``; the confirmed import runs on the queue
(``import_jobs.py``).
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from portal.accounts.permissions import Action, can
from portal.errors import MESSAGES
from portal.extensions import db
from portal.i18n import localized_route
from portal.publishing.blueprint import bp
from portal.publishing.forms import ImportForm
from portal.publishing.import_jobs import live_progress, start_job
from portal.publishing.import_services import (
    IMPORT_STATUS_LABELS,
    MULTIPART_ALLOWANCE,
    RECENT_JOBS,
    JobNotPending,
    UploadProblem,
    _megabytes,
    cancel_import,
    confirm_import,
    import_scope,
    max_upload_bytes,
    owned_job,
    prepare_import,
    read_upload,
    too_large_message,
)
from portal.publishing.models import ImportJob, ImportStatus


def _recent_jobs() -> list[ImportJob]:
    return list(db.session.execute(
        db.select(ImportJob).where(ImportJob.owner_id == current_user.id)
        .order_by(ImportJob.created_at.desc(), ImportJob.id.desc()).limit(RECENT_JOBS)
    ).scalars())


def _upload_page(form: ImportForm, report: dict[str, Any] | None = None, status: int = 200):
    return render_template(
        "publishing/import.html",
        form=form,
        report=report,
        scope=import_scope(current_user),
        max_megabytes=_megabytes(max_upload_bytes()),
        jobs=_recent_jobs(),
        import_status_labels=IMPORT_STATUS_LABELS,
        format_datetime=format_datetime,
    ), status


@bp.url_value_preprocessor
def _limit_upload_size(endpoint: str | None, _values) -> None:
    """Refuse an oversized upload before anything reads the body (the CSRF check does)."""
    if endpoint == "publishing.import_interventions" and request.method == "POST":
        request.max_content_length = max_upload_bytes() + MULTIPART_ALLOWANCE


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge):
    if request.endpoint == "publishing.import_interventions" and current_user.is_authenticated \
            and can(current_user, Action.EDIT_INTERVENTION):
        form = ImportForm(formdata=None)
        form.file.errors = [too_large_message(max_upload_bytes())]
        return _upload_page(form, status=413)
    return render_template("errors/error.html", status=413, message=str(MESSAGES[413])), 413


@localized_route(bp, "/manage/import", methods=["GET", "POST"])
@login_required
def import_interventions():
    import_scope(current_user)
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        filename = upload.filename or ""
        try:
            content = read_upload(filename, upload.stream.read(max_upload_bytes() + 1),
                                  max_upload_bytes())
            job, report = prepare_import(current_user, filename, content)
        except UploadProblem as exc:
            form.file.errors.append(str(exc))
        else:
            if job is not None:
                return redirect(url_for("publishing.import_job", job_id=job.id))
            form.file.errors.append(_("The file has errors; nothing has been imported. "
                                      "Correct the rows listed below and upload the file again."))
            return _upload_page(form, report, status=422)
    return _upload_page(form, status=422 if form.errors else 200)


@localized_route(bp, "/manage/import/<int:job_id>")
@login_required
def import_job(job_id: int):
    job = owned_job(current_user, job_id)
    done, total = live_progress(job)
    return render_template("publishing/import_job.html", job=job, report=job.report or {},
                           done=done, total=total, statuses=ImportStatus)


@localized_route(bp, "/manage/import/<int:job_id>/confirm", methods=["POST"])
@login_required
def confirm_import_job(job_id: int):
    job = owned_job(current_user, job_id)
    try:
        confirm_import(current_user, job)
    except JobNotPending:
        flash(_("This import has already been started."), "error")
        return redirect(url_for("publishing.import_job", job_id=job_id))
    start_job(job_id)
    return redirect(url_for("publishing.import_job", job_id=job_id))


@localized_route(bp, "/manage/import/<int:job_id>/cancel", methods=["POST"])
@login_required
def cancel_import_job(job_id: int):
    job = owned_job(current_user, job_id)
    try:
        cancel_import(current_user, job)
    except JobNotPending:
        flash(_("This import has already been started."), "error")
        return redirect(url_for("publishing.import_job", job_id=job_id))
    flash(_("The import has been cancelled; nothing was imported."), "success")
    return redirect(url_for("publishing.import_interventions"))
