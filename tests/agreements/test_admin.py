"""The region administrator's agreement pages: list, create, edit, audited; bad input re-renders."""

from __future__ import annotations

from portal.accounts.models import Role
from portal.agreements.models import Agreement, AgreementKind
from portal.audit.models import AuditEvent
from portal.extensions import db


def test_admin_creates_and_edits_an_agreement(client, login, make, no_csrf):
    osby = make.organisation(name="Osby kommun", municipality_code="1273", slug="osby")
    kristianstad = make.organisation(name="Kristianstads kommun", municipality_code="1290", slug="kristianstad")
    login(make.user(Role.ADMIN))
    response = client.post("/admin/agreements/new", data={
        "name": "Skåne Nordost", "kind": "regional", "price_per_week_sek": "0",
        "members": [str(osby.id), str(kristianstad.id)], "valid_from": "2026-01-01"})
    assert response.status_code == 302
    agreement = db.session.execute(db.select(Agreement)).scalar_one()
    assert agreement.kind == AgreementKind.REGIONAL and agreement.member_ids == {osby.id, kristianstad.id}
    page = client.get("/admin/agreements").get_data(as_text=True)
    assert "Skåne Nordost" in page and "Osby kommun" in page
    response = client.post(f"/admin/agreements/{agreement.id}", data={
        "name": "Skåne Nordost", "kind": "regional", "price_per_week_sek": "1200",
        "members": [str(osby.id), str(kristianstad.id)], "valid_from": "2026-01-01"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Agreement, agreement.id).price_per_week_sek == 1200
    events = db.session.execute(db.select(AuditEvent).where(AuditEvent.record_type == "agreement")
                                .order_by(AuditEvent.id)).scalars().all()
    assert [event.action for event in events] == ["create", "update"]
    assert events[1].changes["price_per_week_sek"] == [0, 1200]


def test_bad_input_re_renders_with_messages(client, login, make, no_csrf):
    osby = make.organisation(name="Osby kommun", municipality_code="1273", slug="osby")
    other = make.organisation()
    third = make.organisation()
    login(make.user(Role.ADMIN))
    for data in (
        {"name": "", "kind": "regional", "price_per_week_sek": "x", "members": [str(osby.id)]},
        {"name": "A", "kind": "bilateral", "price_per_week_sek": "0",
         "members": [str(osby.id), str(other.id), str(third.id)]},
        {"name": "A", "kind": "nonsense", "price_per_week_sek": "-1", "members": ["abc", "99999"]},
        {"name": "A", "kind": "regional", "price_per_week_sek": "1", "members": [str(osby.id), str(other.id)],
         "valid_from": "2026-05-01", "valid_until": "2026-01-01"},
        {"name": "A" * 400, "kind": "regional", "price_per_week_sek": "9" * 40, "valid_from": "nodate"},
    ):
        response = client.post("/admin/agreements/new", data=data)
        assert response.status_code == 422, data
        assert 'class="error-summary"' in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(Agreement.id))).scalar_one() == 0
    assert client.get("/admin/agreements/12345").status_code == 404


def test_duplicate_name_is_a_message(client, login, make, no_csrf):
    first, second = make.organisation(), make.organisation()
    db.session.add(Agreement(name="Avtal", kind=AgreementKind.BILATERAL, members=[first, second]))
    db.session.commit()
    login(make.user(Role.ADMIN))
    response = client.post("/admin/agreements/new", data={
        "name": "Avtal", "kind": "bilateral", "price_per_week_sek": "0",
        "members": [str(first.id), str(second.id)]})
    assert response.status_code == 422
    assert "Another agreement already has this name." in response.get_data(as_text=True) or \
        "annat avtal" in response.get_data(as_text=True).lower()
