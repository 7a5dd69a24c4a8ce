"""The filters of the offer, defined once: their names, the values a link may ask for, and what
each means for an intervention.

The search engine names them and applies them to its documents, the database
answers them in SQL (`apply`, for the API's list) and in Python (`facet_values` and `matches`,
for the search's database fallback); `tests/catalogue/test_filters.py` holds the three to the
same meaning.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import or_

from portal.agreements.eligibility import eligibility_keys
from portal.catalogue.models import (
    Intake,
    Intervention,
    InterventionLanguage,
    InterventionTranslation,
    OpenTo,
    Organisation,
    OrganisationKind,
    TaxonomyTerm,
)
from portal.extensions import db
from portal.i18n import DEFAULT_LOCALE
from portal.search.engine import FILTERS, MAX_FILTER_VALUES

MAX_VALUE_LENGTH = 64

PLACES_AVAILABLE, PLACES_FULL = "available", "full"
# The API's list took these for "only with free places" before the filters were one.
_PLACES_ALIASES = {"1": PLACES_AVAILABLE, "true": PLACES_AVAILABLE, "on": PLACES_AVAILABLE}
_LANGUAGE_FILTERS = ("language", "available_in")
_TERM_FILTERS = {"type": "type", "target_group": "target_groups", "referrer": "referrers"}


def parse_filters(args: Mapping) -> dict[str, list[str]]:
    """The filter values a query string asks for, bounded in number and length (unchecked)."""
    def values(name: str) -> list[str]:
        raw = args.getlist(name) if hasattr(args, "getlist") else list(args.get(name, []))
        if name == "places":
            raw = [_PLACES_ALIASES.get(value, value) for value in raw]
        return [value for value in dict.fromkeys(raw) if value and len(value) <= MAX_VALUE_LENGTH]

    parsed = {name: values(name)[:MAX_FILTER_VALUES] for name in FILTERS}
    return {name: chosen for name, chosen in parsed.items() if chosen}


def known_filters(filters: dict[str, list[str]]) -> dict[str, list[str]]:
    """Keep only values that exist, so a mistyped link widens instead of emptying."""
    from portal.catalogue.models import Vocabulary
    from portal.catalogue.taxonomy import municipality_names, term_labels

    vocabularies = term_labels()
    allowed: dict[str, set[str]] = {
        "municipality": set(municipality_names()),
        "intake": {member.value for member in Intake},
        "places": {PLACES_AVAILABLE, PLACES_FULL},
        "type": set(vocabularies[Vocabulary.TYPE]),
        "target_group": set(vocabularies[Vocabulary.TARGET_GROUP]),
        "referrer": set(vocabularies[Vocabulary.REFERRER]),
    }
    kept = {}
    for name, values in filters.items():
        if name in _LANGUAGE_FILTERS:
            values = [value for value in values if value.isalpha() and 2 <= len(value) <= 3]
        else:
            values = [value for value in values if value in allowed.get(name, ())]
        if values:
            kept[name] = values
    return kept


def filters_from_args(args: Mapping) -> dict[str, list[str]]:
    """`parse_filters` then `known_filters`: what a link's filters mean, never an error."""
    return known_filters(parse_filters(args))


def translated_locales(item: Intervention) -> set[str]:
    return {t.locale for t in item.translations if t.title or t.summary or t.description}


def facet_values(item: Intervention) -> dict[str, list[str]]:
    """What an intervention is, per filter (the same values the search engine indexes)."""
    return {
        "municipality": [item.organisation.municipality_code] if item.organisation.municipality_code else [],
        "type": [item.type.code],
        "target_group": [t.code for t in item.target_groups],
        "language": item.language_codes,
        "referrer": [t.code for t in item.referrers],
        "intake": [item.intake.value],
        "places": [PLACES_AVAILABLE if item.places_available > 0 else PLACES_FULL],
        "available_in": sorted({DEFAULT_LOCALE, *item.language_codes, *translated_locales(item)}),
        "eligible": eligibility_keys(item),
    }


def matches(values: dict[str, list[str]], filters: dict[str, list[str]], skip: str | None = None) -> bool:
    """True when an intervention with these `facet_values` passes every filter (but ``skip``):
    one chosen value of a filter is enough, every filter must hold."""
    return all(set(values[name]) & set(chosen) for name, chosen in filters.items()
               if name != skip and name in values)


def apply(statement: db.Select, filters: dict[str, list[str]]) -> db.Select:
    """``statement`` (over Intervention) narrowed by ``filters`` in SQL, meaning what `matches` means."""
    for name, chosen in filters.items():
        if name == "municipality":
            statement = statement.where(
                Intervention.organisation.has(Organisation.municipality_code.in_(chosen)))
        elif name in _TERM_FILTERS:
            relation = getattr(Intervention, _TERM_FILTERS[name])
            has_term = relation.has if name == "type" else relation.any
            statement = statement.where(has_term(TaxonomyTerm.code.in_(chosen)))
        elif name == "language":
            statement = statement.where(Intervention.languages.any(InterventionLanguage.code.in_(chosen)))
        elif name == "intake":
            statement = statement.where(Intervention.intake.in_([Intake(value) for value in chosen]))
        elif name == "places":
            conditions = []
            if PLACES_AVAILABLE in chosen:
                conditions.append(Intervention.places_available > 0)
            if PLACES_FULL in chosen:
                conditions.append(Intervention.places_available <= 0)
            statement = statement.where(or_(*conditions))
        elif name == "available_in":
            translated = Intervention.translations.any(
                InterventionTranslation.locale.in_(chosen)
                & or_(InterventionTranslation.title != "", InterventionTranslation.summary != "",
                      InterventionTranslation.description != ""))
            delivered = Intervention.languages.any(InterventionLanguage.code.in_(chosen))
            conditions = [translated, delivered]
            if DEFAULT_LOCALE in chosen:
                conditions = [db.true()]
            statement = statement.where(or_(*conditions))
        elif name == "eligible":
            statement = statement.where(or_(*[_eligible_sql(key) for key in chosen]))
    return statement


def _eligible_sql(key: str):
    """One key of `portal.agreements.eligibility.eligibility_keys` in SQL."""
    kind, _, value = key.partition(":")
    if key == "anyone":
        return Intervention.open_to == OpenTo.ANYONE
    if key == "region":
        return Intervention.open_to.in_([OpenTo.ANYONE, OpenTo.REGION])
    if kind == "home":
        return Intervention.organisation.has(or_(Organisation.municipality_code == value,
                                                 Organisation.kind == OrganisationKind.REGION))
    if kind == "partners" and value.isdigit():
        return (Intervention.open_to == OpenTo.AGREEMENT) & (Intervention.organisation_id == int(value))
    return db.false()
