"""The demo region: the six Skåne Nordost municipalities, their units and interventions."""

from __future__ import annotations

import json
from dataclasses import dataclass

from portal.catalogue.importer import ImportReport, import_records
from portal.catalogue.models import Organisation, OrganisationKind, Unit
from portal.catalogue.taxonomy import DATA_DIR, load_taxonomy
from portal.extensions import db

ORGANISATIONS_FILE = DATA_DIR / "demo_organisations.json"
INTERVENTIONS_FILE = DATA_DIR / "demo_interventions.json"


@dataclass
class DemoReport:
    organisations_created: int
    units_created: int
    interventions: ImportReport


def load_demo() -> DemoReport:
    """Load (or bring up to date) the demo region; running it again duplicates nothing."""
    load_taxonomy()
    organisations, units = _load_organisations()
    db.session.commit()
    records = json.loads(INTERVENTIONS_FILE.read_text(encoding="utf-8"))
    report = import_records(records)
    if not report.ok:
        raise ValueError("demo data is invalid: " + "; ".join(map(str, report.errors[:5])))
    return DemoReport(organisations, units, report)


def _load_organisations() -> tuple[int, int]:
    organisations_created = units_created = 0
    for entry in json.loads(ORGANISATIONS_FILE.read_text(encoding="utf-8")):
        organisation = db.session.execute(
            db.select(Organisation).where(
                Organisation.municipality_code == entry["municipality_code"]
            )
        ).scalar_one_or_none()
        if organisation is None:
            organisation = Organisation(municipality_code=entry["municipality_code"])
            db.session.add(organisation)
            organisations_created += 1
        organisation.name = entry["name"]
        organisation.kind = OrganisationKind(entry["kind"])
        organisation.slug = entry["slug"]
        organisation.booking_email = entry["booking_email"]
        organisation.website = entry.get("website")
        organisation.lat, organisation.lon = entry.get("lat"), entry.get("lon")
        units_created += _load_units(organisation, entry.get("units", []))
    return organisations_created, units_created


def _load_units(organisation: Organisation, entries: list[dict]) -> int:
    existing = {unit.name: unit for unit in organisation.units}
    created = 0
    for entry in entries:
        unit = existing.get(entry["name"])
        if unit is None:
            unit = Unit(name=entry["name"])
            organisation.units.append(unit)
            created += 1
        unit.address = entry.get("address")
        unit.postcode = entry.get("postcode")
        unit.city = entry.get("city")
        unit.booking_email = entry.get("booking_email")
    return created
