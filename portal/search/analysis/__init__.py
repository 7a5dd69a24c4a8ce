"""Text analysis for the search index: tokenising, folding, stemming,
Swedish compound splitting, synonyms and the query plan.

The same functions analyse documents at index time and queries at search
time, so both sides always agree on the terms. Modules, by concern: `text`
(cleaning, folding, words), `analyzers` (a term per word and language),
`compounds` (Swedish decompounding), `synonyms` (the curated list) and `plan`
(what a query may match).
"""

from .analyzers import Analyzer, ArabicScriptAnalyzer, SwedishAnalyzer, analyse, analyzer_for
from .compounds import Decompounder
from .generic import GenericWords, default_generic_words
from .locales import ALL_LOCALES, SWEDISH, TRANSLATION_LOCALES
from .plan import (
    COMPOUND_WEIGHT,
    FUZZY_WEIGHTS,
    MAX_QUERY_CHARS,
    MAX_QUERY_WORDS,
    PART_WEIGHT,
    SYNONYM_WEIGHT,
    Alternative,
    Clause,
    QueryContext,
    QueryPlan,
    plan_query,
)
from .requirements import OR_WORDS, AllOf, AnyOf
from .synonyms import SYNONYMS_PATH, SynonymGroup, SynonymTable, default_synonyms
from .target_groups import TargetGroups
from .text import WordSpan, clean_text, edit_distance, fold, prefix_variants, word_spans, words

__all__ = [
    "ALL_LOCALES",
    "OR_WORDS",
    "AllOf",
    "AnyOf",
    "GenericWords",
    "TargetGroups",
    "default_generic_words",
    "COMPOUND_WEIGHT",
    "FUZZY_WEIGHTS",
    "MAX_QUERY_CHARS",
    "MAX_QUERY_WORDS",
    "PART_WEIGHT",
    "SWEDISH",
    "SYNONYMS_PATH",
    "SYNONYM_WEIGHT",
    "TRANSLATION_LOCALES",
    "Alternative",
    "Analyzer",
    "ArabicScriptAnalyzer",
    "Clause",
    "Decompounder",
    "QueryContext",
    "QueryPlan",
    "SwedishAnalyzer",
    "SynonymGroup",
    "SynonymTable",
    "WordSpan",
    "analyse",
    "analyzer_for",
    "clean_text",
    "default_synonyms",
    "edit_distance",
    "fold",
    "plan_query",
    "prefix_variants",
    "word_spans",
    "words",
]
