"""Relevance benchmark of the search engine on a judged corpus.

Builds a temporary SearchIndex straight from a corpus JSON file (the format of
../shared/eval/dev_corpus.json), runs the judged queries and prints nDCG@10
and recall@20 per query kind and overall.

    .venv/bin/python bench/relevance_engine.py CORPUS.json QUERIES.json [-v]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from metrics import QueryResult, evaluate, summarise  # noqa: E402

from portal.search.engine import SearchIndex, SearchRequest  # noqa: E402

TAXONOMY = ROOT / "portal" / "catalogue" / "data" / "taxonomy.json"
PUBLISHED = dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.UTC)


def load_labels(path: Path) -> dict[str, dict[str, dict[str, str]]]:
    """taxonomy kind → code → locale → label."""
    taxonomy = json.loads(path.read_text(encoding="utf-8"))
    return {
        kind: {item["code"]: item["labels"] for item in items} for kind, items in taxonomy.items()
    }


def organisation_name(municipality: str) -> str:
    """Swedish municipality name as its council is called: "Krokoms kommun"."""
    genitive = municipality if municipality[-1:] in "aeiouyåäös" else municipality + "s"
    return f"{genitive} kommun"


def corpus_document(number: int, entry: dict, labels: dict) -> dict:
    """A corpus entry mapped to the engine's document contract."""
    start = entry.get("start")
    rolling = start in (None, "", "lopande")
    label_codes = [("type", entry.get("type"))] + [
        ("target_group", code) for code in entry.get("target_groups", [])
    ]
    label_text: dict[str, str] = {}
    for kind, code in label_codes:
        for locale, label in labels.get(kind, {}).get(code, {}).items():
            label_text[locale] = f"{label_text.get(locale, '')} {label}".strip()
    return {
        "id": number,
        "external_id": entry["id"],
        "title": entry["title"],
        "summary": entry.get("summary", ""),
        "description": entry.get("description", ""),
        "organisation": organisation_name(entry.get("municipality", "")),
        "municipality_code": entry.get("municipality_code"),
        "unit": entry.get("unit", ""),
        "city": entry.get("city", ""),
        "type": entry.get("type"),
        "target_groups": entry.get("target_groups", []),
        "languages": entry.get("languages", []),
        "referrers": entry.get("referrers", []),
        "intake": "rolling" if rolling else "cohorts",
        "places_available": entry.get("places_available", 0),
        "start_date": None if rolling else dt.date.fromisoformat(start),
        "published_at": PUBLISHED + dt.timedelta(minutes=number),
        "lat": entry.get("lat"),
        "lon": entry.get("lon"),
        "translations": entry.get("translations", {}),
        "labels": label_text,
    }


def run(corpus_path: Path, queries_path: Path, locale: str, verbose: bool) -> list[QueryResult]:
    corpus = json.loads(corpus_path.read_text(encoding="utf-8"))
    queries = json.loads(queries_path.read_text(encoding="utf-8"))
    labels = load_labels(TAXONOMY)
    docs = [corpus_document(number, entry, labels) for number, entry in enumerate(corpus, start=1)]
    external = {doc["id"]: doc["external_id"] for doc in docs}

    results = []
    with tempfile.TemporaryDirectory() as directory:
        index = SearchIndex(directory, target_group_labels=lambda: labels["target_group"])
        index.rebuild(docs)
        for query in queries:
            response = index.search(SearchRequest(text=query["query"], locale=locale, per_page=20))
            ranked = [external[hit.id] for hit in response.hits]
            result = evaluate(query["id"], query["kind"], ranked, query["relevant"])
            results.append(result)
            if verbose:
                print_query(query, ranked, result, response.suggestion)
        index.close()
    return results


def print_query(
    query: dict, ranked: list[str], result: QueryResult, suggestion: str | None
) -> None:
    judged = query["relevant"]
    shown = " ".join(f"{doc_id}:{judged.get(doc_id, 0)}" for doc_id in ranked[:10])
    missing = sorted(set(judged) - set(ranked[:20]))
    scores = f"nDCG={result.ndcg:.3f} R={result.recall:.3f}"
    print(f"{query['id']} {query['kind']:<13} {scores} {query['query']!r}")
    print(f"    top10: {shown}")
    if missing:
        print(f"    missing from top20: {' '.join(f'{m}:{judged[m]}' for m in missing)}")
    if suggestion:
        print(f"    suggestion: {suggestion}")


def print_table(results: list[QueryResult]) -> None:
    print(f"{'kind':<14}{'queries':>8}{'nDCG@10':>10}{'recall@20':>11}{'mean':>8}")
    summaries = summarise(results)
    for summary in summaries:
        if summary.name == "overall":
            print("-" * 51)
        print(
            f"{summary.name:<14}{summary.queries:>8}{summary.ndcg:>10.3f}{summary.recall:>11.3f}{summary.score:>8.3f}"
        )
    overall = summaries[-1]
    print(f"overall score (mean of nDCG@10 and recall@20): {overall.score:.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("queries", type=Path)
    parser.add_argument(
        "--locale", default="sv", help="visitor locale the queries are run with (default sv)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="print every query's top 10")
    args = parser.parse_args(argv)
    print_table(run(args.corpus, args.queries, args.locale, args.verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
