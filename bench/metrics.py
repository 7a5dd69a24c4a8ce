"""Ranking metrics as defined in ../shared/eval/README.md.

* nDCG@k with the graded judgements (0, 1, 2) as gains and the usual
  log2(rank + 1) discount; the ideal ranking sorts all judged grades.
* recall@k: the share of entries with grade >= 1 found in the top k.

The overall score of a run is the mean of mean-nDCG@10 and mean-recall@20.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

NDCG_K = 10
RECALL_K = 20


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


@dataclass(frozen=True)
class QueryResult:
    query_id: str
    kind: str
    ndcg: float
    recall: float


@dataclass(frozen=True)
class Summary:
    name: str  # a query kind, or "overall"
    queries: int
    ndcg: float
    recall: float

    @property
    def score(self) -> float:
        return (self.ndcg + self.recall) / 2


def evaluate(
    query_id: str, kind: str, ranked_ids: Sequence[str], judgements: Mapping[str, int]
) -> QueryResult:
    return QueryResult(
        query_id, kind, ndcg_at_k(ranked_ids, judgements), recall_at_k(ranked_ids, judgements)
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
    )
