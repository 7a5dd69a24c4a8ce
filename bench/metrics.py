"""Ranking metrics as defined in ../shared/eval/README.md.

* nDCG@k with the graded judgements (0, 1, 2) as gains and the usual
  log2(rank + 1) discount; the ideal ranking sorts all judged grades.
* recall@k: the share of entries with grade >= 1 found in the top k.
* precision of the result list: the share of the first 100 results with
  grade >= 1 (0 for an empty list), and the results per relevant entry
  (the whole result's size over the number of entries with grade >= 1):
  how much a case officer must read past to see everything relevant.

The overall score of a run is the mean of mean-nDCG@10 and mean-recall@20.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

NDCG_K = 10
RECALL_K = 20
PRECISION_K = 100


def dcg(gains: Iterable[float]) -> float:
    return sum(gain / math.log2(rank + 1) for rank, gain in enumerate(gains, start=1))


def ndcg_at_k(ranked_ids: Sequence[str], judgements: Mapping[str, int], k: int = NDCG_K) -> float:
    ideal = dcg(sorted(judgements.values(), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg(judgements.get(doc_id, 0) for doc_id in ranked_ids[:k]) / ideal


def recall_at_k(
    ranked_ids: Sequence[str], judgements: Mapping[str, int], k: int = RECALL_K
) -> float:
    relevant = {doc_id for doc_id, grade in judgements.items() if grade >= 1}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked_ids[:k])) / len(relevant)


def list_precision(
    ranked_ids: Sequence[str], judgements: Mapping[str, int], k: int = PRECISION_K
) -> float:
    listed = ranked_ids[:k]
    if not listed:
        return 0.0
    return sum(1 for doc_id in listed if judgements.get(doc_id, 0) >= 1) / len(listed)


def results_per_relevant(total: int, judgements: Mapping[str, int]) -> float:
    relevant = sum(1 for grade in judgements.values() if grade >= 1)
    return total / relevant if relevant else 0.0


@dataclass(frozen=True)
class QueryResult:
    query_id: str
    kind: str
    ndcg: float
    recall: float
    precision: float = 0.0
    per_relevant: float = 0.0


@dataclass(frozen=True)
class Summary:
    name: str  # a query kind, or "overall"
    queries: int
    ndcg: float
    recall: float
    precision: float = 0.0
    per_relevant: float = 0.0

    @property
    def score(self) -> float:
        return (self.ndcg + self.recall) / 2


def evaluate(
    query_id: str,
    kind: str,
    ranked_ids: Sequence[str],
    judgements: Mapping[str, int],
    total: int | None = None,
) -> QueryResult:
    """Scores of one query; `total` is the whole result's size (default: the list's)."""
    return QueryResult(
        query_id,
        kind,
        ndcg_at_k(ranked_ids, judgements),
        recall_at_k(ranked_ids, judgements),
        list_precision(ranked_ids, judgements),
        results_per_relevant(len(ranked_ids) if total is None else total, judgements),
    )


def summarise(results: Sequence[QueryResult]) -> list[Summary]:
    """One summary per query kind (in first-seen order), then "overall"."""
    by_kind: dict[str, list[QueryResult]] = defaultdict(list)
    for result in results:
        by_kind[result.kind].append(result)
    summaries = [_summary(kind, group) for kind, group in by_kind.items()]
    summaries.append(_summary("overall", list(results)))
    return summaries


def _summary(name: str, results: Sequence[QueryResult]) -> Summary:
    count = len(results)
    if not count:
        return Summary(name, 0, 0.0, 0.0)
    return Summary(
        name,
        count,
        sum(r.ndcg for r in results) / count,
        sum(r.recall for r in results) / count,
        sum(r.precision for r in results) / count,
        sum(r.per_relevant for r in results) / count,
    )
