"""Turning an intervention row into the search engine's document."""

from __future__ import annotations

from typing import Any

from portal.agreements.eligibility import eligibility_keys
from portal.catalogue.models import Intervention
from portal.i18n import LANGUAGES


def document_for(intervention: Intervention, term_labels: dict[int, dict[str, str]] | None = None) -> dict[str, Any]:
    """The engine's document of `intervention`; `term_labels` (a dict kept over many calls, as
    a rebuild does) keeps each taxonomy term's labels per locale, so they are gathered once."""
    organisation = intervention.organisation
    return {
        "id": intervention.id,
        "external_id": intervention.external_id,
        "title": intervention.title,
        "summary": intervention.summary or "",
        "description": intervention.description or "",
        "organisation": organisation.name,
        "municipality_code": organisation.municipality_code,
        "unit": intervention.unit.name if intervention.unit else "",
        "city": intervention.city or "",
        "type": intervention.type.code,
        "target_groups": [term.code for term in intervention.target_groups],
        "languages": intervention.language_codes,
        "referrers": [term.code for term in intervention.referrers],
        "intake": intervention.intake.value,
        "places_available": intervention.places_available,
        "start_date": intervention.next_start,
        "published_at": intervention.published_at or intervention.created_at,
        "lat": intervention.lat if intervention.lat is not None else organisation.lat,
        "lon": intervention.lon if intervention.lon is not None else organisation.lon,
        "translations": {
            t.locale: {"title": t.title, "summary": t.summary or "", "description": t.description or ""}
            for t in intervention.translations
        },
        "labels": labels_for(intervention, term_labels),
        "eligible": eligibility_keys(intervention),
    }


def labels_for(intervention: Intervention, term_labels: dict[int, dict[str, str]] | None = None) -> dict[str, str]:
    """The type's and target groups' labels joined per locale, so that a query in any
    interface language finds the intervention by what it is and whom it is for."""
    term_labels = {} if term_labels is None else term_labels
    terms = []
    for term in [intervention.type, *intervention.target_groups]:
        if term.id not in term_labels:
            term_labels[term.id] = {locale: term.label(locale) for locale in LANGUAGES}
        terms.append(term_labels[term.id])
    return {locale: " ".join(labels[locale] for labels in terms) for locale in LANGUAGES}
