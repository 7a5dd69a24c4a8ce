"""Public pages: start page, intervention page, municipality page (the search page is the search package's)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from portal.catalogue import handout as handouts
from portal.catalogue import services
from portal.i18n import (
    DEFAULT_LOCALE,
    LANGUAGE_COOKIE,
    LANGUAGES,
    best_accepted_language,
    current_locale_code,
    localized_route,
)
from portal.i18n.content import localized_text

bp = Blueprint("catalogue", __name__)

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


@localized_route(bp, "/interventions/<int:intervention_id>")
def show_intervention(intervention_id: int):
    intervention = services.get_published(intervention_id)
    if intervention is None:
        abort(404)
    return render_template(
        "catalogue/detail.html",
        intervention=intervention,
        text=localized_text(intervention, current_locale_code()),
        own_application=intervention.accepts_own_application,
    )


@localized_route(bp, "/interventions/<int:intervention_id>/handout")
def handout(intervention_id: int):
    """The handout for a participant, in the page's language."""
    intervention = services.get_published(intervention_id)
    if intervention is None:
        abort(404)
    locale = current_locale_code()
    link = handouts.short_link(intervention.id, locale)
    text = localized_text(intervention, locale)
    return render_template("catalogue/handout.html", intervention=intervention, text=text, link=link,
                           qr_code=handouts.qr_code(link, text.title.value))


@bp.get("/interventions/<int:intervention_id>/handout-in")
def handout_in(intervention_id: int):
    """The intervention page's "share" form: the handout in the language chosen there."""
    chosen = request.args.get("language")
    locale = chosen if chosen in LANGUAGES else current_locale_code()
    return redirect(url_for("catalogue.handout", intervention_id=intervention_id, lang_code=locale))


@localized_route(bp, "/i/<int:intervention_id>")
def short_link(intervention_id: int):
    return redirect(url_for("catalogue.show_intervention", intervention_id=intervention_id))


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
