"""The search page: full-text search with facets; an empty query browses everything."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from portal.catalogue import services as catalogue_services
from portal.i18n import current_locale_code, localized_route
from portal.i18n.content import localized_text
from portal.parsing import arg_int
from portal.search.labels import FACET_LABELS, SORT_LABELS, labelled_facets
from portal.search.services import params_from_args
from portal.search.services import service as search_service

bp = Blueprint("search", __name__)


@localized_route(bp, "/interventions")
def search_page():
    locale = current_locale_code()
    params = params_from_args(request.args, locale, arg_int("page", 1), current_app.config["PER_PAGE"])
    results = search_service().search(params)
    return render_template(
        "search/results.html",
        params=params,
        results=results,
        facets=labelled_facets(results.facets, locale),
        facet_labels=FACET_LABELS,
        sort_labels=SORT_LABELS,
        municipalities=catalogue_services.municipalities(),
        texts={item.id: localized_text(item, locale) for item in results.interventions},
    )
