"""``flask portal export-hsds DIR``: the whole open catalogue as HSDS 3.0 JSON files.

Each file holds a JSON list of one HSDS object type, in the shapes the API reference gives
its detail answers: ``services.json`` (fully nested services; the file the HSDS importer
reads), ``organizations.json``, ``service_at_locations.json``, ``taxonomies.json`` and
``taxonomy_terms.json``. The export is the open feed: internal fields are never in it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from portal.catalogue.models import Vocabulary
from portal.catalogue.taxonomy import terms
from portal.hsds import mapping, queries

FILES = ("services", "organizations", "service_at_locations", "taxonomies", "taxonomy_terms")


@dataclass
class ExportReport:
    directory: Path
    counts: dict[str, int] = field(default_factory=dict)


def collect(lang: str) -> dict[str, list[dict]]:
    """Every HSDS record of the open feed, by file name."""
    items = list(queries.stream(queries.feed()))
    by_organisation: dict[int, list] = {}
    for item in items:
        by_organisation.setdefault(item.organisation_id, []).append(item)
    return {
        "services": [mapping.service_full_json(item, lang, internal=False) for item in items],
        "organizations": [
            mapping.organization_full_json(
                organisation, lang,
                [mapping.service_json(item, lang, internal=False)
                 for item in by_organisation.get(organisation.id, [])])
            for organisation in queries.organisations()
        ],
        "service_at_locations": [
            mapping.service_at_location_json(item, place, lang, internal=False, full=True)
            for item, place in queries.service_locations(queries.feed())
        ],
        "taxonomies": [mapping.taxonomy_json(vocabulary, lang) for vocabulary in Vocabulary],
        "taxonomy_terms": [mapping.taxonomy_term_json(term, lang)
                           for vocabulary in Vocabulary for term in terms(vocabulary)],
    }


def export_hsds(directory: Path | str, lang: str = "sv") -> ExportReport:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    records = collect(lang)
    report = ExportReport(directory)
    for name in FILES:
        path = directory / f"{name}.json"
        temporary = path.with_suffix(".json.tmp")
        temporary.write_text(json.dumps(records[name], ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        temporary.replace(path)
        report.counts[name] = len(records[name])
    return report
