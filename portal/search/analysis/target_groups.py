"""The target-group vocabulary as query phrases: each group's labels in every language and
its synonyms, so that "unga med adhd" finds the interventions for young people and for
people with disabilities, whatever words their texts use."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from .analyzers import analyse
from .generic import GenericWords, default_generic_words
from .synonyms import SynonymGroup, SynonymTable

TARGET_GROUP_SYNONYMS_PATH = Path(__file__).parent.parent / "target_groups.json"


class TargetGroups:
    """Phrases that name target groups; `matches` finds them in analysed query terms."""

    def __init__(self, codes: list[str], table: SynonymTable) -> None:
        self.codes = codes  # group number → target-group code
        self.table = table

    @classmethod
    def build(
        cls,
        labels: Mapping[str, Mapping[str, str]],
        synonyms: Mapping[str, Mapping[str, list[str]]] | None = None,
        generic: GenericWords | None = None,
    ) -> TargetGroups:
        """From code → locale → label and code → locale → synonyms.

        Generic words are left out of the labels' phrases, so that "funktionsnedsättning"
        matches "Personer med funktionsnedsättning".
        """
        synonyms = default_target_group_synonyms() if synonyms is None else synonyms
        generic = generic or default_generic_words()
        codes, groups = [], []
        for code in dict.fromkeys([*labels, *synonyms]):
            phrases: dict[str, set[tuple[str, ...]]] = {}
            for locale, label in (labels.get(code) or {}).items():
                phrase = tuple(term for term in analyse(label, locale) if (locale, term) not in generic)
                phrases.setdefault(locale, set()).add(phrase)
            for locale, texts in (synonyms.get(code) or {}).items():
                phrases.setdefault(locale, set()).update(tuple(analyse(text, locale)) for text in texts)
            cleaned = {locale: tuple(sorted(p for p in found if p)) for locale, found in phrases.items()}
            if any(cleaned.values()):
                codes.append(code)
                groups.append(SynonymGroup(cleaned))
        return cls(codes, SynonymTable(groups))

    def matches(self, locale: str, terms: list[str]) -> list[tuple[int, int, str]]:
        """(start, end, code) of the longest phrase starting at each position."""
        return [(start, end, self.codes[group]) for start, end, group in self.table.matches(locale, terms)]


@lru_cache(maxsize=1)
def default_target_group_synonyms() -> dict[str, dict[str, list[str]]]:
    data = json.loads(TARGET_GROUP_SYNONYMS_PATH.read_text(encoding="utf-8"))
    return {code: value for code, value in data.items() if not code.startswith("_")}
