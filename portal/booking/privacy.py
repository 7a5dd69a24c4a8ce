"""Data minimisation: recognise a Swedish personal identity number where none belongs.

A personnummer (or samordningsnummer, day + 60) is written YYMMDD-NNNN, YYMMDD+NNNN,
YYYYMMDD-NNNN, YYYYMMDDNNNN or YYMMDDNNNN. Anything with a separator or a century that
forms a plausible date counts, whatever the check digit (a mistyped number is still one);
ten bare digits count only with a valid check digit, so that most phone numbers pass.
"""

from __future__ import annotations

import re

_DASHES = "-+\u2010\u2011\u2012\u2013\u2014\u2212"
_CANDIDATE = re.compile(
    r"(?<!\d)(?P<century>\d{2})?(?P<yy>\d{2})(?P<mm>\d{2})(?P<dd>\d{2})"
    r"(?P<sep>[" + re.escape(_DASHES) + r" ]?)(?P<serial>\d{4})(?!\d)"
)


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _plausible(match: re.Match) -> bool:
    century = match.group("century")
    if century is not None and century not in ("18", "19", "20"):
        return False
    month = int(match.group("mm"))
    day = int(match.group("dd"))
    if not 1 <= month <= 12:
        return False
    if not (1 <= day <= 31 or 61 <= day <= 91):
        return False
    if century is not None or match.group("sep"):
        return True
    return luhn_valid(match.group("yy") + match.group("mm") + match.group("dd") + match.group("serial"))


def looks_like_personnummer(text: str | None) -> bool:
    """True when ``text`` contains something that looks like a personal identity number."""
    if not text:
        return False
    # Overlapping candidates: try every start position, not only non-overlapping matches.
    return any(
        _plausible(match)
        for start in range(len(text))
        if (match := _CANDIDATE.match(text, start)) is not None
    )
