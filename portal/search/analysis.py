"""Text analysis for the search index: tokenising, folding, stemming,
Swedish compound splitting, synonyms and the query plan.

Nothing here builds Whoosh query objects; the engine turns a `QueryPlan` into
queries. The same functions analyse documents at index time and queries at
search time, so both sides always agree on the terms.

Swedish terms are *folded before stemming* (å/ä → a, ö → o), so "ohalsa" and
"ohälsa" become the same term without a second field.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import islice
from pathlib import Path
from typing import NamedTuple

from whoosh.lang import stemmer_for_language, stopwords_for_language

from portal.i18n import DEFAULT_LOCALE as SWEDISH
from portal.i18n import TRANSLATION_LOCALES

ALL_LOCALES: tuple[str, ...] = (SWEDISH, *TRANSLATION_LOCALES)

SYNONYMS_PATH = Path(__file__).with_name("synonyms.json")

# Letters and digits; "_" and punctuation split words ("hand-butik" → hand, butik).
_WORD_RE = re.compile(r"[^\W_]+")
_ZERO_WIDTH_NON_JOINER = "\u200c"
# Letters without a canonical decomposition that NFKD leaves alone.
_EXTRA_FOLDS = {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "đ": "d", "ł": "l", "ı": "i"}


# --------------------------------------------------------------------------- text


# Control and format characters (bidi overrides, zero-width marks, BOM ...).
_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]"
)


def clean_text(text: str, max_chars: int | None = None) -> str:
    """NFC text without control or format characters, whitespace collapsed."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if max_chars is not None:
        text = text[: max_chars * 2]  # bound the work before normalising
    text = unicodedata.normalize("NFC", text.replace(_ZERO_WIDTH_NON_JOINER, ""))
    cleaned = " ".join(_INVISIBLE.sub(" ", text).split())
    return cleaned[:max_chars] if max_chars is not None else cleaned


# Combining marks of the scripts the portal meets (Latin, Cyrillic, Arabic
# harakat, Ethiopic) and the generic combining blocks.
_COMBINING_MARKS = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670"
    "\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed\u135d-\u135f"
    "\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+"
)


def fold(text: str) -> str:
    """Remove diacritics: "Arbetsförmågebedömning" → "Arbetsformagebedomning"."""
    if text.isascii():
        return text
    for letter, replacement in _EXTRA_FOLDS.items():
        if letter in text:  # str.translate with a dict is slow on long texts
            text = text.replace(letter, replacement)
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", _COMBINING_MARKS.sub("", decomposed))


class WordSpan(NamedTuple):
    word: str  # lower-cased surface form
    start: int
    end: int


def word_spans(text: str, limit: int | None = None) -> list[WordSpan]:
    matches = islice(_WORD_RE.finditer(text), limit)
    return [WordSpan(m.group().lower(), m.start(), m.end()) for m in matches]


def words(text: str) -> list[str]:
    """Lower-cased words; the same normalisation as `clean_text` for the letters."""
    text = unicodedata.normalize("NFC", text.replace(_ZERO_WIDTH_NON_JOINER, ""))
    return _WORD_RE.findall(text.lower())


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count one), or limit + 1
    as soon as it must exceed `limit`. Only a band of the table is computed."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    over = limit + 1
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [over] * (len(b) + 1)
        current[0] = i
        low, high = max(1, i - limit), min(len(b), i + limit)
        for j in range(low, high + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, before[j - 2] + 1)
            current[j] = value
        if min(current[low : high + 1], default=over) > limit:
            return over
        before, previous = previous, current
    return min(previous[len(b)], over)


_DIACRITIC_VARIANTS = {"a": "åä", "o": "ö", "e": "é", "u": "ü"}


def prefix_variants(word: str, length: int = 2) -> list[str]:
    """The word's first letters, also with å/ä/ö where the typist may have left them out."""
    prefixes = [""]
    for letter in word[:length]:
        options = letter + _DIACRITIC_VARIANTS.get(letter, "")
        prefixes = [prefix + option for prefix in prefixes for option in options]
    return prefixes


# ---------------------------------------------------------------------- analysers


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


# ------------------------------------------------------------------- compounds

MIN_HEAD = 3
MIN_TAIL = 4
# A tail whose head is not a known word counts only if both are this long
# ("yrkessvensk" → "svensk", but not "promotion" → "motion").
MIN_UNSUPPORTED_TAIL = 5
MIN_UNSUPPORTED_HEAD = 4
MIN_COMPOUND = MIN_HEAD + MIN_TAIL
LINKING_LETTERS = "seaou"


class Decompounder:
    """Splits Swedish compound words into known parts.

    Works on the folded, *unstemmed* word and stems each part, because a
    compound's stem can differ from its last part's ("cykelverkstaden"
    ends in "verkstaden", whose stem is that of "verkstad"). The lexicon holds
    the stems of words that occur on their own (the indexed vocabulary and
    the synonym list): "cykelverkstad" splits into cykel + verkstad only
    because both occur somewhere as words. A known tail also counts when its
    head is unknown but long enough ("yrkessvenska" → svenska), since the
    last part of a Swedish compound carries its meaning.
    """

    def __init__(self, lexicon: Container[str]) -> None:
        self._lexicon = lexicon
        self._stem = analyzer_for(SWEDISH).stem
        self.parts = lru_cache(maxsize=100_000)(self._parts)

    def _parts(self, word: str) -> tuple[str, ...]:
        """Stems of all known parts of a folded, lower-case word, outermost first."""
        found: dict[str, None] = {}
        self._collect(word, found, depth=0)
        found.pop(self._stem(word), None)
        return tuple(found)

    def _collect(self, word: str, found: dict[str, None], depth: int) -> None:
        if len(word) < MIN_COMPOUND or depth > 3:
            return
        for cut in range(MIN_HEAD, len(word) - MIN_TAIL + 1):
            head, tail = word[:cut], word[cut:]
            tail_stem = self._known(tail)
            if not tail_stem:
                continue
            head_stem = self._known_head(head)
            if head_stem:
                found.setdefault(head_stem, None)
                found.setdefault(tail_stem, None)
                self._collect(head, found, depth + 1)
                self._collect(tail, found, depth + 1)
            elif len(tail) >= MIN_UNSUPPORTED_TAIL and len(head) >= MIN_UNSUPPORTED_HEAD:
                found.setdefault(tail_stem, None)
                self._collect(tail, found, depth + 1)

    def _known(self, word: str) -> str | None:
        stem = self._stem(word)
        return stem if len(stem) >= MIN_HEAD and stem in self._lexicon else None

    def _known_head(self, head: str) -> str | None:
        """The stem of a compound's first part, allowing a linking letter ("arbets-")."""
        known = self._known(head)
        if not known and head[-1] in LINKING_LETTERS and len(head) > MIN_HEAD:
            known = self._known(head[:-1])
        return known


# -------------------------------------------------------------------- synonyms


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


# ------------------------------------------------------------------ query plan


@dataclass(frozen=True)
class Alternative:
    """One way a clause can match: analysed terms, a phrase when several
    (or, with `any_of`, a set of terms counted as one)."""

    locale: str
    terms: tuple[str, ...]
    weight: float = 1.0
    compound_parts: bool = True  # also look in the compound-part fields
    any_of: bool = False


@dataclass
class Clause:
    """What one query word (or a synonym phrase) contributes to the query.

    The clause matches if any alternative matches; `parts` is a weaker way to
    match a compound query word through its parts ("städjobb" → städ, jobb).
    """

    text: str
    alternatives: list[Alternative] = field(default_factory=list)
    parts: list[Clause] = field(default_factory=list)
    unknown: bool = False  # no search language knows the whole word


@dataclass
class QueryPlan:
    words: list[str]  # the cleaned query's words, for "did you mean"
    clauses: list[Clause]
    highlight: dict[str, set[str]]  # locale → terms to mark in snippets

    @property
    def is_empty(self) -> bool:
        return not self.clauses


SYNONYM_WEIGHT = 0.8
COMPOUND_WEIGHT = 0.7
FUZZY_WEIGHTS = {1: 0.8, 2: 0.5}  # by number of edits
PART_WEIGHT = 0.5
MAX_QUERY_CHARS = 256
MAX_QUERY_WORDS = 12
MIN_FUZZY_LENGTH = 5


@dataclass
class QueryContext:
    """What the planner may ask about the index."""

    locales: Sequence[str]  # analysers the query runs through, Swedish first
    primary: str  # the visitor's locale
    decompounder: Decompounder
    synonyms: SynonymTable
    is_known: Callable[[str, str], bool]  # (locale, term) → occurs in the index
    fuzzy: Callable[[str, str], list[tuple[str, int]]]  # (locale, term) → [(term, edits)]
    compounds: Callable[[str], list[str]] = lambda term: []  # noqa: E731 - Swedish term → compounds
    fuzzy_locales: Sequence[str] = (SWEDISH, "en")


def plan_query(text: str, context: QueryContext) -> QueryPlan:
    cleaned = clean_text(text, MAX_QUERY_CHARS)
    query_words = words(cleaned)[:MAX_QUERY_WORDS]
    highlight: dict[str, set[str]] = {locale: set() for locale in context.locales}
    terms_by_locale = {
        locale: [analyzer_for(locale).term(w) for w in query_words] for locale in context.locales
    }

    clauses: dict[int, Clause] = {}
    for position, word in enumerate(query_words):
        if not _is_noise(position, word, terms_by_locale, context):
            clauses[position] = _word_clause(position, word, terms_by_locale, context, highlight)
    phrase_clauses = _synonym_clauses(terms_by_locale, context, highlight, clauses)
    for position, clause in clauses.items():
        if clause.unknown:
            _add_fuzzy(clause, position, terms_by_locale, context, highlight)

    all_clauses = [*clauses.values(), *phrase_clauses]
    return QueryPlan(query_words, [c for c in all_clauses if c.alternatives or c.parts], highlight)


def _is_noise(
    position: int, word: str, terms_by_locale: dict[str, list[str | None]], context: QueryContext
) -> bool:
    """A stop word of the visitor's language, or of another one and unknown.

    "och" in a Swedish query is dropped although English would search it;
    "it" is dropped from an English query but kept in a Swedish one, where it
    may mean IT.
    """
    terms = [terms_by_locale[locale][position] for locale in context.locales]
    if not any(terms):
        return True
    if analyzer_for(context.primary).is_stopword(word):
        return True
    if all(terms):
        return False
    return not any(
        term and context.is_known(locale, term)
        for locale, term in zip(context.locales, terms, strict=True)
    )


def _word_clause(
    position: int,
    word: str,
    terms_by_locale: dict[str, list[str | None]],
    context: QueryContext,
    highlight: dict[str, set[str]],
) -> Clause:
    clause = Clause(word)
    known_anywhere = False
    for locale in context.locales:
        term = terms_by_locale[locale][position]
        if not term:
            continue
        clause.alternatives.append(Alternative(locale, (term,)))
        highlight[locale].add(term)
        known_anywhere = known_anywhere or context.is_known(locale, term)

    surface = analyzer_for(SWEDISH).surface(word)
    if surface:
        clause.parts = _part_clauses(surface, context, highlight)
        compounds = context.compounds(analyzer_for(SWEDISH).stem(surface))
        if compounds:
            # One alternative for all of them: "träning" is as rare as all its compounds together.
            clause.alternatives.append(
                Alternative(
                    SWEDISH, tuple(compounds), COMPOUND_WEIGHT, compound_parts=False, any_of=True
                )
            )
    # Matching only through parts or compounds ("kartlägning" → lägning) still
    # counts as unknown, so that typo tolerance gets its chance.
    clause.unknown = not known_anywhere
    return clause


def _part_clauses(word: str, context: QueryContext, highlight: dict[str, set[str]]) -> list[Clause]:
    """Clauses for the parts of a compound query word."""
    parts = context.decompounder.parts(word)
    clauses = []
    for part in parts:
        clause = Clause(part, [Alternative(SWEDISH, (part,))])
        highlight[SWEDISH].add(part)
        for _, _, group in context.synonyms.matches(SWEDISH, [part]):
            clause.alternatives.extend(_group_alternatives(group, context, highlight))
        clauses.append(clause)
    return clauses


def _add_fuzzy(
    clause: Clause,
    position: int,
    terms_by_locale: dict[str, list[str | None]],
    context: QueryContext,
    highlight: dict[str, set[str]],
) -> None:
    for locale in context.fuzzy_locales:
        if locale not in terms_by_locale:
            continue
        term = terms_by_locale[locale][position]
        if not term or len(term) < MIN_FUZZY_LENGTH:
            continue
        for candidate, edits in context.fuzzy(locale, term):
            clause.alternatives.append(
                Alternative(locale, (candidate,), FUZZY_WEIGHTS.get(edits, 0.3))
            )
            highlight[locale].add(candidate)


def _synonym_clauses(
    terms_by_locale: dict[str, list[str | None]],
    context: QueryContext,
    highlight: dict[str, set[str]],
    word_clauses: dict[int, Clause],
) -> list[Clause]:
    """Synonym groups matched by the query.

    A group matched by one word joins that word's clause; a group matched by a
    phrase ("thrift store") becomes a clause of its own.
    """
    seen_groups: set[int] = set()
    phrase_clauses = []
    for locale in context.locales:
        positions = [i for i, term in enumerate(terms_by_locale[locale]) if term]
        terms = [terms_by_locale[locale][i] for i in positions]
        for start, end, group in context.synonyms.matches(locale, terms):
            if group in seen_groups:
                continue
            seen_groups.add(group)
            alternatives = _group_alternatives(group, context, highlight)
            covered = [positions[i] for i in range(start, end) if positions[i] in word_clauses]
            for position in covered:
                word_clauses[position].unknown = False
            if end - start == 1 and covered:
                word_clauses[covered[0]].alternatives.extend(alternatives)
            else:
                phrase_clauses.append(Clause(" ".join(terms[start:end]), alternatives))
    return phrase_clauses


def _group_alternatives(
    group: int, context: QueryContext, highlight: dict[str, set[str]]
) -> list[Alternative]:
    alternatives = []
    for locale, phrases in context.synonyms.groups[group].phrases.items():
        if locale not in context.locales:
            continue
        for phrase in phrases:
            alternatives.append(Alternative(locale, phrase, SYNONYM_WEIGHT))
            highlight[locale].update(phrase)
    return alternatives
