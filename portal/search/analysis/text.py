"""Text before analysis: cleaning, folding diacritics, words and their spans, edit distance."""

from __future__ import annotations

import re
import unicodedata
from itertools import islice
from typing import NamedTuple

# Letters and digits; "_" and punctuation split words ("hand-butik" → hand, butik).
_WORD_RE = re.compile(r"[^\W_]+")
_ZERO_WIDTH_NON_JOINER = "\u200c"
# Letters without a canonical decomposition that NFKD leaves alone.
_EXTRA_FOLDS = {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "đ": "d", "ł": "l", "ı": "i"}



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
