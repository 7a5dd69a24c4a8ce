"""Flows by agreement and the weekly prices a home municipality committed to other owners."""

from __future__ import annotations

from portal.accounts.models import Role
from portal.agreements.statistics import flows_by_agreement
from portal.booking.models import BookingStatus
from portal.booking.services import RequestData, submit_request
from portal.catalogue.models import OpenTo
from portal.extensions import db
from tests.agreements.test_verdict import build_world


def test_flows_by_agreement_and_the_committed_weekly_sum(client, login, make, no_csrf):
    world = build_world(make, "bilateral")  # Osby–Kristianstad at 1 200 kr a week
    officer = make.user(Role.CASEWORKER, world["osby"])
    requests = [submit_request(officer, world["items"][openness], RequestData(
        participant_reference=f"R{n}", home_municipality="1273")).request
        for n, openness in enumerate((OpenTo.AGREEMENT, OpenTo.ANYONE, OpenTo.REGION))]
    requests[0].status = requests[1].status = BookingStatus.ACCEPTED
    db.session.commit()
    admin = make.user(Role.ADMIN)
    flows = {(flow.home, flow.agreement): flow for flow in flows_by_agreement(admin)}
    flow = flows[("1273", "Osby–Kristianstad")]
    assert (flow.requests, flow.committed, flow.weekly_sek) == (3, 2, 2400)
    login(admin)
    page = client.get("/admin/agreements/figures").get_data(as_text=True)
    assert "Osby–Kristianstad" in page and "2" in page
    for role in (Role.ORG_ADMIN, Role.CASEWORKER):
        client.post("/logout")
        login(make.user(role, world["osby"]))
        assert client.get("/admin/agreements/figures").status_code == 403
