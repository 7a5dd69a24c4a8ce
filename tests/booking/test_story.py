"""The whole story over HTTP: Bromölla asks Hässleholm for a place, followed to the end.

Runs on SQLite and PostgreSQL; every notification is delivered to a real SMTP server
(aiosmtpd on loopback) and none of them carries a participant detail.
"""

from __future__ import annotations

import re

from portal.audit.models import AuditEvent
from portal.booking.models import BookingEvent, BookingNotification, BookingStatus, Outcome
from portal.catalogue.models import Intervention
from portal.extensions import db
from portal.notify.models import OutboxMessage
from tests.booking.helpers import PARTICIPANT, only_request, submit_request


def text(response) -> str:
    return response.get_data(as_text=True)


def places(intervention_id: int) -> int:
    return db.session.execute(
        db.select(Intervention.places_available).where(Intervention.id == intervention_id)
    ).scalar_one()


def test_request_from_bromolla_to_hassleholm_followed_to_the_end(app, region, client_for, smtp_server):
    intervention = region.intervention
    caseworker = client_for(region.caseworker)
    hassleholm = client_for(region.hassleholm_editor)
    osby = client_for(region.osby_editor)
    bromolla_editor = client_for(region.bromolla_editor)

    # The intervention page offers the action; the form says plainly what does not belong there.
    page = text(caseworker.get(f"/interventions/{intervention.id}"))
    assert f"/interventions/{intervention.id}/request" in page
    form_page = text(caseworker.get(f"/en/interventions/{intervention.id}/request"))
    assert "Do not write a personal identity number or a name anywhere in this form." in form_page

    # Bromölla sends the request; the reference is shown.
    response, _key = submit_request(caseworker, intervention.id)
    assert response.status_code == 302, text(response)[:2000]
    shown = caseworker.get(response.headers["Location"])
    booking = only_request()
    assert re.fullmatch(r"BR-\d{4}-\d{5}", booking.reference)
    assert booking.reference in text(shown)
    assert booking.owner_organisation_id == region.hassleholm.id
    assert booking.requester_organisation_id == region.bromolla.id
    assert booking.unit_id == region.cykel_unit.id
    assert booking.status == BookingStatus.SUBMITTED

    # Only Hässleholm's inbox shows it; Osby's editor does not even learn it exists.
    assert booking.reference in text(hassleholm.get("/booking/inbox"))
    osby_inbox = osby.get("/booking/inbox")
    assert osby_inbox.status_code == 200 and booking.reference not in text(osby_inbox)
    assert osby.get(f"/booking/requests/{booking.id}").status_code == 404
    assert osby.post(f"/booking/requests/{booking.id}/receive").status_code == 404
    # Bromölla's editor sees the request (both directions) but cannot decide it.
    assert bromolla_editor.get(f"/booking/requests/{booking.id}").status_code == 200
    assert booking.reference not in text(bromolla_editor.get("/booking/inbox"))
    assert bromolla_editor.post(f"/booking/requests/{booking.id}/receive").status_code == 403

    # Hässleholm's editor has a notification badge.
    assert 'id="notification-badge"' in text(hassleholm.get("/booking/inbox"))

    # received → accepted (one place fewer) → started → completed with an outcome.
    before = places(intervention.id)
    for action, data in [("receive", {}), ("accept", {}), ("start", {}),
                         ("complete", {"complete-outcome": "work"})]:
        response = hassleholm.post(f"/booking/requests/{booking.id}/{action}", data=data)
        assert response.status_code == 302, (action, text(response)[:3000])
        if action == "accept":
            assert places(intervention.id) == before - 1
    db.session.expire_all()
    assert booking.status == BookingStatus.COMPLETED
    assert booking.outcome == Outcome.WORK
    assert booking.closed_at is not None
    assert places(intervention.id) == before  # the participant finished: the place is free again

    # Every step is an event, an audit entry and a delivered e-mail to the other side.
    events = db.session.execute(
        db.select(BookingEvent).where(BookingEvent.request_id == booking.id).order_by(BookingEvent.id)
    ).scalars().all()
    assert [(e.action, e.from_status, e.to_status) for e in events] == [
        ("submit", None, BookingStatus.SUBMITTED),
        ("receive", BookingStatus.SUBMITTED, BookingStatus.RECEIVED),
        ("accept", BookingStatus.RECEIVED, BookingStatus.ACCEPTED),
        ("start", BookingStatus.ACCEPTED, BookingStatus.STARTED),
        ("complete", BookingStatus.STARTED, BookingStatus.COMPLETED),
    ]
    assert events[0].actor_id == region.caseworker.id
    assert {e.actor_id for e in events[1:]} == {region.hassleholm_editor.id}
    audit_actions = db.session.execute(
        db.select(AuditEvent.action).where(AuditEvent.record_type == "booking_request").order_by(AuditEvent.id)
    ).scalars().all()
    assert audit_actions == ["submit", "receive", "accept", "start", "complete"]

    outbox = db.session.execute(db.select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
    assert [m.recipient for m in outbox] == [
        "cykelverkstaden@hassleholm.example.se",  # routed to the unit's mailbox
        *[region.caseworker.email] * 4,
    ]
    assert all(m.sent_at is not None and m.attempts == 1 for m in outbox)
    assert sorted(smtp_server.message_ids()) == sorted(f"<outbox-{m.id}@insatsportalen>" for m in outbox)
    assert [r for r in smtp_server.recipients] == [[m.recipient] for m in outbox]

    details = [PARTICIPANT[key] for key in ("participant_reference", "birth_year", "adaptation_needs", "message")]
    details += ["Tigrinya", "tigrinja", "ergonomisk", "Woman", "Kvinna", "interpreter", "tolk"]
    for message in smtp_server.messages:
        body = message.get_content()
        assert booking.reference in message["Subject"] and booking.reference in body
        assert "http://localhost/" in body
        for detail in details:
            assert detail not in body, (detail, body)
    # The case officer reads English: their mails link to the English pages.
    caseworker_bodies = [m.get_content() for m in smtp_server.messages[1:]]
    assert all(f"http://localhost/en/booking/requests/{booking.id}" in body for body in caseworker_bodies)
    assert f"http://localhost/booking/requests/{booking.id}" in smtp_server.messages[0].get_content()

    # The case officer follows it under "My requests", with the whole history.
    mine = text(caseworker.get("/booking/mine"))
    assert booking.reference in mine
    history = text(caseworker.get(f"/booking/requests/{booking.id}"))
    assert history.count('class="booking-event"') == 5
    unread = db.session.execute(
        db.select(db.func.count(BookingNotification.id))
        .where(BookingNotification.user_id == region.caseworker.id, BookingNotification.read_at.is_(None))
    ).scalar_one()
    assert unread == 0  # opening the request marked its notifications as read


def test_message_thread_between_the_two_sides(app, region, client_for, smtp_server):
    caseworker = client_for(region.caseworker)
    hassleholm = client_for(region.hassleholm_editor)
    response, _key = submit_request(caseworker, region.intervention.id)
    booking = only_request()

    response = hassleholm.post(f"/booking/requests/{booking.id}/messages",
                               data={"body": "Kan hon börja på måndag klockan nio?"})
    assert response.status_code == 302
    response = caseworker.post(f"/booking/requests/{booking.id}/messages",
                               data={"body": "Ja, det går bra."})
    assert response.status_code == 302
    page = text(hassleholm.get(f"/booking/requests/{booking.id}"))
    assert "Kan hon börja på måndag" in page and "Ja, det går bra." in page

    # Each message notifies the other side, without its text.
    subjects = [m["Subject"] for m in smtp_server.messages]
    assert len(subjects) == 3  # the request and two messages
    assert smtp_server.recipients[1] == [region.caseworker.email]
    assert smtp_server.recipients[2] == ["cykelverkstaden@hassleholm.example.se"]
    assert all("måndag" not in body and "det går bra" not in body for body in smtp_server.bodies())

    # Osby cannot write in it.
    osby = client_for(region.osby_editor)
    assert osby.post(f"/booking/requests/{booking.id}/messages", data={"body": "Hej"}).status_code == 404
