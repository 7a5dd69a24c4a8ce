"""The verdict where the case officer meets it, table-driven: agreement (none, regional,
bilateral, expired) × home municipality (own, agreement partner, outside) × referrer, for
every openness and both referral rules — on the result card, the intervention page, the API
and the booking form, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from portal.accounts.models import Role
from portal.agreements.eligibility import verdict
from portal.audit.models import AuditEvent
from portal.booking.models import BookingRequest
from portal.catalogue.models import OpenTo, ReferralRule
from portal.extensions import db
from tests.agreements.test_verdict import AGREEMENTS, build_world, expected, home_code

HOMES = ["own", "partner", "outside_region"]
REFERRERS = ["socialtjansten", "arbetsformedlingen"]


def _card(page: str, title: str) -> str:
    for card in page.split('<article class="card">')[1:]:
        if f">{title}</a>" in card:
            return card.split("</article>")[0]
    raise AssertionError(f"no card for {title}")


@pytest.mark.parametrize("referrer", REFERRERS)
@pytest.mark.parametrize("home", HOMES)
@pytest.mark.parametrize("agreement", AGREEMENTS)
def test_the_verdict_on_every_page(client, login, make, no_csrf, agreement, home, referrer):
    world = build_world(make, agreement)
    warned = {openness: make.intervention(world["owner"], title=f"Undantag {openness.value}", open_to=openness,
                                          price_per_week_sek=700, referrers=("socialtjansten",),
                                          referral_rule=ReferralRule.WARN)
              for openness in OpenTo}
    organisation = world["osby"] if referrer == "socialtjansten" else world["af"]
    login(make.user(Role.CASEWORKER, organisation))
    code = home_code(home)
    assert client.post("/participant/home", data={"home": code, "next": "/interventions"}).status_code == 302
    search = client.get("/interventions?eligible=any&per_page=50").get_data(as_text=True)
    assert f'<option value="{code}" selected>' in search  # the bar at the top says where the participant lives
    items = [(openness, ReferralRule.REFUSE, item) for openness, item in world["items"].items()] + [
        (openness, ReferralRule.WARN, item) for openness, item in warned.items()]
    for openness, rule, item in items:
        case = (openness.value, rule.value, agreement, home, referrer)
        is_open, price, agreement_name = expected(openness, agreement, home)
        may_refer = referrer == "socialtjansten"
        found = verdict(item, code, organisation)
        assert (found.open, found.price_per_week_sek, found.agreement_name) == (is_open, price, agreement_name)
        reason = str(escape(found.reason))
        # The card and the intervention page show the verdict, and the referrer check before the form.
        card = _card(search, item.title)
        assert reason in card, case
        assert bool(found.referral_reason) == (not may_refer) and (
            str(escape(found.referral_reason)) in card or may_refer), case
        page = client.get(f"/interventions/{item.id}").get_data(as_text=True)
        assert reason in page, case
        refused = (not is_open or not may_refer) and rule == ReferralRule.REFUSE
        assert (f"/interventions/{item.id}/request" in page) == (not refused), case
        # The API, with home= (the case officer sees the price).
        api = client.get(f"/api/v1/interventions/{item.id}?home={code}").get_json()
        assert api["verdict"] == {
            "open": is_open, "price_per_week_sek": price, "agreement": agreement_name, "reason": found.reason}, case
        # The booking form: refused with the reason, or sent with the price (an exception where it does not fit).
        form = client.get(f"/interventions/{item.id}/request").get_data(as_text=True)
        assert reason in form, case
        before = db.session.execute(db.select(db.func.count(BookingRequest.id))).scalar_one()
        response = client.post(f"/interventions/{item.id}/request", data={
            "participant_reference": f"Ref {item.id}", "gender": "not_stated", "home_municipality": code})
        after = db.session.execute(db.select(db.func.count(BookingRequest.id))).scalar_one()
        if refused:
            assert response.status_code == 422 and after == before, case
            assert reason in response.get_data(as_text=True) or str(escape(found.referral_reason)) in \
                response.get_data(as_text=True), case
            continue
        assert response.status_code == 302 and after == before + 1, case
        booking = db.session.execute(db.select(BookingRequest).order_by(BookingRequest.id.desc())).scalars().first()
        assert (booking.home_municipality, booking.price_per_week_sek,
                booking.agreement.name if booking.agreement else None) == (code, price, agreement_name), case
        assert booking.eligibility_exception == (not is_open or not may_refer), case
        # The audit log keeps the terms it was sent under.
        submitted = db.session.execute(db.select(AuditEvent).where(
            AuditEvent.action == "submit", AuditEvent.record_type == "booking_request",
            AuditEvent.record_id == str(booking.id))).scalar_one().changes
        assert (submitted["price_per_week_sek"], (submitted["agreement"] or {}).get("name"),
                submitted["eligibility_exception"]) == (price, agreement_name, not is_open or not may_refer), case
        assert submitted["agreement"] is None or submitted["agreement"]["id"] == booking.agreement_id, case


def test_the_owner_sees_price_and_agreement_in_the_inbox(client, login, make, no_csrf):
    world = build_world(make, "bilateral")
    login(make.user(Role.CASEWORKER, world["osby"]))
    item = world["items"][OpenTo.AGREEMENT]
    client.post(f"/interventions/{item.id}/request", data={
        "participant_reference": "Ref", "gender": "not_stated", "home_municipality": "1273"})
    client.post("/logout")
    login(make.user(Role.EDITOR, world["owner"]))
    inbox = client.get("/booking/inbox").get_data(as_text=True)
    assert re.search(r"1[\s\u00a0\u202f]?200 (kr|kronor) \(Osby–Kristianstad\)", inbox), inbox[-3000:]
    booking = db.session.execute(db.select(BookingRequest)).scalar_one()
    page = client.get(f"/booking/requests/{booking.id}").get_data(as_text=True)
    assert "Osby–Kristianstad" in page and "Osby" in page
