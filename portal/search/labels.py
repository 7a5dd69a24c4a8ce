"""Facet names and the labels of facet values in the interface language."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l

from portal.catalogue.labels import INTAKE_LABELS
from portal.catalogue.models import Vocabulary
from portal.catalogue.taxonomy import label_of, municipality_names
from portal.templating import language_name

FACET_LABELS = {
    "municipality": _l("Municipality"),
    "type": _l("Type of intervention"),
    "target_group": _l("Target group"),
    "language": _l("Delivered in"),
    "referrer": _l("Who may refer"),
    "intake": _l("Intake"),
    "places": _l("Places"),
}

PLACES_LABELS = {"available": _l("Places available"), "full": _l("No places available right now")}

SORT_LABELS = {
    "relevance": _l("Best match"),
    "start": _l("Earliest start"),
    "newest": _l("Newest"),
    "distance": _l("Nearest to a municipality"),
}

VOCABULARY_OF_FACET = {"type": Vocabulary.TYPE, "target_group": Vocabulary.TARGET_GROUP,
                       "referrer": Vocabulary.REFERRER}


def facet_value_labeller(locale: str) -> Callable[[str, str], str]:
    """A function (facet, value) → label, with the lookups done once."""
    organisations = municipality_names()

    def label(facet: str, value: str) -> str:
        if facet == "municipality":
            return organisations.get(value, value)
        if facet in VOCABULARY_OF_FACET:
            return label_of(VOCABULARY_OF_FACET[facet], value, locale)
        if facet == "language":
            return language_name(value)
        if facet == "intake":
            return str(INTAKE_LABELS.get(value, value))
        if facet == "places":
            return str(PLACES_LABELS.get(value, value))
        return value

    return label


def labelled_facets(facets: dict[str, list[tuple[str, int]]], locale: str) -> dict[str, list[dict]]:
    label = facet_value_labeller(locale)
    return {name: [{"value": value, "label": label(name, value), "count": count} for value, count in values]
            for name, values in facets.items()}
