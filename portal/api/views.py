"""The JSON API (``/api/v1``) and the health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.accounts.permissions import Action, can
from portal.api.serializers import intervention_json
from portal.catalogue import services
from portal.extensions import csrf, db
from portal.i18n import select_locale

bp = Blueprint("api", __name__)
csrf.exempt(bp)


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return jsonify(error=error.message, status=error.status), error.status


def _positive_int(name: str, default: int, maximum: int | None = None) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ApiError(400, f"'{name}' must be a whole number from 1")
    value = int(raw)
    if maximum is not None and value > maximum:
        raise ApiError(400, f"'{name}' must be at most {maximum}")
    return value


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        current_app.logger.exception("health check: the database does not answer")
        db.session.rollback()
        return jsonify(status="unavailable", database="error"), 503
    return jsonify(status="ok")


@bp.get("/api/v1/interventions")
def list_interventions():
    page = _positive_int("page", 1)
    per_page = _positive_int("per_page", current_app.config["PER_PAGE"], services.MAX_PER_PAGE)
    filters = services.CatalogueFilters.from_args(request.args, services.filter_options())
    pagination = services.list_published(filters, page, per_page)
    locale = select_locale()
    internal = can(current_user, Action.VIEW_INTERNAL)
    return jsonify(
        total=pagination.total,
        page=pagination.page,
        per_page=pagination.per_page,
        results=[intervention_json(item, locale, internal) for item in pagination.items],
    )


@bp.get("/api/v1/interventions/<int:intervention_id>")
def show_intervention(intervention_id: int):
    intervention = services.get_published(intervention_id)
    if intervention is None:
        raise ApiError(404, "no published intervention with that id")
    return jsonify(
        intervention_json(intervention, select_locale(), can(current_user, Action.VIEW_INTERNAL))
    )
