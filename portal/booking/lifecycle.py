"""Moving a booking request through its states, and the messages between the two sides.

Places are taken and given back with conditional ``UPDATE`` statements on the
intervention row (``… WHERE places_available > 0``), so concurrent acceptances of the last
place yield exactly one success; the request row itself is locked (``SELECT … FOR
UPDATE``) and versioned, so one request is never moved twice from the same status."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from portal import audit
from portal.accounts.permissions import Action, can
from portal.booking import states
from portal.booking.errors import BookingError, InvalidData, InvalidTransition, NoPlaceLeft, NotAllowed
from portal.booking.labels import STATUS_LABELS
from portal.booking.models import (
    CLOSED_STATUSES,
    BookingEvent,
    BookingMessage,
    BookingRequest,
    BookingStatus,
    Outcome,
    ReasonCode,
)
from portal.booking.notifications import notify
from portal.booking.states import IMPLIED_RECEIPT, TRANSITIONS, Places
from portal.booking.submission import check_text
from portal.catalogue.models import Intervention
from portal.catalogue.signals import send_interventions_changed
from portal.extensions import db
from portal.timeutil import utcnow

# ------------------------------------------------------------------------------ lifecycle


@dataclass
class Decision:
    """The details a transition may need."""

    note: str = ""
    reason: ReasonCode | None = None
    reason_text: str = ""
    outcome: Outcome | None = None
    release_place: bool = True  # give a held place back when the request ends


def transition(actor: Any, booking: BookingRequest, name: str,
               decision: Decision | None = None) -> BookingRequest:
    """Make transition ``name`` (see ``states.TRANSITIONS``) on ``booking`` as ``actor``."""
    decision = decision or Decision()
    step = TRANSITIONS.get(name)
    if step is None:
        raise InvalidTransition(_l("That is not something you can do with a booking request."))
    booking = _lock(booking.id)
    try:
        if not can(actor, Action.VIEW_BOOKING, booking) or not states.may(actor, step, booking):
            raise NotAllowed(_l("You may not do that with this request."))
        if booking.status not in step.sources:
            raise InvalidTransition(
                _l("The request's status is “%(status)s”, so that is no longer possible.",
                   status=STATUS_LABELS[booking.status.value]))
        _validate_decision(step, decision)
        before = booking.status
        if step.places is Places.TAKE:
            _take_place(booking)
            booking.holds_place = True
        elif step.places is Places.GIVE_BACK and booking.holds_place:
            if decision.release_place:
                _give_back_place(booking)
            booking.holds_place = False
        booking.status = step.target
        if step.needs_reason:
            booking.reason_code = decision.reason
            booking.reason_text = decision.reason_text.strip()
        if step.needs_outcome:
            booking.outcome = decision.outcome
        now = utcnow()
        if before is BookingStatus.SUBMITTED and step.name in IMPLIED_RECEIPT:
            _record_receipt(booking, actor, now)
            before = BookingStatus.RECEIVED
        if step.target in CLOSED_STATUSES:
            booking.closed_at = now
        booking.reach(step.target, now)
        db.session.add(BookingEvent(created_at=now, 
            request=booking, actor_id=getattr(actor, "id", None), action=step.name,
            from_status=before, to_status=step.target, note=decision.note.strip(),
            reason_code=decision.reason if step.needs_reason else None,
            outcome=decision.outcome if step.needs_outcome else None,
        ))
        audit.record(step.name, "booking_request", booking.id, actor=actor,
                     organisation_id=booking.owner_organisation_id,
                     changes={"reference": booking.reference, "status": [before.value, step.target.value]})
        notify(booking, to_side=step.by.other, kind="status", template="booking_status", actor=actor,
                status=step.target)
        db.session.commit()
    except BookingError:
        db.session.rollback()
        raise
    except StaleDataError as exc:  # moved by someone else between our read and our write
        db.session.rollback()
        raise InvalidTransition(_l("Someone else changed the request at the same moment. "
                                   "Look at its new status and try again.")) from exc
    return booking


def _record_receipt(booking: BookingRequest, actor: Any, at) -> None:
    booking.reach(BookingStatus.RECEIVED, at)
    db.session.add(BookingEvent(created_at=at, request=booking, actor_id=getattr(actor, "id", None),
                                action="receive", from_status=BookingStatus.SUBMITTED,
                                to_status=BookingStatus.RECEIVED, note=""))


def _lock(request_id: int) -> BookingRequest:
    return db.session.execute(
        db.select(BookingRequest)
        .where(BookingRequest.id == request_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _validate_decision(step: states.Transition, decision: Decision) -> None:
    if step.needs_reason:
        if decision.reason is None:
            raise InvalidData(_l("Choose a reason."), "reason")
        if decision.reason == ReasonCode.OTHER and not decision.reason_text.strip():
            raise InvalidData(_l("Describe the reason."), "reason_text")
    if step.needs_outcome and decision.outcome is None:
        raise InvalidData(_l("Choose what the participant went on to."), "outcome")
    check_text(decision.note, "note")
    check_text(decision.reason_text, "reason_text", max_length=1000)


def _take_place(booking: BookingRequest) -> None:
    """Take one place, or refuse when none is left (one statement, safe under concurrency)."""
    table = Intervention.__table__
    result = db.session.execute(
        table.update()
        .where(table.c.id == booking.intervention_id, table.c.places_available > 0)
        .values(places_available=table.c.places_available - 1, version=table.c.version + 1)
    )
    if result.rowcount != 1:
        raise NoPlaceLeft(_l("There is no place left on this intervention, so the request could not be "
                             "accepted. You can put it on the waiting list instead."))
    _places_changed(booking.intervention_id)


def _give_back_place(booking: BookingRequest) -> None:
    """Free the place the request held, never above the capacity."""
    table = Intervention.__table__
    result = db.session.execute(
        table.update()
        .where(table.c.id == booking.intervention_id, table.c.places_available < table.c.capacity)
        .values(places_available=table.c.places_available + 1, version=table.c.version + 1)
    )
    if result.rowcount == 1:
        _places_changed(booking.intervention_id)


def _places_changed(intervention_id: int) -> None:
    send_interventions_changed(intervention_id)
    loaded = db.session.identity_map.get(db.session.identity_key(Intervention, (intervention_id,)))
    if loaded is not None:
        db.session.expire(loaded, ["places_available", "version"])


# ------------------------------------------------------------------------------ messages


def post_message(actor: Any, booking: BookingRequest, body: str) -> BookingMessage:
    """Add a message to the thread between the two sides and notify the other side."""
    side = states.side_of(actor, booking) if can(actor, Action.VIEW_BOOKING, booking) else None
    if side is None:
        raise NotAllowed(_l("You may not write in this request."))
    if booking.is_own_application or booking.anonymised_at is not None:
        raise InvalidTransition(_l("Messages cannot be sent in this request."))
    body = (body or "").strip()
    if not body:
        raise InvalidData(_l("Write a message."), "body")
    check_text(body, "body")
    message = BookingMessage(request=booking, author_id=actor.id, side=side.value, body=body)
    db.session.add(message)
    db.session.flush()
    audit.record("message", "booking_request", booking.id, actor=actor,
                 organisation_id=booking.owner_organisation_id,
                 changes={"reference": booking.reference, "side": side.value})
    notify(booking, to_side=side.other, kind="message", template="booking_message", actor=actor)
    db.session.commit()
    return message
