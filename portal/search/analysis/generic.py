"""Words too general to make a search result on their own ("stöd", "hitta", "jobb")."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from .analyzers import analyse

GENERIC_WORDS_PATH = Path(__file__).parent.parent / "generic_words.json"


class GenericWords:
    """Analysed generic terms per locale."""

    def __init__(self, terms: dict[str, frozenset[str]]) -> None:
        self._terms = terms

    @classmethod
    def from_json(cls, data: dict) -> GenericWords:
        return cls({
            locale: frozenset(term for text in texts for term in analyse(text, locale))
            for locale, texts in data.items()
            if not locale.startswith("_")
        })

    @classmethod
    def load(cls, path: Path = GENERIC_WORDS_PATH) -> GenericWords:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))

    def __contains__(self, locale_term: tuple[str, str]) -> bool:
        locale, term = locale_term
        return term in self._terms.get(locale, ())


@lru_cache(maxsize=1)
def default_generic_words() -> GenericWords:
    return GenericWords.load()
