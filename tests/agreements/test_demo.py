"""The demo region has the Skåne Nordost agreement and interventions closed to others or with a price."""

from __future__ import annotations

from portal.agreements.eligibility import verdict
from portal.agreements.models import Agreement
from portal.catalogue.models import Intervention, OpenTo
from portal.demo import load_demo
from portal.extensions import db


def test_the_demo_shows_every_kind_of_verdict(app):
    load_demo()
    load_demo()  # again: nothing doubles
    agreement = db.session.execute(db.select(Agreement)).scalar_one()
    assert agreement.name == "Skåne Nordost" and len(agreement.members) == 6
    by_id = {item.external_id: item for item in db.session.execute(db.select(Intervention)).scalars()}
    assert by_id["SN008"].open_to == OpenTo.OWN
    closed = verdict(by_id["SN008"], "1273")
    assert not closed.open and "Kristianstad" in closed.reason
    priced = verdict(by_id["SN002"], "1273")
    assert (priced.open, priced.price_per_week_sek, priced.agreement_name) == (True, 1200, "Skåne Nordost")
    free = verdict(by_id["SN001"], "1273")
    assert (free.open, free.price_per_week_sek, free.agreement_name) == (True, 0, "Skåne Nordost")
