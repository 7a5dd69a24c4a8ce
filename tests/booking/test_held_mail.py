"""An organisation without a booking mailbox: its requests' mail is held, visibly, until one is set."""

from __future__ import annotations

from portal.accounts.models import Role
from portal.extensions import db
from portal.notify.models import OutboxMessage
from tests.booking.helpers import only_request, submit_request


def mails() -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.execute(db.select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()


def test_requests_to_an_organisation_without_a_mailbox_are_held_and_released(region, make, client_for):
    admin = make.user(Role.ADMIN, None, email="region@example.se")
    osby = region.osby
    osby.booking_email = None
    db.session.commit()
    intervention = make.intervention(osby, title="Praktik i Osby", referrers=("socialtjansten",))
    caseworker = client_for(region.caseworker)
    response, _key = submit_request(caseworker, intervention.id)
    assert response.status_code == 302
    booking = only_request()
    assert booking.owner_mail_held
    assert [m.recipient for m in mails()] == [admin.email]  # the region administrator is told
    assert "Osby kommun" in mails()[0].body
    page = caseworker.get(f"/booking/requests/{booking.id}").get_data(as_text=True)
    assert "har ingen funktionsbrevlåda" in page or "has no booking mailbox" in page

    admin_client = client_for(admin)
    organisations = admin_client.get("/admin/organisations").get_data(as_text=True)
    assert "1 request waiting" in organisations or "1 förfrågan väntar" in organisations

    from portal.tasks.jobs import remind_missing_mailboxes

    remind_missing_mailboxes.job()  # the daily reminder while it waits
    assert [m.recipient for m in mails()] == [admin.email, admin.email]

    from portal.admin import services as admin_services

    admin_services.update_organisation(admin, osby, {
        "name": osby.name, "kind": osby.kind.value, "municipality_code": osby.municipality_code,
        "slug": osby.slug, "booking_email": "arbetsmarknad@osby.example.se", "website": None,
        "lat": None, "lon": None})
    db.session.expire_all()
    assert not only_request().owner_mail_held
    released = mails()[-1]
    assert released.recipient == "arbetsmarknad@osby.example.se" and booking.reference in released.body
    remind_missing_mailboxes.job()
    assert len(mails()) == 3  # nothing more to remind of


def test_an_imported_new_organisation_gets_no_invented_mailbox(app, taxonomy):
    from portal.catalogue.importer import import_records
    from portal.catalogue.models import Organisation

    record = {"id": "X1", "municipality_code": "2361", "municipality": "Härjedalen", "title": "Praktik",
              "summary": "Praktik.", "type": "praktik", "capacity": 2, "places_available": 1,
              "contact_email": "kontakt@herjedalen.example.se"}
    report = import_records([record])
    assert report.ok, report.errors
    organisation = db.session.execute(
        db.select(Organisation).where(Organisation.municipality_code == "2361")).scalar_one()
    assert organisation.booking_email is None
