"""Relevance of the portal's search, measured through the same path as /api/v1/search.

Imports CORPUS into a throwaway SQLite database with the portal's importer, builds the
index with the portal's search service, runs every judged query through the JSON API
(Flask test client, so parsing, catch-up and ranking are the production code) and prints
nDCG@10, recall@20, the precision of the result list (its first 100) and the number of
results per relevant entry, per query kind and overall.

    .venv/bin/python bench/relevance.py ../shared/eval/dev_corpus.json ../shared/eval/dev_queries.json [-v]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from metrics import evaluate, summarise  # noqa: E402

from portal import create_app  # noqa: E402
from portal.catalogue.importer import import_records, read_file  # noqa: E402
from portal.catalogue.models import Intervention  # noqa: E402
from portal.catalogue.taxonomy import load_taxonomy  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.search.services import service  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("queries", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true", help="print every query's scores")
    args = parser.parse_args()
    queries = json.loads(args.queries.read_text(encoding="utf-8"))

    with tempfile.TemporaryDirectory(prefix="relevance-") as workdir:
        app = create_app({
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir}/bench.db",
            "SEARCH_INDEX_DIR": f"{workdir}/index",
            "SECRET_KEY": "bench",
            "QUEUE_IMMEDIATE": True,
        })
        with app.app_context():
            db.create_all()
            load_taxonomy()
            db.session.commit()
            report = import_records(read_file(args.corpus))
            if not report.ok:
                print("\n".join(map(str, report.errors)), file=sys.stderr)
                return 1
            service().rebuild()
            external = dict(db.session.execute(db.select(Intervention.id, Intervention.external_id)).all())
            client = app.test_client()
            results = []
            for query in queries:
                response = client.get("/api/v1/search", query_string={"q": query["query"], "per_page": 100})
                answer = response.get_json()
                ranked = [external[hit["id"]] for hit in answer["results"]]
                result = evaluate(query["id"], query["kind"], ranked, query["relevant"], answer["total"])
                results.append(result)
                if args.verbose:
                    print(f"{query['id']} {query['kind']:<14} nDCG@10 {result.ndcg:.3f} "
                          f"recall@20 {result.recall:.3f} precision {result.precision:.3f} "
                          f"results {answer['total']:>2}  {query['query']}")
            db.session.remove()
            db.engine.dispose()
        service_index = app.extensions["search"].index
        service_index.close()

    print(f"{'kind':<14} {'queries':>7} {'nDCG@10':>8} {'recall@20':>10} {'precision':>10} {'per relevant':>13}")
    for summary in summarise(results):
        print(f"{summary.name:<14} {summary.queries:>7} {summary.ndcg:>8.3f} {summary.recall:>10.3f} "
              f"{summary.precision:>10.3f} {summary.per_relevant:>13.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
