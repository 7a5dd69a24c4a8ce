"""Analysers per language: one lower-cased word to its index term.

Swedish terms are *folded before stemming* (å/ä → a, ö → o), so "ohalsa" and
"ohälsa" become the same term without a second field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache, lru_cache

from whoosh.lang import stemmer_for_language, stopwords_for_language

from .locales import SWEDISH
from .text import fold, words


class Analyzer:
    """Turns one lower-cased word into its index term (or None for a stop word)."""

    def __init__(
        self, locale: str, stopwords: Iterable[str] = (), stem: Callable[[str], str] | None = None
    ) -> None:
        self.locale = locale
        self._stopwords = frozenset(self.normalise(w) for w in stopwords)
        self._stem = stem
        # Per-word caches: a corpus repeats its words, and analysis is pure Python.
        self.term = lru_cache(maxsize=200_000)(self._term)
        self.surface = lru_cache(maxsize=200_000)(self._surface)

    def normalise(self, word: str) -> str:
        return fold(word.lower())

    def is_stopword(self, word: str) -> bool:
        return self.normalise(word) in self._stopwords

    def stem(self, normalised: str) -> str:
        return self._stem(normalised) if self._stem else normalised

    @property
    def stems(self) -> bool:
        """Whether inflected forms meet in one term; without, a query matches longer forms."""
        return self._stem is not None

    def _surface(self, word: str) -> str | None:
        """The normalised, unstemmed word, or None for a stop word."""
        normalised = self.normalise(word)
        if not normalised or normalised in self._stopwords:
            return None
        return normalised

    def _term(self, word: str) -> str | None:
        normalised = self._surface(word)
        return self.stem(normalised) if normalised else None

    def terms(self, text: str) -> list[str]:
        return [t for t in map(self.term, words(text)) if t]


class SwedishAnalyzer(Analyzer):
    """Snowball Swedish on folded words, plus two fixes for its light stemming.

    * Stemming is repeated until nothing changes. One pass leaves inflected
      and base forms apart ("verkstaden" → verkstad but "verkstad" → verkst,
      "praktikplatserna" → praktikplats but "praktikplats" → praktikplat);
      the repeated stem of a word equals that of its one-pass stem, so they meet.
    * A final "n" after a consonant is dropped, so participles and adjectives
      such as "sjukskriven"/"sjukskrivna" and "öppen"/"öppna" meet.
    """

    def __init__(self) -> None:
        super().__init__(SWEDISH, stopwords_for_language(SWEDISH), stemmer_for_language(SWEDISH))
        self.stem = lru_cache(maxsize=200_000)(self._stem_word)

    def _stem_word(self, normalised: str) -> str:
        word = normalised
        for _ in range(4):
            stemmed = self._stem(word)
            if stemmed == word:
                break
            word = stemmed
        if len(word) >= 4 and word[-1] == "n" and word[-2] not in "aeiouyn":
            word = word[:-1]
        return word


_ARABIC_NORMALISE = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ئ": "ي",
        "ؤ": "و",
        "ة": "ه",
        "ک": "ك",
        "ی": "ي",
        "ـ": None,
    }
)
_ARABIC_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")
_ARABIC_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")


_ARABIC_STOPWORDS = (
    "في",
    "من",
    "على",
    "إلى",
    "عن",
    "مع",
    "و",
    "أو",
    "هذا",
    "هذه",
    "التي",
    "الذي",
    "أن",
    "إن",
    "ما",
    "لا",
)
_PERSIAN_STOPWORDS = (
    "و",
    "در",
    "به",
    "از",
    "که",
    "این",
    "را",
    "با",
    "برای",
    "آن",
    "یا",
    "است",
    "تا",
)


class ArabicScriptAnalyzer(Analyzer):
    """Arabic and Persian: letter-variant normalisation; light stemming for Arabic."""

    def __init__(self, locale: str, light_stem: bool) -> None:
        self._light_stem = light_stem
        super().__init__(locale, _ARABIC_STOPWORDS if light_stem else _PERSIAN_STOPWORDS)

    def normalise(self, word: str) -> str:
        return fold(word.lower()).translate(_ARABIC_NORMALISE)

    @property
    def stems(self) -> bool:
        return self._light_stem

    def stem(self, normalised: str) -> str:
        if not self._light_stem:
            return normalised
        word = normalised
        for prefix in _ARABIC_PREFIXES:
            if word.startswith(prefix) and len(word) - len(prefix) >= 2:
                word = word[len(prefix) :]
                break
        for suffix in _ARABIC_SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 2:
                word = word[: -len(suffix)]
                break
        return word


@cache
def analyzer_for(locale: str) -> Analyzer:
    """The analyser for a locale; unknown locales get plain folding."""
    if locale == SWEDISH:
        return SwedishAnalyzer()
    if locale == "en":
        return Analyzer("en", stopwords_for_language("en"), stemmer_for_language("en"))
    if locale in ("ar", "fa"):
        return ArabicScriptAnalyzer(locale, light_stem=locale == "ar")
    return Analyzer(locale)


def analyse(text: str, locale: str = SWEDISH) -> list[str]:
    """Index terms of a text: `analyse("Arbetsträningen") == ["arbetstraning"]`."""
    return analyzer_for(locale).terms(text)
