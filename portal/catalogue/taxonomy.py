"""Taxonomy terms (types, target groups, referrers) as data."""

from __future__ import annotations

import json
from pathlib import Path

from portal.catalogue.models import TaxonomyLabel, TaxonomyTerm, Vocabulary
from portal.extensions import db

DATA_DIR = Path(__file__).parent / "data"
TAXONOMY_FILE = DATA_DIR / "taxonomy.json"


def terms(vocabulary: Vocabulary) -> list[TaxonomyTerm]:
    return list(
        db.session.execute(
            db.select(TaxonomyTerm)
            .where(TaxonomyTerm.vocabulary == vocabulary)
            .order_by(TaxonomyTerm.position, TaxonomyTerm.code)
        ).scalars()
    )


def terms_by_code(vocabulary: Vocabulary) -> dict[str, TaxonomyTerm]:
    return {term.code: term for term in terms(vocabulary)}


def load_taxonomy(path: Path = TAXONOMY_FILE) -> int:
    """Create or update the terms and labels in ``path``; returns how many terms changed."""
    data = json.loads(path.read_text(encoding="utf-8"))
    changed = 0
    for vocabulary_name, entries in data.items():
        vocabulary = Vocabulary(vocabulary_name)
        existing = terms_by_code(vocabulary)
        for position, entry in enumerate(entries):
            term = existing.get(entry["code"])
            if term is None:
                term = TaxonomyTerm(vocabulary=vocabulary, code=entry["code"], position=position)
                db.session.add(term)
                changed += 1
            elif term.position != position:
                term.position = position
                changed += 1
            changed += _update_labels(term, entry["labels"])
    return changed


def _update_labels(term: TaxonomyTerm, labels: dict[str, str]) -> int:
    current = {label.locale: label for label in term.labels}
    changed = 0
    for locale, text in labels.items():
        if locale not in current:
            term.labels.append(TaxonomyLabel(locale=locale, label=text))
            changed = 1
        elif current[locale].label != text:
            current[locale].label = text
            changed = 1
    return changed
