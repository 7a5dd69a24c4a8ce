"""The engine's document contract turned into Whoosh fields, and the schema they fill.

All text is analysed by `analysis` and stored pre-tokenised (terms joined by
spaces), so the Whoosh schema needs no custom analyser classes.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import COLUMN, ID, STORED, TEXT, Schema

from ..analysis import (
    ALL_LOCALES,
    SWEDISH,
    TRANSLATION_LOCALES,
    Decompounder,
    analyzer_for,
    clean_text,
    words,
)
from .request import as_float, as_list

SCHEMA_VERSION = 4  # 3: compound heads only, no other parts; 4: the eligible filter
MARK_ID = "__mark__"
SPELLING = "_spelling"  # vocabulary key of the surface words


# Field boosts: title > summary > description; labels and place in between.
TEXT_FIELD_BOOSTS = {"title": 4.0, "summary": 2.0, "description": 1.0, "labels": 1.5}
PLACE_BOOST = 2.0
# Compounds ending in the query word: "cykelverkstad" for "verkstad". Only heads are
# indexed: a compound that merely begins with the word ("arbetsmarknad" for "arbete")
# is not about it.
HEAD_FIELD_BOOSTS = {"heads_title": 3.0, "heads_text": 0.8}


def text_field() -> TEXT:
    return TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=False)


def build_schema() -> Schema:
    fields: dict[str, Any] = {
        "id": ID(stored=True, unique=True),
        "meta": COLUMN(),
        "texts": STORED(),
        "place_sv": text_field(),
        "heads_title": text_field(),
        "heads_text": text_field(),
    }
    for locale in ALL_LOCALES:
        for name in TEXT_FIELD_BOOSTS:
            fields[f"{name}_{locale}"] = text_field()
    return Schema(**fields)



def as_timestamp(value: Any) -> float:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.timestamp()
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC).timestamp()
    return 0.0



def document_meta(doc: dict) -> dict[str, Any]:
    """The per-document values search keeps in memory (facets, sort keys)."""
    start = doc.get("start_date")
    places = doc.get("places_available") or 0
    return {
        "id": int(doc["id"]),
        "facets": {
            "municipality": as_list(doc.get("municipality_code")),
            "type": as_list(doc.get("type")),
            "target_group": as_list(doc.get("target_groups")),
            "language": as_list(doc.get("languages")),
            "referrer": as_list(doc.get("referrers")),
            "intake": as_list(doc.get("intake")),
            "places": ["available" if places > 0 else "full"],
            "available_in": available_in(doc),
            "eligible": as_list(doc.get("eligible")),
        },
        "intake": str(doc.get("intake") or ""),
        "start": start.toordinal() if isinstance(start, dt.date) else None,
        "published": as_timestamp(doc.get("published_at")),
        "lat": as_float(doc.get("lat")),
        "lon": as_float(doc.get("lon")),
    }


def available_in(doc: dict) -> list[str]:
    """Swedish (the original), the languages it is delivered in and those it is translated to."""
    translated = [locale for locale, text in (doc.get("translations") or {}).items()
                  if any((text or {}).get(name) for name in ("title", "summary", "description"))]
    return sorted({SWEDISH, *as_list(doc.get("languages")), *translated})


def locale_texts(doc: dict) -> dict[str, dict[str, str]]:
    """locale → {title, summary, description, labels}, Swedish first."""
    labels = doc.get("labels") or {}
    texts = {
        SWEDISH: {
            "title": doc.get("title") or "",
            "summary": doc.get("summary") or "",
            "description": doc.get("description") or "",
            "labels": labels.get(SWEDISH) or "",
        }
    }
    translations = doc.get("translations") or {}
    for locale in TRANSLATION_LOCALES:
        translated = translations.get(locale) or {}
        entry = {name: translated.get(name) or "" for name in ("title", "summary", "description")}
        entry["labels"] = labels.get(locale) or ""
        if any(entry.values()):
            texts[locale] = entry
    return texts


def place_text(doc: dict) -> str:
    return " ".join(str(doc.get(key) or "") for key in ("organisation", "unit", "city"))


@dataclass
class AnalysedDocument:
    """A document's texts analysed once: its field values but the compound heads, which
    need the lexicon of the whole build, its vocabulary and the Swedish words to split."""

    fields: dict[str, Any]
    vocabulary: dict[str, set[str]]  # locale → analysed terms, `SPELLING` → surface words
    swedish_title: list[str]
    swedish_body: list[str]


def analyse_document(doc: dict) -> AnalysedDocument:
    texts = locale_texts(doc)
    place_words = words(place_text(doc))
    place_terms = [t for t in map(analyzer_for(SWEDISH).term, place_words) if t]
    fields: dict[str, Any] = {
        "id": str(int(doc["id"])),
        "meta": json.dumps(document_meta(doc), separators=(",", ":")).encode(),
        "texts": {
            locale: {
                name: clean_text(text) for name, text in entry.items() if name != "labels" and text
            }
            for locale, entry in texts.items()
        },
        "place_sv": " ".join(place_terms),
    }
    vocabulary: dict[str, set[str]] = {SPELLING: set(place_words), SWEDISH: set(place_terms)}
    swedish_words: dict[str, list[str]] = {}
    for locale, entry in texts.items():
        term = analyzer_for(locale).term
        terms = vocabulary.setdefault(locale, set())
        for name, text in entry.items():
            text_words = words(text)
            analysed = [t for t in map(term, text_words) if t]
            fields[f"{name}_{locale}"] = " ".join(analysed)
            terms.update(analysed)
            vocabulary[SPELLING].update(text_words)
            if locale == SWEDISH:
                swedish_words[name] = text_words
    body = swedish_words["summary"] + swedish_words["description"] + swedish_words["labels"]
    return AnalysedDocument(fields, vocabulary, swedish_words["title"], body)


def document_vocabulary(doc: dict) -> dict[str, set[str]]:
    """locale → the document's analysed terms, plus `SPELLING` → its surface words."""
    return analyse_document(doc).vocabulary


def prepare_document(
    doc: dict, decompounder: Decompounder, analysed: AnalysedDocument | None = None
) -> dict[str, Any]:
    """Whoosh field values for one document of the input contract (`analysed`: its analysis,
    when already done)."""
    analysed = analysed or analyse_document(doc)
    fields = dict(analysed.fields)
    fields["heads_title"] = heads_text(analysed.swedish_title, decompounder)
    fields["heads_text"] = heads_text(analysed.swedish_body, decompounder)
    return fields


def heads_text(text_words: list[str], decompounder: Decompounder) -> str:
    """The stems of the heads of the compounds among a Swedish text's words."""
    surface = analyzer_for(SWEDISH).surface
    heads = (decompounder.head(form) for form in map(surface, text_words) if form)
    return " ".join(head for head in heads if head)


def mark_document(mark: int) -> dict[str, Any]:
    return {
        "id": MARK_ID,
        "meta": b"",
        "texts": {"mark": int(mark), "schema_version": SCHEMA_VERSION},
    }
