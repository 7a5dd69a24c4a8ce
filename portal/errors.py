"""Error pages in the portal's layout (HTML) or as JSON under /api/."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.extensions import db

MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You do not have permission to do that."),
    404: _l("We could not find the page you were looking for."),
    405: _l("That action is not possible on this page."),
    413: _l("The file is too large."),
    429: _l("Too many attempts. Please wait a moment and try again."),
    500: _l("Something went wrong on our side. Please try again in a moment."),
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def _render(status: int, description: str | None = None):
    message = str(MESSAGES.get(status, MESSAGES[500]))
    if wants_json():
        return jsonify(error=description or message, status=status), status
    return render_template("errors/error.html", status=status, message=message), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        status = error.code or 500
        if status >= 500:
            return handle_server_error(error)
        description = error.description if wants_json() and status == 400 else None
        response = _render(status, description)
        if status == 405 and getattr(error, "valid_methods", None):
            response[0].headers["Allow"] = ", ".join(error.valid_methods)
        return response

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
