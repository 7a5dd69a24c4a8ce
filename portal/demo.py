"""The demo region: the six Skåne Nordost municipalities, their units and interventions."""

from __future__ import annotations

import json
from dataclasses import dataclass

from portal.accounts.models import Role
from portal.accounts.services import create_user, find_user
from portal.catalogue.importer import ImportReport, import_records
from portal.catalogue.models import Organisation, OrganisationKind, Unit
from portal.catalogue.taxonomy import DATA_DIR, load_taxonomy
from portal.extensions import db

ORGANISATIONS_FILE = DATA_DIR / "demo_organisations.json"
INTERVENTIONS_FILE = DATA_DIR / "demo_interventions.json"


# Demo-only accounts, documented in the README; never load the demo into a real portal.
DEMO_PASSWORD = "demo-insatsportalen"
DEMO_ACCOUNT_ORGANISATIONS = {"1290": "kristianstad", "1293": "hassleholm"}
DEMO_ROLES = (Role.CASEWORKER, Role.EDITOR, Role.ORG_ADMIN)
DEMO_ROLE_NAMES = {Role.CASEWORKER: "handlaggare", Role.EDITOR: "redaktor", Role.ORG_ADMIN: "orgadmin"}
DEMO_ADMIN_EMAIL = "admin@insatsportalen.example.se"


@dataclass
class DemoReport:
    organisations_created: int
    units_created: int
    interventions: ImportReport
    users_created: int = 0
    history_requests: int = 0


def load_demo() -> DemoReport:
    """Load (or bring up to date) the demo region; running it again duplicates nothing."""
    load_taxonomy()
    organisations, units = _load_organisations()
    db.session.commit()
    _load_agreements()
    records = json.loads(INTERVENTIONS_FILE.read_text(encoding="utf-8"))
    report = import_records(records)
    if not report.ok:
        raise ValueError("demo data is invalid: " + "; ".join(map(str, report.errors[:5])))
    users = _load_demo_users()
    db.session.commit()
    from portal.stats.demo_history import load_history

    caseworkers = [email for email, role, _code in demo_accounts() if role == Role.CASEWORKER]
    history = load_history(caseworkers)
    return DemoReport(organisations, units, report, users, history)


def demo_accounts() -> list[tuple[str, Role, str | None]]:
    """(e-mail, role, municipality code) of every demo account."""
    accounts: list[tuple[str, Role, str | None]] = [(DEMO_ADMIN_EMAIL, Role.ADMIN, None)]
    for code, slug in DEMO_ACCOUNT_ORGANISATIONS.items():
        accounts += [(f"{DEMO_ROLE_NAMES[role]}@{slug}.example.se", role, code) for role in DEMO_ROLES]
    return accounts


def _load_demo_users() -> int:
    created = 0
    for email, role, code in demo_accounts():
        if find_user(email) is not None:
            continue
        organisation = None
        if code:
            organisation = db.session.execute(
                db.select(Organisation).where(Organisation.municipality_code == code)
            ).scalar_one()
        name = email.split("@")[0].capitalize() + (f" ({organisation.name})" if organisation else "")
        create_user(email, name, role, organisation, password=DEMO_PASSWORD)
        created += 1
    return created


DEMO_AGREEMENT = "Skåne Nordost"


def _load_agreements() -> None:
    """The Skåne Nordost agreement: residents of all six municipalities use each other's
    interventions, free of charge unless an intervention sets its own price."""
    from datetime import date

    from portal.agreements.models import Agreement, AgreementKind

    members = list(db.session.execute(
        db.select(Organisation).where(Organisation.kind == OrganisationKind.KOMMUN)
        .order_by(Organisation.name)).scalars())
    agreement = db.session.execute(db.select(Agreement).where(Agreement.name == DEMO_AGREEMENT)).scalar_one_or_none()
    if agreement is None:
        agreement = Agreement(name=DEMO_AGREEMENT, kind=AgreementKind.REGIONAL, price_per_week_sek=0,
                              valid_from=date(2025, 1, 1), members=members)
        db.session.add(agreement)
    db.session.commit()


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
