"""Public pages: start page, intervention list, intervention page, municipality page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from portal.catalogue import services
from portal.i18n import (
    DEFAULT_LOCALE,
    LANGUAGE_COOKIE,
    best_accepted_language,
    current_locale_code,
    localized_route,
)
from portal.i18n.content import localized_text
from portal.parsing import arg_int
from portal.search.labels import FACET_LABELS, SORT_LABELS, labelled_facets
from portal.search.services import params_from_args
from portal.search.services import service as search_service

bp = Blueprint("catalogue", __name__)

OWN_APPLICATION = "egen_anmalan"


def page_argument() -> int:
    """``?page=``: a positive whole number; anything else means the first page."""
    return arg_int("page", 1)


@localized_route(bp, "/")
def index():
    if _is_first_visit_to_root():
        preferred = best_accepted_language()
        if preferred != DEFAULT_LOCALE:
            return redirect(url_for("catalogue.index", lang_code=preferred))
    counts = services.published_count_by_organisation()
    return render_template(
        "catalogue/index.html",
        municipalities=services.municipalities(),
        counts_by_organisation=counts,
        type_counts=services.published_count_by_type(),
        total=sum(counts.values()),
    )


def _is_first_visit_to_root() -> bool:
    return (
        request.path == "/"
        and LANGUAGE_COOKIE not in request.cookies
    )


@localized_route(bp, "/interventions")
def list_interventions():
    """The search page: full-text search with facets; an empty query browses everything."""
    locale = current_locale_code()
    params = params_from_args(request.args, locale, page_argument(), current_app.config["PER_PAGE"])
    results = search_service().search(params)
    return render_template(
        "catalogue/list.html",
        params=params,
        results=results,
        facets=labelled_facets(results.facets, locale),
        facet_labels=FACET_LABELS,
        sort_labels=SORT_LABELS,
        municipalities=services.municipalities(),
        texts={item.id: localized_text(item, locale) for item in results.interventions},
    )


@localized_route(bp, "/interventions/<int:intervention_id>")
def show_intervention(intervention_id: int):
    intervention = services.get_published(intervention_id)
    if intervention is None:
        abort(404)
    return render_template(
        "catalogue/detail.html",
        intervention=intervention,
        text=localized_text(intervention, current_locale_code()),
        own_application=accepts_own_application(intervention),
    )


def accepts_own_application(intervention) -> bool:
    return any(term.code == OWN_APPLICATION for term in intervention.referrers)


@localized_route(bp, "/municipalities/<slug>")
def show_municipality(slug: str):
    organisation = services.get_organisation_by_slug(slug)
    if organisation is None:
        abort(404)
    interventions = services.published_of(organisation)
    return render_template(
        "catalogue/municipality.html",
        organisation=organisation,
        interventions=interventions,
        texts={item.id: localized_text(item, current_locale_code()) for item in interventions},
    )
