"""The JSON API (``/api/v1``) and the health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_login import current_user

from portal.accounts.permissions import Action, can
from portal.agreements import eligibility
from portal.api.http import ApiError, init_public_api, positive_int
from portal.api.openapi import openapi_document
from portal.api.serializers import intervention_json
from portal.catalogue import services
from portal.catalogue.filters import filters_from_args
from portal.extensions import csrf
from portal.health import health_report
from portal.i18n import select_locale
from portal.i18n.content import localized_text
from portal.search.engine import MAX_PAGE, MAX_PER_PAGE
from portal.search.labels import labelled_facets
from portal.search.services import params_from_args
from portal.search.services import service as search_service
from portal.stats import serializers as stats_serializers
from portal.stats import services as stats_services

bp = Blueprint("api", __name__)
csrf.exempt(bp)
init_public_api(bp, exempt_endpoints=frozenset({"api.healthz"}))


@bp.get("/healthz")
def healthz():
    healthy, report = health_report()
    return jsonify(report), 200 if healthy else 503


@bp.get("/api/v1/openapi.json")
def openapi():
    config = current_app.config
    return jsonify(openapi_document(config["PORTAL_BASE_URL"].rstrip("/"), config["OPEN_DATA_LICENSE"],
                                    config["OPEN_DATA_LICENSE_URL"]))


@bp.get("/api/v1/interventions")
def list_interventions():
    page = positive_int("page", 1, MAX_PAGE)
    per_page = positive_int("per_page", current_app.config["PER_PAGE"], MAX_PER_PAGE)
    home = home_arg()
    pagination = services.list_published(filters_from_args(request.args), page, per_page)
    locale = select_locale()
    internal = can(current_user, Action.VIEW_INTERNAL)
    return jsonify(
        total=pagination.total,
        page=pagination.page,
        per_page=pagination.per_page,
        results=[intervention_json(item, locale, internal, verdict=verdict_json(item, home, internal))
                 for item in pagination.items],
    )


@bp.get("/api/v1/interventions/<int:intervention_id>")
def show_intervention(intervention_id: int):
    home = home_arg()
    intervention = services.get_published(intervention_id)
    if intervention is None:
        raise ApiError(404, "no published intervention with that id")
    internal = can(current_user, Action.VIEW_INTERNAL)
    return jsonify(intervention_json(intervention, select_locale(), internal,
                                     verdict=verdict_json(intervention, home, internal)))


@bp.get("/api/v1/search")
def search():
    """The search page's results as JSON, in the same order."""
    page = positive_int("page", 1, MAX_PAGE)
    per_page = positive_int("per_page", current_app.config["PER_PAGE"], MAX_PER_PAGE)
    home = home_arg()
    eligible_any = eligible_arg()
    locale = select_locale()
    params = params_from_args(request.args, locale, page, per_page)
    params.home, params.eligible_any = home, eligible_any
    results = search_service().search(params)
    texts = {item.id: localized_text(item, locale) for item in results.interventions}
    internal = can(current_user, Action.VIEW_INTERNAL)
    return jsonify(
        total=results.total,
        page=results.page,
        results=[
            {
                "id": item.id,
                "external_id": item.external_id,
                "title": texts[item.id].title.value,
                "organisation": item.organisation.name,
                "url": url_for("catalogue.show_intervention", intervention_id=item.id, lang_code=locale,
                               _external=True),
                "snippet": results.snippets.get(item.id, ""),
                "score": round(results.scores.get(item.id, 0.0), 4),
                **({"verdict": verdict_json(item, home, internal)} if home else {}),
            }
            for item in results.interventions
        ],
        facets=labelled_facets(results.facets, locale),
        suggestion=results.suggestion,
    )


def home_arg() -> str | None:
    """``?home=``: the participant's home municipality (a region municipality's code or "other")."""
    raw = request.args.get("home")
    if raw is None or raw == "":
        return None
    if not eligibility.is_known_home(raw):
        raise ApiError(400, "'home' must be the code (SCB kommunkod) of a municipality in the region, or 'other'")
    return raw


def eligible_arg() -> bool:
    """``?eligible=any``: do not narrow the search to what the home municipality's residents may use."""
    raw = request.args.get("eligible")
    if raw is None or raw == "":
        return False
    if raw != "any":
        raise ApiError(400, "'eligible' must be 'any' (or left out)")
    return True


def verdict_json(item, home: str | None, internal: bool) -> dict | None:
    """The verdict for a resident of ``home``: with the price only for those who see prices."""
    if not home:
        return None
    organisation = getattr(current_user, "organisation", None) if current_user.is_authenticated else None
    return eligibility.verdict(item, home, organisation, with_price=internal).as_json()


# ------------------------------------------------------------------------------ follow-up figures


@bp.get("/api/v1/stats/flows")
def stats_flows():
    return jsonify(stats_serializers.flows_json(stats_services.api_scope(current_user, request.args)))


@bp.get("/api/v1/stats/outcomes")
def stats_outcomes():
    scope = stats_services.api_scope(current_user, request.args)
    return jsonify(stats_serializers.outcomes_json(scope, select_locale()))


@bp.get("/api/v1/stats/funnel")
def stats_funnel():
    return jsonify(stats_serializers.funnel_json(stats_services.api_scope(current_user, request.args)))
