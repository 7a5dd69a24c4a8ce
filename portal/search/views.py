"""The search page: full-text search with facets; an empty query browses everything."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from portal.agreements import eligibility
from portal.agreements import home as participant_home
from portal.catalogue import services as catalogue_services
from portal.i18n import LANGUAGES, current_locale_code, localized_route
from portal.i18n.content import localized_text
from portal.parsing import arg_int
from portal.search.labels import FACET_LABELS, SORT_LABELS, facet_value_labeller, labelled_facets
from portal.search.services import SearchParams, params_from_args, repeats
from portal.search.services import service as search_service

bp = Blueprint("search", __name__)

AVAILABLE_IN_LABEL = _l("Available in my language")
OPEN_TO_LABEL = _l("Open to residents of")
# What a "Remove all" keeps: the words and the order, not the filters.
KEPT_ARGS = ("q", "sort", "near")


@localized_route(bp, "/interventions")
def search_page():
    locale = current_locale_code()
    params = params_from_args(request.args, locale, arg_int("page", 1), current_app.config["PER_PAGE"])
    params.home = participant_home.current_home()
    results = search_service().search(params)
    texts = {item.id: localized_text(item, locale) for item in results.interventions}
    snippets = {item_id: snippet for item_id, snippet in results.snippets.items()
                if item_id in texts and not repeats(snippet, texts[item_id].summary.value)}
    return render_template(
        "search/results.html",
        params=params,
        results=results,
        snippets=snippets,
        facets=labelled_facets(results.facets, locale),
        facet_labels=FACET_LABELS,
        sort_labels=SORT_LABELS,
        municipalities=catalogue_services.municipalities(),
        texts=texts,
        filter_tags=filter_tags(params),
        remove_all_url=url_for("search.search_page", **{k: request.args[k] for k in KEPT_ARGS if request.args.get(k)},
                               **({"eligible": "any"} if params.home else {})),
        needs_municipality=params.sort == "distance" and params.near is None,
        type_counts=[(term, count) for term, count in catalogue_services.published_count_by_type() if count]
        if not results.total else [],
        offer_available_in=locale != "sv" and locale in LANGUAGES,
    )


def filter_tags(params: SearchParams) -> list[dict]:
    """Each selected filter value with its label and the link that removes just it."""
    label = facet_value_labeller(params.locale)
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    tags = []
    for name, values in params.filters.items():
        for value in values:
            rest = {**args, name: [v for v in args.get(name, []) if v != value]}
            name_label = AVAILABLE_IN_LABEL if name == "available_in" else FACET_LABELS[name]
            value_label = label("language" if name == "available_in" else name, value)
            tags.append({"facet": str(name_label), "label": value_label,
                         "url": url_for("search.search_page", **{k: v for k, v in rest.items() if v})})
    if params.eligible_filter:
        # Applied by default while a home municipality is set; removed, the link says so (eligible=any).
        tags.insert(0, {"facet": str(OPEN_TO_LABEL), "label": eligibility.home_name(params.home),
                        "url": url_for("search.search_page", **{k: v for k, v in args.items() if v},
                                       eligible="any")})
    return tags
