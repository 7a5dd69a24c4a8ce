"""The terms of a build with their document frequencies, and typo candidates among them."""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable
from pathlib import Path

from ..analysis import SWEDISH, default_synonyms, edit_distance, prefix_variants
from .fields import AnalysedDocument, analyse_document
from .files import write_atomically

LONG_WORD = 8  # from this length on, typo tolerance allows two edits


class Vocabulary:
    """The terms of one build with their document frequencies.

    Per locale the analysed terms, and under `SPELLING` the surface words
    (for "did you mean"). Kept in a file beside the index rather than in
    Whoosh fields, which would double the postings to write. It answers
    "is this word known", finds typo candidates, and its Swedish terms (with
    the synonym list) are the lexicon compounds are split against.
    """

    def __init__(self, counts: dict[str, dict[str, int]] | None = None) -> None:
        self.counts: dict[str, dict[str, int]] = counts or {}
        self._sorted: dict[str, list[str]] = {}

    @classmethod
    def from_documents(cls, docs: Iterable[dict]) -> Vocabulary:
        return cls.from_analysed(analyse_document(doc) for doc in docs)

    @classmethod
    def from_analysed(cls, analysed: Iterable[AnalysedDocument]) -> Vocabulary:
        vocabulary = cls()
        for document in analysed:
            for locale, terms in document.vocabulary.items():
                counts = vocabulary.counts.setdefault(locale, {})
                for term in terms:
                    counts[term] = counts.get(term, 0) + 1
        return vocabulary

    def frequency(self, locale: str, term: str) -> int:
        return self.counts.get(locale, {}).get(term, 0)

    def starting_with(self, locale: str, prefix: str) -> list[str]:
        return with_prefix(self._sorted_terms(locale, reverse=False), prefix)

    def ending_with(self, locale: str, suffix: str) -> list[str]:
        return [
            term[::-1]
            for term in with_prefix(self._sorted_terms(locale, reverse=True), suffix[::-1])
        ]

    def _sorted_terms(self, locale: str, reverse: bool) -> list[str]:
        key = f"{locale}:{'reversed' if reverse else 'sorted'}"
        if key not in self._sorted:
            terms = self.counts.get(locale, {})
            self._sorted[key] = sorted(term[::-1] for term in terms) if reverse else sorted(terms)
        return self._sorted[key]

    def lexicon(self, extra: Iterable[str] = ()) -> set[str]:
        """Swedish whole-word terms to split compounds against."""
        return {*self.counts.get(SWEDISH, {}), *default_synonyms().swedish_terms(), *extra}

    def save(self, path: Path) -> None:
        write_atomically(path, json.dumps(self.counts, ensure_ascii=False, separators=(",", ":")))

    @classmethod
    def load(cls, path: Path) -> Vocabulary:
        try:
            return cls(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return cls()


def with_prefix(terms: list[str], prefix: str) -> list[str]:
    start = bisect.bisect_left(terms, prefix)
    return terms[start : bisect.bisect_left(terms, prefix + "\U0010ffff", lo=start)]



def close_terms(
    vocabulary: Vocabulary, locale: str, term: str, max_edits: int, diacritics: bool = False
) -> list[tuple[str, int]]:
    """(known term, edits) within `max_edits` of `term`, other than itself.

    Only terms sharing the first two letters are compared (typing errors
    rarely hit them), which keeps this a short slice of the sorted vocabulary.
    A long word without such candidates gets a second look at terms sharing
    its first letter and its last three ("abretsträning").
    """
    prefixes = prefix_variants(term) if diacritics else [term[:2]]
    candidates = (c for prefix in prefixes for c in vocabulary.starting_with(locale, prefix))
    found = within_edits(candidates, term, max_edits)
    if not found and len(term) >= LONG_WORD:
        ending = term[-3:]
        wider = (c for c in vocabulary.starting_with(locale, term[:1]) if c.endswith(ending))
        found = within_edits(wider, term, max_edits)
    return found


def within_edits(candidates: Iterable[str], term: str, max_edits: int) -> list[tuple[str, int]]:
    found = []
    for candidate in candidates:
        if candidate != term and abs(len(candidate) - len(term)) <= max_edits:
            edits = edit_distance(term, candidate, max_edits)
            if edits <= max_edits:
                found.append((candidate, edits))
    return found
