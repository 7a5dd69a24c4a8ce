"""The verdict, table-driven: openness × agreement (none, regional, bilateral, expired) ×
home municipality (own, agreement partner, outside) × referrer, at the service."""

from __future__ import annotations

from datetime import date

import pytest

from portal.agreements.eligibility import HOME_OTHER, eligibility_keys, search_keys, verdict
from portal.agreements.models import Agreement, AgreementKind
from portal.catalogue.models import OpenTo, OrganisationKind, ReferralRule
from portal.extensions import db

TODAY = date(2026, 12, 1)
OPENNESS = list(OpenTo)
AGREEMENTS = ["none", "regional", "bilateral", "expired"]
HOMES = ["own", "partner", "outside_region", "other"]  # outside_region: a region municipality without agreement
REFERRERS = ["socialtjansten", "arbetsformedlingen"]


def build_world(make, agreement: str):
    kristianstad = make.organisation(name="Kristianstads kommun", municipality_code="1290", slug="kristianstad")
    osby = make.organisation(name="Osby kommun", municipality_code="1273", slug="osby")
    horby = make.organisation(name="Hörby kommun", municipality_code="1266", slug="horby")
    af = make.organisation(name="Arbetsförmedlingen", kind=OrganisationKind.ARBETSFORMEDLINGEN,
                           municipality_code=None, slug="af")
    if agreement != "none":
        db.session.add(Agreement(
            name={"regional": "Skåne Nordost", "bilateral": "Osby–Kristianstad",
                  "expired": "Gamla avtalet"}[agreement],
            kind=AgreementKind.BILATERAL if agreement == "bilateral" else AgreementKind.REGIONAL,
            price_per_week_sek=0 if agreement == "regional" else 1200,
            members=[kristianstad, osby] if agreement == "bilateral" else [kristianstad, osby, af],
            valid_from=date(2025, 1, 1), valid_until=date(2026, 6, 30) if agreement == "expired" else None))
        db.session.commit()
    items = {openness: make.intervention(kristianstad, title=f"Insats {openness.value}", open_to=openness,
                                         price_per_week_sek=700, referrers=("socialtjansten",),
                                         referral_rule=ReferralRule.REFUSE)
             for openness in OPENNESS}
    return {"owner": kristianstad, "osby": osby, "horby": horby, "af": af, "items": items}


def home_code(home: str) -> str:
    return {"own": "1290", "partner": "1273", "outside_region": "1266", "other": HOME_OTHER}[home]


def expected(openness: OpenTo, agreement: str, home: str) -> tuple[bool, int | None, str | None]:
    """open, price per week, agreement name — written out independently of the service."""
    if home == "own":
        return True, 0, None
    partner = home == "partner" and agreement in ("regional", "bilateral")
    name = {"regional": "Skåne Nordost", "bilateral": "Osby–Kristianstad"}.get(agreement) if partner else None
    open_ = {OpenTo.OWN: False, OpenTo.AGREEMENT: partner,
             OpenTo.REGION: home != "other", OpenTo.ANYONE: True}[openness]
    if not open_:
        return False, None, None
    if partner:
        return True, 0 if agreement == "regional" else 1200, name
    return True, 700, None


@pytest.mark.parametrize("agreement", AGREEMENTS)
def test_the_verdict_table(make, agreement):
    world = build_world(make, agreement)
    for openness, item in world["items"].items():
        for home in HOMES:
            for referrer in REFERRERS:
                organisation = world["osby"] if referrer == "socialtjansten" else world["af"]
                found = verdict(item, home_code(home), organisation, TODAY)
                case = (openness.value, agreement, home, referrer)
                assert (found.open, found.price_per_week_sek, found.agreement_name) == expected(
                    openness, agreement, home), case
                assert found.may_refer == (referrer == "socialtjansten"), case
                assert found.referral_refused == (referrer != "socialtjansten"), case
                assert found.reason, case
                keys = set(search_keys(home_code(home), TODAY)) & set(eligibility_keys(item))
                assert bool(keys) == found.open, case


def test_the_reasons_read_as_the_issue_says(make, app):
    world = build_world(make, "regional")
    owner, osby = world["owner"], world["osby"]
    free = verdict(world["items"][OpenTo.AGREEMENT], "1273", osby, TODAY)
    assert free.reason == "Open to residents of Osby — free under the Skåne Nordost agreement." or \
        free.reason == "Öppen för invånare i Osby – gratis enligt avtalet Skåne Nordost."
    priced = make.intervention(owner, open_to=OpenTo.REGION, price_per_week_sek=1200)
    assert "1" in verdict(priced, "1266", None, TODAY).reason
    closed = verdict(world["items"][OpenTo.OWN], "1273", osby, TODAY)
    assert "Kristianstad" in closed.reason and not closed.open
    assert verdict(world["items"][OpenTo.OWN], None, osby, TODAY) is None


def test_an_override_price_beats_the_agreement_and_an_owner_may_always_refer(make):
    world = build_world(make, "bilateral")
    item = make.intervention(world["owner"], open_to=OpenTo.AGREEMENT, price_per_week_other_sek=300,
                             referrers=("arbetsformedlingen",), referral_rule=ReferralRule.WARN)
    found = verdict(item, "1273", world["osby"], TODAY)
    assert (found.open, found.price_per_week_sek, found.agreement_name) == (True, 300, "Osby–Kristianstad")
    assert not found.may_refer and not found.referral_refused and found.referral_reason
    assert verdict(item, "1290", world["owner"], TODAY).may_refer
    hidden = verdict(item, "1273", world["osby"], TODAY, with_price=False)
    assert hidden.price_per_week_sek is None and "300" not in hidden.reason
