"""Who an intervention is open to, its price for others and its referral rule: the editor's
form, the importer (JSON and CSV) and the one write path store the same values."""

from __future__ import annotations

import re

from portal.accounts.models import Role
from portal.catalogue.importer import import_records, parse_text
from portal.catalogue.models import Intervention, OpenTo, ReferralRule
from portal.extensions import db

RECORD = {"id": "E1", "municipality_code": "1290", "municipality": "Kristianstad", "title": "Snickeri",
          "summary": "Arbetsträning i snickeri.", "type": "arbetstraning", "capacity": 5, "places_available": 2}


def test_the_importer_takes_the_new_fields(app, taxonomy):
    report = import_records([RECORD | {"open_to": "agreement", "cost_per_week_other_sek": 1200,
                                       "referral_rule": "refuse"}])
    assert report.ok, report.errors
    item = db.session.execute(db.select(Intervention)).scalar_one()
    assert (item.open_to, item.price_per_week_other_sek, item.referral_rule) == (
        OpenTo.AGREEMENT, 1200, ReferralRule.REFUSE)
    assert import_records([RECORD | {"open_to": "agreement", "cost_per_week_other_sek": 1200,
                                     "referral_rule": "refuse"}]).unchanged == ["E1"]
    report = import_records([RECORD])  # left out: the defaults
    db.session.expire_all()
    assert (item.open_to, item.price_per_week_other_sek, item.referral_rule) == (
        OpenTo.ANYONE, None, ReferralRule.WARN)


def test_the_importer_names_bad_values(app, taxonomy):
    report = import_records([RECORD | {"open_to": "friends", "cost_per_week_other_sek": -5,
                                       "referral_rule": "maybe"}])
    assert {error.field for error in report.errors} == {"open_to", "cost_per_week_other_sek", "referral_rule"}
    text = ("id,municipality_code,title,summary,type,capacity,places_available,open_to,cost_per_week_other_sek\n"
            "C1,1290,Titel,Sammanfattning,praktik,3,1,own,\n")
    assert import_records(parse_text(text, ".csv")).ok
    assert db.session.execute(db.select(Intervention.open_to)).scalar_one() == OpenTo.OWN


def test_the_editor_sets_the_new_fields(client, login, make, no_csrf):
    owner = make.organisation(name="Kristianstads kommun", municipality_code="1290", slug="kristianstad")
    login(make.user(Role.EDITOR, owner))
    form = {"organisation": str(owner.id), "unit": "0", "title": "Ny", "summary": "Sammanfattning.",
            "type": "praktik", "languages": ["sv"], "delivery_format": "on_site", "intake": "rolling",
            "capacity": "5", "places_available": "1", "price_per_week_sek": "0",
            "open_to": "own", "price_per_week_other_sek": "800", "referral_rule": "refuse"}
    assert client.post("/manage/interventions/new", data=form).status_code == 302
    item = db.session.execute(db.select(Intervention)).scalar_one()
    assert (item.open_to, item.price_per_week_other_sek, item.referral_rule) == (OpenTo.OWN, 800, ReferralRule.REFUSE)
    page = client.get(f"/manage/interventions/{item.id}/edit").get_data(as_text=True)
    assert re.search(r"<option selected value=\"own\"|<option value=\"own\" selected", page)
    for bad in ({"open_to": "friends"}, {"price_per_week_other_sek": "-1"}, {"referral_rule": ""},
                {"price_per_week_other_sek": "1e9"}):
        response = client.post(f"/manage/interventions/{item.id}/edit",
                               data=form | {"version": str(item.version)} | bad)
        assert response.status_code == 422, bad
