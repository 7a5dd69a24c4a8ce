"""The query plan: what each query word may match, in which languages and how strongly.

Nothing here builds Whoosh query objects; the engine scores a `QueryPlan`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .analyzers import analyzer_for
from .compounds import Decompounder
from .generic import GenericWords, default_generic_words
from .locales import ALL_LOCALES, SWEDISH
from .requirements import requirements
from .synonyms import SynonymTable
from .target_groups import TargetGroups
from .text import clean_text, words

if TYPE_CHECKING:
    from .requirements import Need


@dataclass(frozen=True)
class Alternative:
    """One way a clause can match: analysed terms, a phrase when several
    (or, with `any_of`, a set of terms counted as one)."""

    locale: str
    terms: tuple[str, ...]
    weight: float = 1.0
    compound_parts: bool = True  # also look in the compound-head fields
    any_of: bool = False
    # False: adds to the score of a result, but does not make one ("arbetsmarknad" for "arbete")
    qualifies: bool = True
    target_group: str | None = None  # matches the documents for this target group instead of terms


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
    generic: bool = False  # too general to make a result on its own ("stöd", "hitta")
    # Whether matching all `parts` makes a result: only for a word the index does not know
    # whole ("städjobb"); "arbetsträning" is not found by any text saying arbete and träning.
    parts_qualify: bool = True


@dataclass
class QueryPlan:
    words: list[str]  # the cleaned query's words, for "did you mean"
    clauses: list[Clause]
    highlight: dict[str, set[str]]  # locale → terms to mark in snippets
    # What a result must match: every one, or as many as the index can give (see `requirements`).
    requirements: list[Need] = field(default_factory=list)

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
TARGET_GROUP_WEIGHT = 1.0
PREFIX_WEIGHT = 0.9
MIN_PREFIX = 4  # languages without a stemmer: a query word this long also matches longer forms
MAX_PREFIX_TERMS = 20


@dataclass
class QueryContext:
    """What the planner may ask about the index."""

    locales: Sequence[str]  # analysers the query runs through, Swedish first
    primary: str  # the visitor's locale
    decompounder: Decompounder
    synonyms: SynonymTable
    is_known: Callable[[str, str], bool]  # (locale, term) → occurs in the index
    fuzzy: Callable[[str, str], list[tuple[str, int]]]  # (locale, term) → [(term, edits)]
    compounds: Callable[[str], list[str]] = lambda term: []  # noqa: E731 - Swedish term → compounds ending in it
    modified: Callable[[str], list[str]] = lambda term: []  # noqa: E731 - ... and compounds beginning with it
    prefixed: Callable[[str, str], list[str]] = lambda locale, term: []  # noqa: E731 - longer indexed forms
    fuzzy_locales: Sequence[str] = (SWEDISH, "en")
    generic: GenericWords = field(default_factory=default_generic_words)
    target_groups: TargetGroups | None = None


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
    phrases = _synonym_clauses(terms_by_locale, context, highlight, clauses)
    phrases += _target_group_clauses(query_words, context, clauses)
    for position, clause in clauses.items():
        if clause.unknown:
            _add_fuzzy(clause, position, terms_by_locale, context, highlight)

    clauses = {position: c for position, c in clauses.items() if c.alternatives or c.parts}
    phrases = [(c, covered) for c, covered in phrases if c.alternatives]
    all_clauses = [*clauses.values(), *(c for c, _ in phrases)]
    needs = requirements(query_words, clauses, phrases)
    return QueryPlan(query_words, all_clauses, highlight, needs)


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
        clause.generic = clause.generic or (locale, term) in context.generic
        if not analyzer_for(locale).stems and len(term) >= MIN_PREFIX:
            # No stemmer to meet the word's other forms: its longer forms ("luqad" → "luqadda").
            longer = [t for t in context.prefixed(locale, term) if t != term][:MAX_PREFIX_TERMS]
            if longer:
                clause.alternatives.append(Alternative(locale, tuple(longer), PREFIX_WEIGHT, any_of=True))
                highlight[locale].update(longer)
                known_anywhere = True

    surface = analyzer_for(SWEDISH).surface(word)
    if surface:
        clause.parts = _part_clauses(surface, context, highlight)
        stem = analyzer_for(SWEDISH).stem(surface)
        # One alternative for all of them: "träning" is as rare as all its compounds together.
        compounds = context.compounds(stem)
        if compounds:
            clause.alternatives.append(
                Alternative(SWEDISH, tuple(compounds), COMPOUND_WEIGHT, compound_parts=False, any_of=True)
            )
        modified = context.modified(stem)
        if modified:  # "arbetsträningsplats" for "arbetsträning": about a plats
            clause.alternatives.append(
                Alternative(SWEDISH, tuple(modified), COMPOUND_WEIGHT, compound_parts=False, any_of=True,
                            qualifies=False)
            )
    # Matching only through parts or compounds ("kartlägning" → lägning) still
    # counts as unknown, so that typo tolerance gets its chance.
    clause.unknown = not known_anywhere
    clause.parts_qualify = not known_anywhere
    return clause


def _part_clauses(word: str, context: QueryContext, highlight: dict[str, set[str]]) -> list[Clause]:
    """Clauses for the parts of a compound query word."""
    parts = context.decompounder.parts(word)
    clauses = []
    for part in parts:
        clause = Clause(part, [Alternative(SWEDISH, (part,))], generic=(SWEDISH, part) in context.generic)
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
) -> list[tuple[Clause, list[int]]]:
    """Synonym groups matched by the query.

    A group matched by one word joins that word's clause; a group matched by a
    phrase ("thrift store") becomes a clause of its own, returned with the
    positions of the words it covers.
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
                phrase_clauses.append((Clause(" ".join(terms[start:end]), alternatives), covered))
    return phrase_clauses


def _target_group_clauses(
    query_words: list[str], context: QueryContext, word_clauses: dict[int, Clause]
) -> list[tuple[Clause, list[int]]]:
    """Target groups named by the query, in any language: like synonyms, but they match
    the documents for the target group."""
    if context.target_groups is None:
        return []
    seen: set[str] = set()
    phrase_clauses = []
    for locale in ALL_LOCALES:
        analysed = [analyzer_for(locale).term(word) for word in query_words]
        positions = [i for i, term in enumerate(analysed) if term]
        terms = [analysed[i] for i in positions]
        for start, end, code in context.target_groups.matches(locale, terms):
            if code in seen:
                continue
            seen.add(code)
            alternative = Alternative(SWEDISH, (), TARGET_GROUP_WEIGHT, target_group=code)
            covered = [positions[i] for i in range(start, end) if positions[i] in word_clauses]
            for position in covered:
                word_clauses[position].unknown = False
                word_clauses[position].generic = False
            if end - start == 1 and covered:
                word_clauses[covered[0]].alternatives.append(alternative)
            else:
                phrase_clauses.append((Clause(" ".join(terms[start:end]), [alternative]), covered))
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
