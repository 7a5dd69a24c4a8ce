"""Taxonomy terms (types, target groups, referrers) as data."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.catalogue.models import Organisation, TaxonomyLabel, TaxonomyTerm, Vocabulary, label_in
from portal.extensions import db

T = TypeVar("T")

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


def term_labels() -> dict[Vocabulary, dict[str, dict[str, str]]]:
    """vocabulary → code → locale → label, in the terms' order (cached, see `_reference_data`)."""
    return _reference_data("term_labels", _read_term_labels)


def label_of(vocabulary: Vocabulary, code: str, locale: str) -> str:
    """A term's label in ``locale``, else Swedish, else its code, from `term_labels`."""
    return label_in(term_labels()[vocabulary].get(code, {}), locale, code)


def municipality_names() -> dict[str, str]:
    """Municipality code → organisation name (cached, see `_reference_data`)."""
    return _reference_data("municipality_names", lambda: dict(db.session.execute(
        db.select(Organisation.municipality_code, Organisation.name)
        .where(Organisation.municipality_code.is_not(None))).all()))


def _read_term_labels() -> dict[Vocabulary, dict[str, dict[str, str]]]:
    labels: dict[Vocabulary, dict[str, dict[str, str]]] = {vocabulary: {} for vocabulary in Vocabulary}
    rows = db.session.execute(
        db.select(TaxonomyTerm.vocabulary, TaxonomyTerm.code, TaxonomyLabel.locale, TaxonomyLabel.label)
        .outerjoin(TaxonomyLabel)
        .order_by(TaxonomyTerm.position, TaxonomyTerm.code)
    )
    for vocabulary, code, locale, label in rows:
        by_locale = labels[vocabulary].setdefault(code, {})
        if locale:
            by_locale[locale] = label
    return labels


REFERENCE_DATA_SECONDS = 10.0
_write_generation = 0  # advanced by every write in this process


def _reference_data(name: str, read: Callable[[], T]) -> T:
    """``read()``, shared by the requests of this app for a few seconds.

    Every search request needs the vocabularies and municipalities (to validate its
    filters and label its facets); they change seldom, and reading them costs as much as
    the rest of the request. A write in this process forgets them at once, so an editor
    sees their own change; other processes see it within `REFERENCE_DATA_SECONDS`.
    """
    cache = current_app.extensions.setdefault("reference_data", {})
    now = time.monotonic()
    entry = cache.get(name)
    if entry is not None and entry[0] == _write_generation and now - entry[1] < REFERENCE_DATA_SECONDS:
        return entry[2]
    generation = _write_generation
    value = read()
    cache[name] = (generation, now, value)
    return value


@event.listens_for(Session, "after_flush")
def _forget_reference_data_on_write(session: Session, _context) -> None:
    global _write_generation
    _write_generation += 1
    session.info["reference_data_written"] = True


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_reference_data_at_the_end_of_a_write(session: Session) -> None:
    # What was read while the write was open may hold it (or, after a rollback, what never was);
    # a transaction that only read leaves the shared copy alone.
    global _write_generation
    if session.info.pop("reference_data_written", False):
        _write_generation += 1


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
