"""Public pages: start page, intervention list, intervention page, municipality page."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from flask_babel import gettext as _

from portal.catalogue import services
from portal.catalogue.models import Vocabulary
from portal.i18n import (
    DEFAULT_LOCALE,
    LANGUAGE_COOKIE,
    best_accepted_language,
    current_locale_code,
    localized_route,
)
from portal.i18n.content import localized_text
from portal.templating import language_name

bp = Blueprint("catalogue", __name__)

OWN_APPLICATION = "egen_anmalan"


def page_argument() -> int:
    """``?page=``: a positive whole number; anything else means the first page."""
    page = request.args.get("page", 1, type=int)
    return page if page and page > 0 else 1


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
    options = services.filter_options()
    filters = services.CatalogueFilters.from_args(request.args, options)
    pagination = services.list_published(
        filters, page_argument(), current_app.config["PER_PAGE"]
    )
    return render_template(
        "catalogue/list.html",
        pagination=pagination,
        filters=filters,
        filter_groups=filter_groups(options, filters, current_locale_code()),
        texts={item.id: localized_text(item, current_locale_code()) for item in pagination.items},
    )


@dataclass(frozen=True)
class FilterGroup:
    name: str
    legend: str
    options: list[tuple[str, str]]  # (value, label)
    selected: list[str]


def filter_groups(options: services.FilterOptions, filters: services.CatalogueFilters,
                  locale: str) -> list[FilterGroup]:
    def terms(vocabulary: Vocabulary) -> list[tuple[str, str]]:
        return [(term.code, term.label(locale)) for term in options.taxonomy[vocabulary]]

    return [
        FilterGroup("municipality", _("Municipality"),
                    [(org.municipality_code, org.name) for org in options.municipalities],
                    filters.municipality),
        FilterGroup("type", _("Type of intervention"), terms(Vocabulary.TYPE), filters.type),
        FilterGroup("target_group", _("Target group"), terms(Vocabulary.TARGET_GROUP),
                    filters.target_group),
        FilterGroup("language", _("Delivered in"),
                    [(code, language_name(code)) for code in options.languages],
                    filters.language),
    ]


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
