"""One search over one snapshot: the plan, the result, its facets, order, page and hints."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from ..analysis import SWEDISH, QueryContext, QueryPlan, TargetGroups, default_synonyms, fold, plan_query
from .fields import HEAD_FIELD_BOOSTS, SPELLING, TEXT_FIELD_BOOSTS
from .highlighting import Highlighter
from .request import FACETS, Hit, SearchRequest, SearchResponse
from .scoring import Scorer
from .snapshot import Snapshot
from .vocabulary import LONG_WORD, close_terms

FEW_HITS = 3
MAX_FUZZY_TERMS = 3
# Query-time compound lookup: the query word, the rest of the compound, how many.
MIN_COMPOUND_QUERY = 5
MIN_UNKNOWN_HEAD = 4
MIN_KNOWN_TAIL = 4
MAX_COMPOUND_TERMS = 20
# A document scoring below this share of the second best match is left out of the result
# (and of its facet counts): it matched only a common word, a weak compound part or a
# synonym of one, or says the word in passing. The second best, not the best: one document
# that says the word in its title and again in every field must not push fair matches out.
MIN_SCORE_SHARE = 0.33
REFERENCE_RANK = 2
# A multiword query asks for all of its requirements, and for one fewer at a time while
# that finds fewer results than this. Then a document meeting fewer also needs this share
# of the score of the weakest one meeting them all, if any does.
ENOUGH_RESULTS = 5
RELAXED_SCORE_SHARE = 0.3
START_GROUP_SPAN = 4_000_000  # sort by start: groups apart by more than a date key spans


class Search:
    """One search over one snapshot."""

    def __init__(
        self,
        snapshot: Snapshot,
        request: SearchRequest,
        today: dt.date,
        target_groups: TargetGroups | None = None,
    ) -> None:
        self.snapshot = snapshot
        self.request = request
        self.today = today
        self.target_groups = target_groups
        self.reader = snapshot.searcher.reader()
        self.relaxed = False

    def run(self) -> SearchResponse:
        plan = plan_query(self.request.text, self._context())
        scores = None
        text_mask = self.snapshot.live
        if not plan.is_empty:
            scorer = Scorer(self.snapshot, self.request.locale)
            scores = scorer.query(plan)
            text_mask = self._text_matches(scores, self._meeting_requirements(scorer, plan, scores))
        filter_masks = {
            name: self.snapshot.facet_mask(name, values)
            for name, values in self.request.filters.items()
        }
        result_mask = text_mask.copy()
        for mask in filter_masks.values():
            result_mask &= mask
        total = int(np.count_nonzero(result_mask))

        first = (self.request.page - 1) * self.request.per_page
        stop = first + self.request.per_page
        page = self._ordered(result_mask, scores, stop)[first:stop]
        highlighter = Highlighter(plan)
        return SearchResponse(
            total=total,
            page=self.request.page,
            per_page=self.request.per_page,
            hits=[
                self._hit(int(d), 0.0 if scores is None else float(scores[d]), highlighter)
                for d in page
            ],
            facets=self._facets(text_mask, filter_masks),
            suggestion=self._suggestion(plan, total),
            relaxed=self.relaxed,
        )

    def _meeting_requirements(self, scorer: Scorer, plan: QueryPlan, scores: np.ndarray) -> np.ndarray:
        """Documents meeting all of the plan's requirements, or as many as give enough.

        Decided on the text alone, before filters, so that a facet's count is the
        length of the list that selecting it gives.
        """
        live = self.snapshot.live
        if not plan.requirements:
            return live
        met = np.zeros(self.snapshot.size, dtype=np.int32)
        for need in plan.requirements:
            met += scorer.satisfied(need)
        complete = live & (met == len(plan.requirements))
        for wanted in range(len(plan.requirements), 0, -1):
            meeting = live & (met >= wanted)
            if np.count_nonzero(meeting) >= ENOUGH_RESULTS or wanted == 1:
                break
        self.relaxed = wanted < len(plan.requirements) and bool(meeting.any())
        if self.relaxed and complete.any():
            floor = RELAXED_SCORE_SHARE * float(scores[complete].min())
            meeting = complete | (meeting & (scores >= floor))
        return meeting

    def _text_matches(self, scores: np.ndarray, meeting: np.ndarray) -> np.ndarray:
        matching = meeting & (scores > 0)
        if not matching.any():
            return matching
        matched = scores[matching]
        rank = min(REFERENCE_RANK, len(matched))
        reference = float(np.partition(matched, -rank)[-rank])
        return matching & (scores >= MIN_SCORE_SHARE * reference)

    # ---- the plan's questions to the index

    def _context(self) -> QueryContext:
        return QueryContext(
            locales=search_locales(self.request.locale),
            primary=self.request.locale,
            decompounder=self.snapshot.decompounder,
            synonyms=default_synonyms(),
            is_known=self._is_known,
            fuzzy=self._fuzzy,
            compounds=self._compounds,
            modified=self._modified,
            prefixed=self._prefixed,
            target_groups=self.target_groups,
        )

    def _is_known(self, locale: str, term: str) -> bool:
        if self.snapshot.vocabulary.frequency(locale, term):
            return True
        # Words added since the last rebuild, and words only seen inside compounds.
        names = [f"{name}_{locale}" for name in TEXT_FIELD_BOOSTS]
        if locale == SWEDISH:
            names += list(HEAD_FIELD_BOOSTS)
        return any((name, term) in self.reader for name in names)

    def _compounds(self, term: str) -> list[str]:
        """Indexed Swedish compounds that end with the term, commonest first.

        This finds "arbetsträning" for "träning" even where "träning" never
        occurs alone, so the index-time decompounding could not split it.
        The rest of the compound must look like a word: four letters or more.
        """
        vocabulary = self.snapshot.vocabulary
        if len(term) < MIN_COMPOUND_QUERY:
            return []
        found = [c for c in vocabulary.ending_with(SWEDISH, term) if len(c) - len(term) >= MIN_UNKNOWN_HEAD]
        return self._commonest(found)

    def _modified(self, term: str) -> list[str]:
        """Indexed Swedish compounds that begin with the term and end in a known word."""
        vocabulary = self.snapshot.vocabulary
        if len(term) < MIN_COMPOUND_QUERY:
            return []
        found = []
        for candidate in vocabulary.starting_with(SWEDISH, term):
            tail = candidate[len(term) :]
            if len(tail) >= MIN_KNOWN_TAIL and (
                vocabulary.frequency(SWEDISH, tail) or vocabulary.frequency(SWEDISH, tail[1:])
            ):
                found.append(candidate)
        return self._commonest(found)

    def _commonest(self, terms: list[str], locale: str = SWEDISH) -> list[str]:
        vocabulary = self.snapshot.vocabulary
        return sorted(terms, key=lambda t: -vocabulary.frequency(locale, t))[:MAX_COMPOUND_TERMS]

    def _prefixed(self, locale: str, term: str) -> list[str]:
        """Indexed terms of a language without a stemmer that begin with the term."""
        return self._commonest(self.snapshot.vocabulary.starting_with(locale, term), locale)

    def _fuzzy(self, locale: str, term: str) -> list[tuple[str, int]]:
        """Indexed terms within one edit (two for long words), closest and commonest first."""
        vocabulary = self.snapshot.vocabulary
        max_edits = 1 if len(term) < LONG_WORD else 2
        ranked = sorted(
            (edits, -vocabulary.frequency(locale, candidate), candidate)
            for candidate, edits in close_terms(vocabulary, locale, term, max_edits)
        )
        return [(candidate, edits) for edits, _, candidate in ranked[:MAX_FUZZY_TERMS]]

    # ---- facets and order

    def _facets(
        self, text_mask: np.ndarray, filter_masks: dict[str, np.ndarray]
    ) -> dict[str, list[tuple[str, int]]]:
        """Counts per facet value over the whole result.

        A facet's own selection is left out of its counts (disjunctive
        faceting): a selected facet still shows the values one could add.
        """
        facets = {}
        for name in FACETS:
            base = text_mask.copy()
            for other, mask in filter_masks.items():
                if other != name:
                    base &= mask
            counts = self.snapshot.facet_counts(name, base)
            for value in self.request.filters.get(name, ()):
                counts.setdefault(value, 0)
            facets[name] = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        return facets

    def _ordered(self, result_mask: np.ndarray, scores: np.ndarray | None, stop: int) -> np.ndarray:
        """The first `stop` docnums of the result in the requested order."""
        docnums = np.flatnonzero(result_mask)
        rank = self.snapshot.newest_rank[docnums]
        sort = self.request.sort
        if sort == "relevance" and scores is not None:
            keys: tuple[np.ndarray, ...] = (rank, -scores[docnums])
        elif sort == "start":
            keys = (rank, self._start_key(docnums))
        elif sort == "distance":
            keys = (rank, self._distances(docnums))
        else:
            keys = (rank,)
        return first_in_order(docnums, keys, stop)

    def _start_key(self, docnums: np.ndarray) -> np.ndarray:
        """Open intake first, then coming starts (soonest first), then past ones (latest first)."""
        start = self.snapshot.start[docnums]
        today = self.today.toordinal()
        dated = start >= 0
        group = np.select(
            [dated & (start >= today), dated, self.snapshot.open_intake[docnums]],
            [1, 2, 0],
            default=3,
        )
        date_key = np.where(group == 1, start, np.where(group == 2, -start, 0))
        # One integer key: the group, then the date within it (ordinals stay below 10**6).
        return group * START_GROUP_SPAN + date_key

    def _distances(self, docnums: np.ndarray) -> np.ndarray:
        lat0, lon0 = (math.radians(v) for v in self.request.origin)
        lat = np.radians(self.snapshot.lat[docnums])
        lon = np.radians(self.snapshot.lon[docnums])
        h = (
            np.sin((lat - lat0) / 2) ** 2
            + math.cos(lat0) * np.cos(lat) * np.sin((lon - lon0) / 2) ** 2
        )
        distance = 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
        return np.where(np.isnan(distance), np.inf, distance)

    # ---- hits

    def _hit(self, docnum: int, score: float, highlighter: Highlighter) -> Hit:
        texts = self.snapshot.searcher.stored_fields(docnum).get("texts") or {}
        translated = texts.get(self.request.locale) or {}
        locale = (
            self.request.locale
            if translated.get("summary") or translated.get("description")
            else SWEDISH
        )
        entry = texts.get(locale) or {}
        body = " ".join(t for t in (entry.get("summary"), entry.get("description")) if t)
        return Hit(
            id=int(self.snapshot.ids[docnum]),
            score=round(score, 4),
            snippet=highlighter.snippet(body, locale),
        )

    # ---- did you mean

    def _suggestion(self, plan: QueryPlan, total: int) -> str | None:
        """The query with misspelt words corrected, when it found little.

        With few hits every word unknown to the index is corrected; otherwise
        only words the index does not know as a whole (those searched with
        typo tolerance).
        """
        unknown = {clause.text for clause in plan.clauses if clause.unknown}
        if not unknown and total >= FEW_HITS:
            return None
        corrected = [
            self._correct(w) if total < FEW_HITS or w in unknown else w for w in plan.words
        ]
        return " ".join(corrected) if corrected != plan.words else None

    def _correct(self, word: str) -> str:
        vocabulary = self.snapshot.vocabulary
        if len(word) < 4 or word.isdigit() or vocabulary.frequency(SPELLING, word):
            return word
        max_edits = 1 if len(word) < LONG_WORD else 2
        candidates = close_terms(vocabulary, SPELLING, word, max_edits, diacritics=True)
        if not candidates:
            return word
        folded = fold(word)
        # Restoring å/ä/ö beats any other correction, then fewer edits, then the commonest word.
        best = max(
            candidates,
            key=lambda item: (
                fold(item[0]) == folded,
                -item[1],
                vocabulary.frequency(SPELLING, item[0]),
            ),
        )
        return best[0]


def search_locales(locale: str) -> list[str]:
    """Swedish always, the visitor's language, and English as a lingua franca."""
    locales = [SWEDISH]
    for extra in (locale, "en"):
        if extra not in locales:
            locales.append(extra)
    return locales


def first_in_order(docnums: np.ndarray, keys: tuple[np.ndarray, ...], stop: int) -> np.ndarray:
    """The first `stop` of `docnums` ordered by `keys` (as `np.lexsort`: the last key first).

    Sorting a broad result whole costs more than the rest of a search on a large
    index; only what can reach the page is sorted: whatever the last key puts at
    or before the `stop`-th place, ties included, so the order is the same.
    """
    if stop < len(docnums):
        primary = keys[-1]
        kth = np.partition(primary, stop - 1)[stop - 1]
        candidates = primary <= kth
        docnums = docnums[candidates]
        keys = tuple(key[candidates] for key in keys)
    return docnums[np.lexsort(keys)][:stop]
