"""Snippets of a hit's text with the words the query matched in <mark>."""

from __future__ import annotations

import html

from ..analysis import QueryPlan, analyzer_for, fold, word_spans

SNIPPET_WORDS = 32
SNIPPET_CHARS = 400
SNIPPET_LEAD_CHARS = 40


class Highlighter:
    """Marks the words a query matched; remembers its decisions per term."""

    def __init__(self, plan: QueryPlan) -> None:
        self.terms = plan.highlight
        self._memo: dict[tuple[str, str], bool] = {}
        self._parts: dict[str, list[str]] = {}

    def snippet(self, text: str, locale: str) -> str:
        """About `SNIPPET_WORDS` words of `text` from just before the first
        match: escaped, matched words in <mark>."""
        start = self._anchor(text, locale)
        segment = text[start : start + SNIPPET_CHARS]
        spans = word_spans(segment, SNIPPET_WORDS)
        if not spans:
            return ""
        analyzer = analyzer_for(locale)
        terms = self.terms.get(locale, set())
        end = spans[-1].end if start + spans[-1].end < len(text.rstrip()) else len(segment)

        pieces = ["…"] if start else []
        cursor = 0
        for span in spans:
            if self._matches(locale, analyzer.term(span.word), terms):
                pieces.append(html.escape(segment[cursor : span.start]))
                pieces.append(f"<mark>{html.escape(segment[span.start : span.end])}</mark>")
                cursor = span.end
        pieces.append(html.escape(segment[cursor:end]))
        if start + end < len(text.rstrip()):
            pieces.append("…")
        return "".join(pieces)

    def _anchor(self, text: str, locale: str) -> int:
        """Where the snippet starts: a few words before the first likely match.

        Terms are folded stems, so they occur as substrings of the folded
        text; this finds the spot without analysing every word.
        """
        terms = [term for term in self.terms.get(locale, ()) if len(term) >= 3]
        if not terms:
            return 0
        folded = fold(text.lower())
        found = [folded.find(term) for term in terms]
        first = min((position for position in found if position >= 0), default=0)
        if first <= SNIPPET_LEAD_CHARS:
            return 0
        return text.rfind(" ", 0, first - SNIPPET_LEAD_CHARS) + 1

    def _matches(self, locale: str, term: str | None, terms: set[str]) -> bool:
        if not term:
            return False
        key = (locale, term)
        if key not in self._memo:
            # A compound containing a searched part counts: "cykelverkstad" for "verkstad".
            self._memo[key] = term in terms or any(
                part in term for part in self._long_terms(locale, terms)
            )
        return self._memo[key]

    def _long_terms(self, locale: str, terms: set[str]) -> list[str]:
        if locale not in self._parts:
            self._parts[locale] = [t for t in terms if len(t) >= 4]
        return self._parts[locale]
