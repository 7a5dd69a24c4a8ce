"""The lifecycle: who may make which transition, what each needs, and places."""

from __future__ import annotations

import pytest

from portal.audit.models import AuditEvent
from portal.booking import services
from portal.booking.models import BookingEvent, BookingRequest, BookingStatus, ReasonCode
from portal.booking.states import TRANSITIONS, Side
from portal.catalogue.models import Intervention
from portal.extensions import db
from portal.notify.models import OutboxMessage
from tests.booking.helpers import new_request


def text(response) -> str:
    return response.get_data(as_text=True)


def snapshot(booking_id: int) -> tuple:
    """Everything a refused transition must leave as it was."""
    db.session.expire_all()
    booking = db.session.get(BookingRequest, booking_id)
    count = lambda model: db.session.execute(db.select(db.func.count(model.id))).scalar_one()  # noqa: E731
    places = db.session.execute(db.select(Intervention.places_available, Intervention.version)).all()
    return (booking.status, booking.outcome, booking.reason_code, booking.holds_place, booking.version,
            tuple(places), count(BookingEvent), count(OutboxMessage), count(AuditEvent))


def places(region) -> int:
    db.session.expire_all()
    return db.session.get(Intervention, region.intervention.id).places_available


def test_the_table_is_the_lifecycle_of_the_design():
    S = BookingStatus
    expected = {
        "receive": ({S.SUBMITTED}, S.RECEIVED, Side.OWNER),
        "accept": ({S.SUBMITTED, S.RECEIVED, S.WAITLISTED}, S.ACCEPTED, Side.OWNER),
        "waitlist": ({S.SUBMITTED, S.RECEIVED}, S.WAITLISTED, Side.OWNER),
        "decline": ({S.SUBMITTED, S.RECEIVED, S.WAITLISTED}, S.DECLINED, Side.OWNER),
        "start": ({S.ACCEPTED}, S.STARTED, Side.OWNER),
        "complete": ({S.STARTED}, S.COMPLETED, Side.OWNER),
        "interrupt": ({S.ACCEPTED, S.STARTED}, S.INTERRUPTED, Side.OWNER),
        "cancel": ({S.SUBMITTED, S.RECEIVED, S.WAITLISTED, S.ACCEPTED, S.STARTED}, S.CANCELLED, Side.OWNER),
        "withdraw": ({S.SUBMITTED, S.RECEIVED, S.WAITLISTED, S.ACCEPTED, S.STARTED}, S.WITHDRAWN,
                     Side.REQUESTER),
    }
    assert {name: (set(t.sources), t.target, t.by) for name, t in TRANSITIONS.items()} == expected
    assert TRANSITIONS["decline"].needs_reason and TRANSITIONS["interrupt"].needs_reason
    assert TRANSITIONS["complete"].needs_outcome
    closed = {S.DECLINED, S.COMPLETED, S.INTERRUPTED, S.WITHDRAWN, S.CANCELLED}
    assert not any(t.sources & closed for t in TRANSITIONS.values())  # closed is closed


def test_accepting_a_withdrawn_request_is_refused_and_changes_nothing(region, client_for):
    booking = new_request(region, status="received")
    caseworker = client_for(region.caseworker)
    assert caseworker.post(f"/booking/requests/{booking.id}/withdraw").status_code == 302
    editor = client_for(region.hassleholm_editor)
    before = snapshot(booking.id)

    response = editor.post(f"/en/booking/requests/{booking.id}/accept")
    assert response.status_code == 409
    assert "status is “Withdrawn”, so that is no longer possible." in text(response)
    assert snapshot(booking.id) == before


def test_a_caseworker_cannot_accept(region, client_for):
    booking = new_request(region, status="received")
    caseworker = client_for(region.caseworker)
    before = snapshot(booking.id)
    page = text(caseworker.get(f"/booking/requests/{booking.id}"))
    assert f"/booking/requests/{booking.id}/accept" not in page  # not offered …
    response = caseworker.post(f"/booking/requests/{booking.id}/accept")
    assert response.status_code == 403  # … and refused
    assert 'class="error-page"' in text(response)  # the 403 page says why
    assert snapshot(booking.id) == before
    with pytest.raises(services.NotAllowed):
        services.transition(region.caseworker, booking, "accept")
    assert snapshot(booking.id) == before


def test_completing_needs_an_outcome(region, client_for):
    booking = new_request(region, status="started")
    editor = client_for(region.hassleholm_editor)
    before = snapshot(booking.id)
    response = editor.post(f"/booking/requests/{booking.id}/complete", data={"complete-note": "Gick bra"})
    assert response.status_code == 422
    page = text(response)
    assert 'id="complete-outcome-error"' in page and "Gick bra" in page  # the typed note is kept
    assert snapshot(booking.id) == before


def test_declining_needs_a_reason_and_other_needs_words(region, client_for):
    booking = new_request(region, status="received")
    editor = client_for(region.hassleholm_editor)
    before = snapshot(booking.id)
    assert editor.post(f"/booking/requests/{booking.id}/decline").status_code == 422
    response = editor.post(f"/booking/requests/{booking.id}/decline", data={"decline-reason": "other"})
    assert response.status_code == 422 and 'id="decline-reason_text-error"' in text(response)
    assert snapshot(booking.id) == before
    response = editor.post(f"/booking/requests/{booking.id}/decline",
                           data={"decline-reason": "requirements_not_met"})
    assert response.status_code == 302
    db.session.expire_all()
    booking = db.session.get(BookingRequest, booking.id)
    assert booking.status == BookingStatus.DECLINED and booking.reason_code == ReasonCode.REQUIREMENTS_NOT_MET
    assert booking.events[-1].reason_code == ReasonCode.REQUIREMENTS_NOT_MET


def test_no_place_left_offers_the_waiting_list(region, client_for, make):
    region.intervention.places_available = 1
    db.session.commit()
    first = new_request(region, status="received")
    second = new_request(region, status="received")
    editor = client_for(region.hassleholm_editor)
    assert editor.post(f"/booking/requests/{first.id}/accept").status_code == 302
    assert places(region) == 0
    before = snapshot(second.id)

    response = editor.post(f"/en/booking/requests/{second.id}/accept")
    assert response.status_code == 409
    page = text(response)
    assert "no place left" in page and "waiting list" in page
    assert f"/booking/requests/{second.id}/waitlist" in page
    assert snapshot(second.id) == before

    assert editor.post(f"/booking/requests/{second.id}/waitlist").status_code == 302
    # The first participant never came: the place is given back and the waiting one gets it.
    response = editor.post(f"/booking/requests/{first.id}/interrupt",
                           data={"interrupt-reason": "did_not_come"})
    assert response.status_code == 302
    assert places(region) == 1
    assert editor.post(f"/booking/requests/{second.id}/accept").status_code == 302
    assert places(region) == 0


@pytest.mark.parametrize("action, side", [("cancel", "owner"), ("withdraw", "requester"),
                                          ("interrupt", "owner")])
def test_ending_an_accepted_request_gives_the_place_back(region, client_for, action, side):
    booking = new_request(region, status="accepted")
    taken = places(region)
    user = region.hassleholm_editor if side == "owner" else region.caseworker
    data = {f"{action}-reason": "ill"} if action == "interrupt" else {}
    assert client_for(user).post(f"/booking/requests/{booking.id}/{action}", data=data).status_code == 302
    assert places(region) == taken + 1
    db.session.expire_all()
    assert db.session.get(BookingRequest, booking.id).holds_place is False


def test_the_owner_may_keep_the_place_taken(region, client_for):
    booking = new_request(region, status="started")
    taken = places(region)
    response = client_for(region.hassleholm_editor).post(
        f"/booking/requests/{booking.id}/complete", data={"complete-outcome": "studies", "complete-keep_place": "y"})
    assert response.status_code == 302
    assert places(region) == taken


def test_a_place_is_never_given_back_above_the_capacity(region):
    booking = new_request(region, status="accepted")
    region.intervention.places_available = region.intervention.capacity  # the editor reset the count
    db.session.commit()
    services.transition(region.hassleholm_editor, booking, "cancel")
    assert places(region) == region.intervention.capacity


def test_each_side_only_makes_its_own_transitions(region, client_for):
    booking = new_request(region, status="received")
    owner, caseworker = client_for(region.hassleholm_editor), client_for(region.caseworker)
    requester_editor, osby = client_for(region.bromolla_editor), client_for(region.osby_editor)
    before = snapshot(booking.id)
    # The owner cannot withdraw, the requester cannot cancel, the requester's editor cannot decide.
    assert owner.post(f"/booking/requests/{booking.id}/withdraw").status_code == 403
    assert caseworker.post(f"/booking/requests/{booking.id}/cancel").status_code == 403
    assert requester_editor.post(f"/booking/requests/{booking.id}/accept").status_code == 403
    assert osby.post(f"/booking/requests/{booking.id}/accept").status_code == 404
    assert snapshot(booking.id) == before
    # The requester's organisation may withdraw on the case officer's behalf.
    assert requester_editor.post(f"/booking/requests/{booking.id}/withdraw").status_code == 302


def test_accepting_a_new_request_is_one_step_with_one_notification_and_one_mail(region, client_for):
    from portal.booking.models import BookingNotification

    booking = new_request(region)
    count = lambda model: db.session.execute(db.select(db.func.count(model.id))).scalar_one()  # noqa: E731
    notifications, mails = count(BookingNotification), count(OutboxMessage)
    editor = client_for(region.hassleholm_editor)
    page = text(editor.get(f"/en/booking/requests/{booking.id}"))
    assert f'action="/en/booking/requests/{booking.id}/accept"' in page
    response = editor.post(f"/en/booking/requests/{booking.id}/accept", data={"accept-note": "Start Monday 8:00."})
    assert response.status_code == 302
    db.session.expire_all()
    booking = db.session.get(BookingRequest, booking.id)
    assert booking.status is BookingStatus.ACCEPTED and booking.accepted_at is not None
    assert [event.action for event in booking.events] == ["submit", "receive", "accept"]
    assert booking.events[-1].note == "Start Monday 8:00."
    assert count(BookingNotification) == notifications + 1
    assert count(OutboxMessage) == mails + 1
    page = text(client_for(region.caseworker).get("/en/notifications"))
    said = f'{region.hassleholm.name} accepted <span class="latin reference" dir="ltr">{booking.reference}</span>'
    assert f'{said} — <span lang="sv" dir="ltr">{booking.intervention.title}</span>' in page


def test_a_transition_notifies_the_other_side_in_the_portal(region, client_for):
    booking = new_request(region)
    editor = client_for(region.hassleholm_editor)
    assert 'id="notification-badge">1' in text(editor.get("/booking/inbox"))
    page = text(editor.get("/notifications"))
    assert booking.reference in page
    editor.get(f"/booking/requests/{booking.id}")  # reading it marks it read
    assert 'id="notification-badge"' not in text(editor.get("/booking/inbox"))

    editor.post(f"/booking/requests/{booking.id}/receive")
    caseworker = client_for(region.caseworker)
    assert 'id="notification-badge">1' in text(caseworker.get("/booking/mine"))
    assert caseworker.post("/notifications/read").status_code == 302
    assert 'id="notification-badge"' not in text(caseworker.get("/booking/mine"))


def test_inbox_tabs_filters_and_counts(region, client_for, make):
    other_unit = make.unit(region.hassleholm, name="Snickeriet")
    other = make.intervention(region.hassleholm, unit=other_unit, title="Snickeri")
    fresh = new_request(region)
    opened = new_request(region, status="accepted")
    done = new_request(region, status="completed")
    from portal.booking.services import RequestData, submit_request
    in_other_unit = submit_request(region.caseworker, other, RequestData(participant_reference="X")).request

    editor = client_for(region.hassleholm_editor)
    page = text(editor.get("/booking/inbox"))
    assert fresh.reference in page and in_other_unit.reference in page
    assert opened.reference not in page and done.reference not in page
    assert 'data-count="new">2<' in page and 'data-count="open">1<' in page and 'data-count="closed">1<' in page
    assert opened.reference in text(editor.get("/booking/inbox?tab=open"))
    assert done.reference in text(editor.get("/booking/inbox?tab=closed"))
    by_unit = text(editor.get(f"/booking/inbox?unit={other_unit.id}"))
    assert in_other_unit.reference in by_unit and fresh.reference not in by_unit
    assert 'data-count="new">1<' in by_unit
    by_reference = text(editor.get(f"/booking/inbox?q={fresh.reference}"))
    assert fresh.reference in by_reference and in_other_unit.reference not in by_reference
    assert client_for(region.caseworker).get("/booking/inbox").status_code == 403
