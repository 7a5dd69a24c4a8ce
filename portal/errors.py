"""Error pages in the portal's layout (HTML) or as problem details (RFC 9457) under /api/ and /hsds/."""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, json, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.exceptions import DomainError
from portal.extensions import db
from portal.urls import safe_redirect_target

MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You do not have permission to do that."),
    404: _l("We could not find the page you were looking for."),
    405: _l("That action is not possible on this page."),
    409: _l("Someone else changed this at the same moment, so your change was not saved. "
            "Reload the page to see the latest version, then try again."),
    413: _l("The file is too large."),
    429: _l("Too many attempts. Please wait a moment and try again."),
    500: _l("Something went wrong on our side. Please try again in a moment."),
}


PROBLEM_MEDIA_TYPE = "application/problem+json"


def wants_json() -> bool:
    path = request.path
    return path.startswith(("/api/", "/hsds/")) or path in ("/healthz", "/hsds")


def problem(status: int, detail: str | None = None) -> Response:
    """An RFC 9457 problem details response: always type, title, status and detail.

    ``title`` is the HTTP reason phrase (stable, for programs); ``detail`` is the specific
    explanation, in the interface language when it is one of the portal's messages.
    """
    body = {
        "type": "about:blank",
        "title": _reason_phrase(status),
        "status": status,
        "detail": detail or str(MESSAGES.get(status, MESSAGES[500])),
    }
    return current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM_MEDIA_TYPE)


def _reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _render(status: int, description: str | None = None, **context):
    message = str(MESSAGES.get(status, MESSAGES[500]))
    if wants_json():
        return problem(status, description or message), status
    return render_template("errors/error.html", status=status, message=message, **context), status


def _reload_url() -> str | None:
    """The page to reload after a conflict: this one when it can be shown, else the page the form was on."""
    if request.method == "GET":
        return request.full_path
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host:
        return None
    return safe_redirect_target(referrer.path + (f"?{referrer.query}" if referrer.query else ""))


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        status = error.code or 500
        if status >= 500:
            return handle_server_error(error)
        description = error.description if wants_json() and status == 400 else None
        response = make_response(_render(status, description))
        if status == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(DomainError)
    def handle_refusal(error: DomainError):
        """What a service refused: 403, 404 (hidden), 400/422 or 409, with its own words if it has them."""
        db.session.rollback()
        status = error.status_code
        message = str(error.message) if error.message else None
        if wants_json():
            return problem(status, message), status
        return render_template("errors/error.html", status=status,
                               message=message if status not in (403, 404) and message
                               else str(MESSAGES.get(status, MESSAGES[400])),
                               reload_url=_reload_url() if status == 409 else None), status

    @app.errorhandler(StaleDataError)
    def handle_conflict(error: StaleDataError):
        """Optimistic locking: someone else saved the same record first; nothing of ours is kept."""
        db.session.rollback()
        return _render(409, str(MESSAGES[409]), reload_url=_reload_url())

    @app.errorhandler(Exception)
    def handle_server_error(error: Exception):
        if not isinstance(error, HTTPException):
            app.logger.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        try:
            return _render(500)
        except Exception:  # the error page itself failed (e.g. the database is down)
            app.logger.exception("the error page could not be rendered")
            return InternalServerError().get_response(), 500
