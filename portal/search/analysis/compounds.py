"""Splitting Swedish compound words into known parts."""

from __future__ import annotations

from collections.abc import Container
from functools import lru_cache

from .analyzers import analyzer_for
from .locales import SWEDISH

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

    That last part is the compound's `head`: "arbetsmarknadsavdelningen" is an
    avdelning, not a kind of arbete; the other parts only modify it.
    """

    def __init__(self, lexicon: Container[str]) -> None:
        self._lexicon = lexicon
        self._stem = analyzer_for(SWEDISH).stem
        self.parts = lru_cache(maxsize=100_000)(self._parts)
        self.head = lru_cache(maxsize=100_000)(self._head)

    def _head(self, word: str, depth: int = 0) -> str | None:
        """The stem of a folded, lower-case compound's last part, or None if it does not split.

        The longest known tail is taken and split again, so "arbetsträningsplatser"
        (arbets + träningsplatser, or arbetsträning + platser) has the head "plats".
        """
        if len(word) < MIN_COMPOUND or depth > 3:
            return None
        for cut in range(MIN_HEAD, len(word) - MIN_TAIL + 1):
            head, tail = word[:cut], word[cut:]
            tail_stem = self._known(tail)
            if not tail_stem:
                continue
            # Inside a part only known words split it: "verkstad" is not verk + stad.
            supported = self._known_head(head) or (
                depth == 0 and len(tail) >= MIN_UNSUPPORTED_TAIL and len(head) >= MIN_UNSUPPORTED_HEAD
            )
            if supported:
                return self._head(tail, depth + 1) or tail_stem
        return None

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
