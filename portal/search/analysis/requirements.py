"""What a result of a multiword query must match.

Each content word of the query is one requirement: the word itself or any of its
alternatives (synonyms, compounds ending in it, its target group, its parts). Words
joined by "eller"/"or" make one requirement between them ("skog eller trädgård"), and
so do the words of a synonym or target-group phrase, which the phrase meets as well
("psykisk ohälsa"). Generic words ("stöd", "hitta", "jobb") are no requirement unless
the query has nothing else. The engine asks for every requirement first and for fewer
only when that finds too little.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

# "or" in the interface languages; most are stop words, so they are looked for in the raw words.
OR_WORDS = frozenset({"eller", "or", "alternativt", "أو", "او", "یا", "ama", "або", "чи", "ወይ", "ወይም"})


@dataclass
class AllOf:
    needs: list[Need]


@dataclass
class AnyOf:
    needs: list[Need]


if TYPE_CHECKING:
    from .plan import Clause

    Need = Clause | AllOf | AnyOf


def requirements(
    query_words: Sequence[str],
    clauses: dict[int, Clause],
    phrases: Sequence[tuple[Clause, list[int]]],
) -> list[Need]:
    """The requirements of a query, in the order of its words.

    `clauses` are the word clauses by position, `phrases` the phrase clauses with
    the positions of the words they cover.
    """
    groups: dict[int, list[int]] = {position: [position] for position in clauses}  # first → members
    needs: dict[int, Need] = dict(clauses)
    group_of = {position: position for position in clauses}
    extra: list[Need] = []

    def merge(keys: set[int], combine) -> None:
        first, *others = sorted(keys)
        combined = combine([needs[key] for key in sorted(keys)])
        for key in others:
            groups[first] += groups.pop(key)
            del needs[key]
        for position in groups[first]:
            group_of[position] = first
        needs[first] = combined

    positions = sorted(clauses)
    for before, after in zip(positions, positions[1:], strict=False):
        if OR_WORDS.intersection(query_words[before + 1 : after]) and group_of[before] != group_of[after]:
            merge({group_of[before], group_of[after]}, AnyOf)
    for phrase, covered in phrases:
        keys = {group_of[position] for position in covered if position in group_of}
        if keys:
            merge(keys, lambda found, phrase=phrase: AnyOf([found[0] if len(found) == 1 else AllOf(found), phrase]))
        else:
            extra.append(phrase)

    content = [needs[key] for key in sorted(needs) if not all(clauses[p].generic for p in groups[key])]
    return content + extra if content or extra else [needs[key] for key in sorted(needs)]
