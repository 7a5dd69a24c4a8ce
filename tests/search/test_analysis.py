"""Swedish analysis: stemming, folding, compounds, synonyms, query plans."""

from __future__ import annotations

import pytest

from portal.search.analysis import (
    SWEDISH,
    Decompounder,
    QueryContext,
    SynonymTable,
    analyse,
    analyzer_for,
    clean_text,
    default_synonyms,
    edit_distance,
    fold,
    plan_query,
    prefix_variants,
    word_spans,
    words,
)


def term(word: str, locale: str = SWEDISH) -> str | None:
    return analyzer_for(locale).term(word)


def surface(word: str) -> str | None:
    return analyzer_for(SWEDISH).surface(word)


# ------------------------------------------------------------------ stemming


@pytest.mark.parametrize(
    ("inflected", "base"),
    [
        ("praktikplatserna", "praktikplats"),
        ("praktikplatser", "praktikplats"),
        ("Arbetsträningen", "arbetsträning"),
        ("lönebidragsanställningar", "lönebidragsanställning"),
        ("sjukskrivna", "sjukskriven"),
        ("vuxna", "vuxen"),
        ("verkstaden", "verkstad"),
        ("ungdomarna", "ungdomar"),
        ("Krokoms", "Krokom"),
    ],
)
def test_inflections_share_a_stem(inflected: str, base: str) -> None:
    assert term(inflected) == term(base)


def test_stop_words_are_dropped() -> None:
    assert analyse("i och för på med att") == []
    assert analyse("arbetsträning i second hand-butik") == [
        "arbetstraning",
        "second",
        "hand",
        "butik",
    ]


def test_english_is_stemmed_in_english() -> None:
    assert analyse("Training in the shops", "en") == ["train", "shop"]


def test_arabic_letter_variants_and_articles_meet() -> None:
    assert term("التدريب", "ar") == term("تدريب", "ar")
    assert term("أعمال", "ar") == term("اعمال", "ar")
    assert term("في", "ar") is None


# ------------------------------------------------------------------ diacritics


@pytest.mark.parametrize(
    ("plain", "marked"),
    [
        ("arbetstraning", "arbetsträning"),
        ("ohalsa", "ohälsa"),
        ("arbetsformagebedomning", "Arbetsförmågebedömning"),
        ("Ostersund", "Östersund"),
    ],
)
def test_words_match_with_and_without_diacritics(plain: str, marked: str) -> None:
    assert term(plain) == term(marked)


def test_fold_removes_marks_in_every_script() -> None:
    assert fold("Åre Härjedalen Göteborg café") == "Are Harjedalen Goteborg cafe"
    assert fold("Straße ﬁnal") == "Strasse final"
    assert fold("التَّدْرِيب") == "التدريب"


def test_folded_stop_words_still_stop() -> None:
    assert term("for") is None  # "för" typed without the dots
    assert term("pa") is None  # "på"


# ------------------------------------------------------------------ compounds


LEXICON_WORDS = (
    "verkstad cykel träning arbete svenska butik plats praktik motion skuld rådgivning hand"
)
LEXICON = {term(word) for word in LEXICON_WORDS.split()}


@pytest.fixture
def decompounder() -> Decompounder:
    return Decompounder(LEXICON)


@pytest.mark.parametrize(
    ("compound", "part"),
    [
        ("cykelverkstaden", "verkstad"),
        ("cykelverkstaden", "cykel"),
        ("arbetsträning", "träning"),
        ("arbetsträning", "arbete"),  # linking s
        ("yrkessvenska", "svenska"),  # unknown head, long known tail
        ("svenskträning", "svenska"),
        ("praktikplatserna", "plats"),
        ("skuldrådgivning", "rådgivning"),
    ],
)
def test_compounds_split_into_known_parts(
    decompounder: Decompounder, compound: str, part: str
) -> None:
    assert term(part) in decompounder.parts(surface(compound))


@pytest.mark.parametrize("word", ["promotion", "verkstad", "svenska", "handledare"])
def test_words_that_are_not_compounds_stay_whole(decompounder: Decompounder, word: str) -> None:
    assert decompounder.parts(surface(word)) == ()


def test_hyphenated_compounds_split_into_words() -> None:
    assert words("Second hand-butiken") == ["second", "hand", "butiken"]


# ------------------------------------------------------------------ helpers


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("feriepratik", "feriepraktik", 1),  # missing letter
        ("orienteringsutbldning", "orienteringsutbildning", 1),
        ("praktkiplats", "praktikplats", 1),  # swapped letters
        ("arbetsträning", "arbetstraning", 1),
        ("kitten", "sitting", 3),  # more than the limit
        ("same", "same", 0),
    ],
)
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b, 2) == min(distance, 3)


def test_prefix_variants_restore_swedish_letters() -> None:
    assert prefix_variants("ovrigt") == ["ov", "öv"]
    assert set(prefix_variants("arbete")) == {"ar", "år", "är"}


def test_clean_text_drops_control_and_direction_characters() -> None:
    assert clean_text("a\x00b\u202eمرحبا\u200b  c\n\td") == "a b مرحبا c d"
    assert len(clean_text("x" * 5000, 256)) == 256


def test_word_spans_point_into_the_text() -> None:
    text = "Lär dig <b>HTML</b>"
    assert [(s.word, text[s.start : s.end]) for s in word_spans(text)] == [
        ("lär", "Lär"),
        ("dig", "dig"),
        ("b", "b"),
        ("html", "HTML"),
        ("b", "b"),
    ]


# ------------------------------------------------------------------ synonyms


def test_synonym_file_groups_are_analysed() -> None:
    table = default_synonyms()
    assert len(table.groups) > 40
    assert term("lokalvård") in table.swedish_terms()


def test_synonym_phrases_match_longest_first() -> None:
    table = SynonymTable.from_json(
        {"groups": [{"sv": ["sfi", "svenska för invandrare"], "en": ["swedish for immigrants"]}]}
    )
    query = analyse("kurs i svenska för invandrare")
    assert table.matches(SWEDISH, query) == [(1, 3, 0)]
    assert table.matches("en", analyse("Swedish for immigrants", "en")) == [(0, 2, 0)]


# ------------------------------------------------------------------ query plan


def plan(text: str, known: set[str] = frozenset(), locale: str = SWEDISH):
    context = QueryContext(
        locales=[SWEDISH, "en"] if locale == SWEDISH else [SWEDISH, locale, "en"],
        primary=locale,
        decompounder=Decompounder(LEXICON | default_synonyms().swedish_terms()),
        synonyms=default_synonyms(),
        is_known=lambda loc, t: t in known,
        fuzzy=lambda loc, t: [("feriepraktik", 1)] if t == "feriepratik" else [],
    )
    return plan_query(text, context)


def test_plan_has_one_clause_per_word_and_drops_stop_words() -> None:
    result = plan("arbetsträning i Osby", known={"arbetstraning", "osby"})
    assert [c.text for c in result.clauses] == ["arbetsträning", "osby"]


def test_plan_expands_synonyms_and_compound_parts() -> None:
    result = plan("städjobb", known={"jobb"})
    (clause,) = result.clauses
    part_terms = {a.terms for part in clause.parts for a in part.alternatives}
    assert ("lokalvard",) in part_terms  # städ → lokalvård
    assert clause.unknown  # as a whole, so typo tolerance also gets its chance


def test_plan_adds_typo_candidates_only_for_unknown_words() -> None:
    result = plan("feriepratik")
    (clause,) = result.clauses
    assert clause.unknown
    assert ("feriepraktik",) in {a.terms for a in clause.alternatives}


def test_english_phrase_synonyms_reach_swedish_terms() -> None:
    result = plan("thrift store")
    swedish = {a.terms for c in result.clauses for a in c.alternatives if a.locale == SWEDISH}
    assert ("second", "hand") in swedish


@pytest.mark.parametrize(
    "text",
    [
        '"unbalanced',
        "*",
        "AND OR NOT",
        "x" * 5000,
        "\x00\x01\x02",
        "مرحبا بالعالم",
        "(((",
        "a:b title:x",
        "🙂🙂",
        "",
    ],
)
def test_plan_accepts_any_text(text: str) -> None:
    result = plan(text)
    assert len(result.words) <= 12
