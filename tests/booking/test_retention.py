"""`flask portal purge`: closed requests are anonymised after the retention period."""

from __future__ import annotations

from datetime import datetime, timedelta

from portal.booking import services
from portal.booking.models import (
    BookingEvent,
    BookingMessage,
    BookingNotification,
    BookingRequest,
    BookingStatus,
    Gender,
    Outcome,
)
from portal.extensions import db
from portal.timeutil import utcnow
from tests.booking.helpers import new_request


def close_ago(booking: BookingRequest, days: int) -> None:
    booking = db.session.get(BookingRequest, booking.id)
    booking.closed_at = utcnow() - timedelta(days=days)
    db.session.commit()


def test_purge_anonymises_old_closed_requests_and_keeps_the_statistics(app, region, runner):
    old = new_request(region, status="started", gender=Gender.FEMALE, birth_year=1990,
                      adaptation_needs="Rullstol", message="Hej", participant_reference="BRO-OLD")
    services.post_message(region.caseworker, old, "Hon har körkort.")
    services.transition(region.hassleholm_editor, old, "complete",
                        services.Decision(outcome=Outcome.WORK, note="Fick jobb på verkstaden"))
    close_ago(old, 400)
    recent = new_request(region, status="completed", participant_reference="BRO-RECENT")
    close_ago(recent, 30)
    still_open = new_request(region, status="accepted", participant_reference="BRO-OPEN")
    db.session.get(BookingRequest, still_open.id).created_at = utcnow() - timedelta(days=900)
    db.session.commit()

    result = runner.invoke(args=["portal", "purge"])
    assert result.exit_code == 0, result.output
    assert "1 closed booking request(s)" in result.output

    db.session.expire_all()
    old = db.session.get(BookingRequest, old.id)
    assert old.anonymised_at is not None
    assert old.participant_reference is None and old.birth_year is None
    assert old.adaptation_needs == "" and old.message == "" and old.preferred_language is None
    assert all(event.note == "" for event in old.events)
    assert db.session.execute(db.select(BookingMessage).where(BookingMessage.request_id == old.id)).first() is None
    assert db.session.execute(
        db.select(BookingNotification).where(BookingNotification.request_id == old.id)).first() is None
    # What statistics need survives.
    assert (old.owner_organisation_id, old.requester_organisation_id) == (region.hassleholm.id, region.bromolla.id)
    assert old.intervention.type.code == "arbetstraning"
    assert old.gender == Gender.FEMALE and old.outcome == Outcome.WORK
    assert old.status == BookingStatus.COMPLETED and old.created_at and old.closed_at
    assert old.reference.startswith("BR-")
    assert [e.action for e in old.events] == ["submit", "receive", "accept", "start", "complete"]

    assert db.session.get(BookingRequest, recent.id).participant_reference == "BRO-RECENT"
    assert db.session.get(BookingRequest, still_open.id).participant_reference == "BRO-OPEN"

    # Idempotent; a shorter period from the configuration reaches the recent one too.
    assert "0 closed" in runner.invoke(args=["portal", "purge"]).output
    app.config["BOOKING_RETENTION_MONTHS"] = 0
    assert "1 closed" in runner.invoke(args=["portal", "purge"]).output
    db.session.expire_all()
    assert db.session.get(BookingRequest, recent.id).participant_reference is None
    assert db.session.get(BookingRequest, still_open.id).anonymised_at is None


def test_an_anonymised_own_application_loses_the_contact_details(app, region, make):
    intervention = make.intervention(region.hassleholm, referrers=("egen_anmalan",))
    booking = services.submit_interest(
        intervention, services.InterestData(name="Amina", phone="0701112233", email="a@example.se",
                                            consent_text="Jag samtycker."),
        idempotency_key=None, locale="sv").request
    services.transition(region.hassleholm_editor, booking, "cancel")
    close_ago(booking, 800)
    assert services.purge_closed_requests(12).anonymised == 1
    booking = db.session.get(BookingRequest, booking.id)
    assert (booking.contact_name, booking.contact_phone, booking.contact_email, booking.consent_text) == \
        (None, None, None, None)


def test_months_before_clips_to_the_month():
    assert services.months_before(datetime(2027, 3, 31, 12), 1) == datetime(2027, 2, 28, 12)
    assert services.months_before(datetime(2027, 1, 15), 12) == datetime(2026, 1, 15)
    assert services.months_before(datetime(2027, 1, 15), 13) == datetime(2025, 12, 15)


def test_events_survive_for_statistics(app, region):
    booking = new_request(region, status="completed")
    close_ago(booking, 1000)
    services.purge_closed_requests(12)
    assert db.session.execute(
        db.select(db.func.count(BookingEvent.id)).where(BookingEvent.request_id == booking.id)).scalar_one() == 5
