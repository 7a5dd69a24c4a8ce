"""The query plan: what each query word may match, in which languages and how strongly.

Nothing here builds Whoosh query objects; the engine scores a `QueryPlan`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .analyzers import analyzer_for
from .compounds import Decompounder
from .locales import SWEDISH
from .synonyms import SynonymTable
from .text import clean_text, words


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
