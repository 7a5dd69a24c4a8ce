"""Anonymising closed booking requests after the retention period; the statistics keep their counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal import audit
from portal.booking.models import (
    CLOSED_STATUSES,
    BookingNotification,
    BookingRequest,
)
from portal.extensions import db
from portal.timeutil import utcnow

# ------------------------------------------------------------------------------ retention


def months_before(moment: datetime, months: int) -> datetime:
    """``moment`` minus whole calendar months (the day clipped to the month's length)."""
    import calendar

    month_index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


@dataclass
class PurgeReport:
    anonymised: int
    cutoff: datetime


def purge_closed_requests(months: int, *, now: datetime | None = None, batch_size: int = 500) -> PurgeReport:
    """Anonymise requests closed before the retention period.

    What statistics need stays: organisations, intervention (and so its type), source,
    gender, dates, status, outcome and reason code. Everything else about the participant
    or the visitor, free texts and the message thread go.
    """
    if months < 0:
        raise ValueError("the retention period cannot be negative")
    cutoff = months_before(now or utcnow(), months)
    total = 0
    while True:
        batch = list(db.session.execute(
            db.select(BookingRequest)
            .where(BookingRequest.status.in_(CLOSED_STATUSES), BookingRequest.closed_at < cutoff,
                   BookingRequest.anonymised_at.is_(None))
            .order_by(BookingRequest.id)
            .limit(batch_size)
        ).scalars())
        if not batch:
            break
        for booking in batch:
            anonymise(booking)
        total += len(batch)
        db.session.commit()
    if total:
        audit.record("purge", "booking_request", None,
                     changes={"anonymised": total, "retention_months": months, "cutoff": cutoff.isoformat()})
        db.session.commit()
    return PurgeReport(total, cutoff)


def anonymise(booking: BookingRequest) -> None:
    booking.participant_reference = None
    booking.birth_year = None
    booking.preferred_language = None
    booking.interpreter_needed = False
    booking.adaptation_needs = ""
    booking.message = ""
    booking.contact_name = None
    booking.contact_phone = None
    booking.contact_email = None
    booking.consent_text = None
    booking.reason_text = ""
    booking.idempotency_key = None
    booking.anonymised_at = utcnow()
    for event in booking.events:
        event.note = ""
    booking.messages.clear()
    db.session.execute(
        db.delete(BookingNotification).where(BookingNotification.request_id == booking.id)
    )
