"""The curated synonym list: groups of equivalent phrases across languages."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .analyzers import analyse
from .locales import SWEDISH

SYNONYMS_PATH = Path(__file__).parent.parent / "synonyms.json"


@dataclass(frozen=True)
class SynonymGroup:
    """Phrases with one meaning; each phrase is a tuple of analysed terms."""

    phrases: dict[str, tuple[tuple[str, ...], ...]]  # locale → phrases


class SynonymTable:
    """Curated groups of equivalent phrases, across Swedish and English."""

    def __init__(self, groups: Sequence[SynonymGroup]) -> None:
        self.groups = list(groups)
        self._index: dict[str, dict[str, list[tuple[tuple[str, ...], int]]]] = {}
        for number, group in enumerate(self.groups):
            for locale, phrases in group.phrases.items():
                by_first = self._index.setdefault(locale, {})
                for phrase in phrases:
                    by_first.setdefault(phrase[0], []).append((phrase, number))
        for by_first in self._index.values():
            for entries in by_first.values():
                entries.sort(key=lambda entry: -len(entry[0]))

    @classmethod
    def from_json(cls, data: dict) -> SynonymTable:
        groups = []
        for raw_group in data.get("groups", []):
            phrases = {}
            for locale, texts in raw_group.items():
                if locale.startswith("_"):
                    continue
                analysed = {tuple(analyse(text, locale)) for text in texts}
                phrases[locale] = tuple(sorted(p for p in analysed if p))
            groups.append(SynonymGroup(phrases))
        return cls(groups)

    @classmethod
    def load(cls, path: Path = SYNONYMS_PATH) -> SynonymTable:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))

    def swedish_terms(self) -> set[str]:
        """Every Swedish term in the list, for the decompounding lexicon."""
        return {
            term
            for group in self.groups
            for phrase in group.phrases.get(SWEDISH, ())
            for term in phrase
        }

    def matches(self, locale: str, terms: Sequence[str]) -> list[tuple[int, int, int]]:
        """(start, end, group) for the longest phrase starting at each position."""
        by_first = self._index.get(locale, {})
        found = []
        for start, term in enumerate(terms):
            for phrase, group in by_first.get(term, ()):
                end = start + len(phrase)
                if tuple(terms[start:end]) == phrase:
                    found.append((start, end, group))
        return found


@lru_cache(maxsize=1)
def default_synonyms() -> SynonymTable:
    return SynonymTable.load()
