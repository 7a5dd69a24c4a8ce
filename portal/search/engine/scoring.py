"""BM25F scores of a query plan over one snapshot."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from ..analysis import PART_WEIGHT, SWEDISH, AllOf, Alternative, AnyOf, Clause, QueryPlan
from .caches import Scores
from .fields import HEAD_FIELD_BOOSTS, PLACE_BOOST, TEXT_FIELD_BOOSTS

if TYPE_CHECKING:
    from ..analysis.requirements import Need
    from .snapshot import Snapshot

AUXILIARY_ENGLISH_WEIGHT = 0.8  # English is searched for every visitor, a little lower
CLAUSE_TIEBREAK = 0.2
BM25_K1 = 1.2
BM25_B = 0.75
TERM_CACHE_SIZE = 4096
SPARSE_SHARE = 16  # postings of fewer than 1/16 of the documents are scored sparse


def field_boosts(locale: str, with_parts: bool) -> dict[str, float]:
    boosts = {f"{name}_{locale}": boost for name, boost in TEXT_FIELD_BOOSTS.items()}
    if locale == SWEDISH:
        boosts["place_sv"] = PLACE_BOOST
        if with_parts:
            boosts.update(HEAD_FIELD_BOOSTS)
    return boosts


class Scorer:
    """BM25F scores of a query plan, as one array over all docnums.

    An alternative (a term or phrase in one language) is scored by BM25F: its
    frequencies in the fields, weighted by field boost and normalised by field
    length, are added *before* saturation, so a word repeated in title,
    summary and labels counts only a little more than one in the title alone.
    Within a clause the best alternative counts fully and the others only a
    little, so a word with many synonyms does not outweigh one without; the
    clauses of a query are summed.

    Beside its scores a clause tells which documents it *qualifies*: those
    matched by an alternative that makes a result on its own (not only by a
    compound the word merely modifies), or through the parts of a compound
    query word when all of its non-generic parts qualify.
    """

    def __init__(self, snapshot: Snapshot, locale: str) -> None:
        self.snapshot = snapshot
        self.reader = snapshot.searcher.reader()
        self.locale = locale
        self._clauses: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def query(self, plan: QueryPlan) -> np.ndarray:
        total = np.zeros(self.snapshot.size)
        for clause in plan.clauses:
            total += self.clause(clause)[0]
        return total

    def satisfied(self, need: Need) -> np.ndarray:
        """Documents meeting a requirement of the plan."""
        if isinstance(need, AllOf):
            return np.logical_and.reduce([self.satisfied(n) for n in need.needs])
        if isinstance(need, AnyOf):
            return np.logical_or.reduce([self.satisfied(n) for n in need.needs])
        return self.clause(need)[1]

    def clause(self, clause: Clause) -> tuple[np.ndarray, np.ndarray]:
        """(scores, qualified) of a clause over all docnums."""
        key = id(clause)
        if key not in self._clauses:
            self._clauses[key] = self._clause(clause)
        return self._clauses[key]

    def _clause(self, clause: Clause) -> tuple[np.ndarray, np.ndarray]:
        alternatives = distinct(clause.alternatives)
        options = [self.alternative(a) for a in alternatives]
        qualified = np.zeros(self.snapshot.size, dtype=bool)
        for alternative, option in zip(alternatives, options, strict=True):
            if option is not None and alternative.qualifies:
                qualified[self.qualifying(alternative, option)] = True
        if clause.parts:
            scores, parts_qualify = self.parts(clause.parts)
            options.append((None, scores))
            if clause.parts_qualify:
                qualified |= parts_qualify
        best = np.zeros(self.snapshot.size)
        total = np.zeros(self.snapshot.size)
        for option in options:
            if option is None:
                continue
            ids, scores = option
            if ids is None:
                np.maximum(best, scores, out=best)
                total += scores
            else:
                best[ids] = np.maximum(best[ids], scores)
                total[ids] += scores
        return best + CLAUSE_TIEBREAK * (total - best), qualified

    def qualifying(self, alternative: Alternative, scores: Scores) -> np.ndarray:
        """Docnums where an alternative makes a result.

        A phrase is matched by its words occurring together in a field; in a long
        description that is no sign of the phrase ("work" and "practice" far apart),
        so there it only adds to the score of what qualifies otherwise.
        """
        ids, values = scores
        if len(alternative.terms) == 1 or alternative.any_of or alternative.target_group:
            return np.flatnonzero(values > 0) if ids is None else ids[values > 0]
        found = [self.together(name, alternative.terms)[0]
                 for name in field_boosts(alternative.locale, False) if not name.startswith("description_")]
        return np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)

    def parts(self, parts: list[Clause]) -> tuple[np.ndarray, np.ndarray]:
        """Parts of a compound query word: summed, scaled by the share matched; and
        where every part that is not generic qualifies ("städ" of "städjobb")."""
        total = np.zeros(self.snapshot.size)
        matched = np.zeros(self.snapshot.size)
        telling = [part for part in parts if not part.generic] or parts
        qualified = np.ones(self.snapshot.size, dtype=bool)
        for part in parts:
            scores, part_qualified = self.clause(part)
            total += scores
            matched += scores > 0
            if part in telling:
                qualified &= part_qualified
        return PART_WEIGHT * total * matched / len(parts), qualified

    def alternative(self, alternative: Alternative) -> Scores | None:
        """The BM25F scores of the documents an alternative matches."""
        compute = self._target_group if alternative.target_group else self._bm25
        unweighted = self.snapshot.scores.get(matching_key(alternative), lambda: compute(alternative))
        if unweighted is None:
            return None
        ids, scores = unweighted
        return ids, scores * (alternative.weight * self._locale_weight(alternative.locale))

    def _bm25(self, alternative: Alternative) -> Scores | None:
        """BM25F of an alternative at weight 1.

        Most alternatives (synonyms, compound parts, fuzzy terms) match few
        documents and are kept sparse; one that matches many, as a common word
        on a large index does, is cheaper as one array over all docnums.
        """
        found: list[tuple[np.ndarray, np.ndarray]] = []
        single = len(alternative.terms) == 1 or alternative.any_of
        for name, boost in field_boosts(alternative.locale, alternative.compound_parts).items():
            if single:
                postings = [self.frequencies(name, term) for term in alternative.terms]
            elif not name.startswith("heads_"):
                postings = [self.together(name, alternative.terms)]
            else:
                continue
            found += [(ids, boost * values) for ids, values in postings if len(ids)]
        if not found:
            return None
        ids, frequencies = self._summed(found)
        matching = np.count_nonzero(frequencies) if ids is None else len(ids)
        idf = math.log(1 + (self.snapshot.doc_count - matching + 0.5) / (matching + 0.5))
        return ids, idf * (BM25_K1 + 1) * frequencies / (BM25_K1 + frequencies)

    def _target_group(self, alternative: Alternative) -> Scores | None:
        """The documents for a target group, scored as a term found once in a short field."""
        mask = self.snapshot.facet_mask("target_group", [alternative.target_group]) & self.snapshot.live
        ids = np.flatnonzero(mask)
        if not len(ids):
            return None
        idf = math.log(1 + (self.snapshot.doc_count - len(ids) + 0.5) / (len(ids) + 0.5))
        return ids, np.full(len(ids), idf)

    def _summed(self, found: list[tuple[np.ndarray, np.ndarray]]) -> Scores:
        """Frequencies per document added over fields: sparse, or dense when many."""
        if len(found) == 1:
            return found[0]
        ids = np.concatenate([ids for ids, _ in found])
        values = np.concatenate([values for _, values in found])
        if len(ids) * SPARSE_SHARE < self.snapshot.size:
            unique, positions = np.unique(ids, return_inverse=True)
            return unique, np.bincount(positions, weights=values)
        return None, np.bincount(ids, weights=values, minlength=self.snapshot.size)

    def frequencies(self, name: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, length-normalised frequencies) of one term in one field."""
        key = (name, term)
        cache = self.snapshot.term_cache
        if key not in cache:
            if len(cache) >= TERM_CACHE_SIZE:
                cache.clear()
            ids, counts = self.snapshot.postings.postings(self.reader, name, term)
            cache[key] = (
                ids,
                counts / self.snapshot.field_norms(name)[ids] if len(ids) else counts,
            )
        return cache[key]

    def together(self, name: str, terms: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Mean frequency of a phrase's terms where they all occur in the field.

        Co-occurrence stands in for adjacency: much cheaper, and synonym
        phrases are short enough that the difference rarely matters.
        Postings are sorted by docnum, so the rarest term's documents are
        looked up in the others' by binary search, unless every term is common.
        """
        postings = sorted((self.frequencies(name, term) for term in terms), key=lambda p: len(p[0]))
        ids, summed = postings[0]
        if len(ids) * SPARSE_SHARE >= self.snapshot.size:  # all common: count them densely
            present = np.zeros(self.snapshot.size, dtype=np.int32)
            dense = np.zeros(self.snapshot.size)
            for other_ids, other_values in postings:
                present[other_ids] += 1
                dense[other_ids] += other_values
            ids = ids[present[ids] == len(terms)]
            return ids, dense[ids] / len(terms)
        for other_ids, other_values in postings[1:]:
            if not len(ids):
                break
            positions = np.minimum(np.searchsorted(other_ids, ids), len(other_ids) - 1)
            found = other_ids[positions] == ids
            ids, summed = ids[found], summed[found] + other_values[positions[found]]
        return ids, summed / len(terms)

    def _locale_weight(self, locale: str) -> float:
        return AUXILIARY_ENGLISH_WEIGHT if locale == "en" and self.locale != "en" else 1.0


def distinct(alternatives: Iterable[Alternative]) -> list[Alternative]:
    """One alternative per way of matching, keeping the highest weight; it qualifies if any does."""
    best: dict[tuple, Alternative] = {}
    for alternative in alternatives:
        key = matching_key(alternative)
        kept = best.get(key)
        if kept is None or kept.weight < alternative.weight:
            best[key] = alternative
        if kept is not None and (kept.qualifies or alternative.qualifies) and not best[key].qualifies:
            best[key] = dataclasses.replace(best[key], qualifies=True)
    return list(best.values())


def matching_key(alternative: Alternative) -> tuple:
    """What decides which documents an alternative matches and how well (not its weight).

    Flags that change nothing are left out: compound parts are indexed for
    Swedish only, and `any_of` means nothing for one term.
    """
    return (
        alternative.locale,
        alternative.terms,
        alternative.compound_parts and alternative.locale == SWEDISH,
        alternative.any_of and len(alternative.terms) > 1,
        alternative.target_group,
    )
