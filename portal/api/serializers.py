"""JSON shapes of the public API."""

from __future__ import annotations

from typing import Any

from flask import url_for

from portal.catalogue.models import Intervention, TaxonomyTerm
from portal.i18n.content import localized_text


def _term(term: TaxonomyTerm, locale: str) -> dict[str, str]:
    return {"code": term.code, "label": term.label(locale)}


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _timestamp(value) -> str | None:
    """A stored (naive UTC) timestamp as RFC 3339, which needs its offset."""
    return value.isoformat() + "Z" if value else None


def intervention_json(item: Intervention, locale: str, include_internal: bool,
                      verdict: dict[str, Any] | None = None) -> dict[str, Any]:
    text = localized_text(item, locale)
    data: dict[str, Any] = {
        "id": item.id,
        "external_id": item.external_id,
        "url": url_for("catalogue.show_intervention", intervention_id=item.id,
                       lang_code=locale, _external=True),
        "title": text.title.value,
        "summary": text.summary.value,
        "description": text.description.value,
        "text_languages": {name: getattr(text, name).lang for name in ("title", "summary", "description")},
        "translations": sorted(t.locale for t in item.translations),
        "organisation": {
            "name": item.organisation.name,
            "slug": item.organisation.slug,
            "municipality_code": item.organisation.municipality_code,
        },
        "unit": {"name": item.unit.name} if item.unit else None,
        "type": _term(item.type, locale),
        "target_groups": [_term(term, locale) for term in item.target_groups],
        "referrers": [_term(term, locale) for term in item.referrers],
        "languages": item.language_codes,
        "address": item.address,
        "postcode": item.postcode,
        "city": item.city,
        "lat": item.lat,
        "lon": item.lon,
        "format": item.delivery_format.value,
        "intake": item.intake.value,
        "start_dates": [_iso(start.starts_on) for start in item.start_dates],
        "enrolment_open": item.enrolment_open,
        "wait_weeks": item.wait_weeks,
        "closed_periods": item.closed_periods,
        "duration_weeks": item.duration_weeks,
        "hours_per_week": item.hours_per_week,
        "capacity": item.capacity,
        "places_available": item.places_available,
        "eligibility": item.eligibility,
        "accessibility": item.accessibility,
        "contact": {
            "name": item.contact_name,
            "email": item.contact_email,
            "phone": item.contact_phone,
        },
        "valid_from": _iso(item.valid_from),
        "valid_until": _iso(item.valid_until),
        "confirmed_on": _iso(item.confirmed_on),
        "stale": item.is_stale,
        "updated_at": _timestamp(item.updated_at),
        "open_to": item.open_to.value,
        "referral_rule": item.referral_rule.value,
    }
    if verdict is not None:
        data["verdict"] = verdict
    if include_internal:
        data["internal"] = {
            "price_per_week_sek": item.price_per_week_sek,
            "price_per_week_other_sek": item.price_per_week_other_sek,
            "referral_instructions": item.referral_instructions,
        }
    return data
