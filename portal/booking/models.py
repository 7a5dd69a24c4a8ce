"""Booking requests, their events, the message thread and in-portal notifications.

A request belongs to two organisations: the requester's (``requester_organisation_id``)
and the owner of the intervention (``owner_organisation_id``); the permissions module
reads those two names and ``created_by_id``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.agreements.models import Agreement
from portal.catalogue.models import Intervention, Organisation, Unit, str_enum
from portal.extensions import db
from portal.timeutil import utcnow


class BookingStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    RECEIVED = "received"
    ACCEPTED = "accepted"
    WAITLISTED = "waitlisted"
    DECLINED = "declined"
    STARTED = "started"
    COMPLETED = "completed"
    INTERRUPTED = "interrupted"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"


# Stored in `BookingRequest.reached_steps`: never renumber a status.
STEP_BITS = {
    BookingStatus.SUBMITTED: 1, BookingStatus.RECEIVED: 2, BookingStatus.ACCEPTED: 4,
    BookingStatus.WAITLISTED: 8, BookingStatus.DECLINED: 16, BookingStatus.STARTED: 32,
    BookingStatus.COMPLETED: 64, BookingStatus.INTERRUPTED: 128, BookingStatus.WITHDRAWN: 256,
    BookingStatus.CANCELLED: 512,
}

NEW_STATUSES = frozenset({BookingStatus.SUBMITTED})
OPEN_STATUSES = frozenset({
    BookingStatus.SUBMITTED, BookingStatus.RECEIVED, BookingStatus.WAITLISTED,
    BookingStatus.ACCEPTED, BookingStatus.STARTED,
})
CLOSED_STATUSES = frozenset(BookingStatus) - OPEN_STATUSES


class BookingSource(enum.StrEnum):
    REFERRAL = "referral"  # a case officer's request
    OWN_APPLICATION = "own_application"  # a visitor's interest form


class Gender(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    NOT_STATED = "not_stated"


class Outcome(enum.StrEnum):
    WORK = "work"
    STUDIES = "studies"
    OTHER = "other"


class ReasonCode(enum.StrEnum):
    NO_PLACES = "no_places"
    REQUIREMENTS_NOT_MET = "requirements_not_met"
    DID_NOT_COME = "did_not_come"
    GOT_JOB = "got_job"
    STARTED_STUDIES = "started_studies"
    ILL = "ill"
    OTHER = "other"


# The participant's home municipality: a region municipality's SCB code, this value for
# any other municipality, or NULL when not stated. Flows are counted from it.
HOME_OTHER = "other"


class BookingRequest(db.Model):
    __tablename__ = "booking_requests"
    __table_args__ = (
        CheckConstraint("birth_year IS NULL OR (birth_year >= 1900 AND birth_year <= 2100)",
                        name="birth_year_range"),
        CheckConstraint("status != 'completed' OR outcome IS NOT NULL", name="completed_has_outcome"),
        Index("ix_booking_requests_owner_status", "owner_organisation_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The owner had no booking mailbox: their mail waits until one is set.
    owner_mail_held: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    source: Mapped[BookingSource] = mapped_column(
        str_enum(BookingSource, "booking_source"), default=BookingSource.REFERRAL
    )
    status: Mapped[BookingStatus] = mapped_column(
        str_enum(BookingStatus, "booking_status"), default=BookingStatus.SUBMITTED, index=True
    )

    # Routing: who asks, who owns, where it lands.
    intervention_id: Mapped[int] = mapped_column(ForeignKey("interventions.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)
    owner_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    requester_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    locale: Mapped[str] = mapped_column(String(8), default="sv")  # the requester's language

    # The participant, minimised (never a personal identity number or a name).
    participant_reference: Mapped[str | None] = mapped_column(String(40))
    gender: Mapped[Gender | None] = mapped_column(str_enum(Gender, "booking_gender"))
    birth_year: Mapped[int | None]
    preferred_language: Mapped[str | None] = mapped_column(String(8))
    home_municipality: Mapped[str | None] = mapped_column(String(8), index=True)
    # What the verdict was when the request was sent: the price per week the home
    # municipality pays the owner (None: not stated / not known), the agreement it falls
    # under, and whether it was sent as an exception the owner decides on.
    price_per_week_sek: Mapped[int | None]
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("agreements.id", ondelete="SET NULL"), index=True)
    eligibility_exception: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    eligibility_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    interpreter_needed: Mapped[bool] = mapped_column(default=False)
    adaptation_needs: Mapped[str] = mapped_column(Text, default="")
    wished_start: Mapped[date | None]
    message: Mapped[str] = mapped_column(Text, default="")

    # Own application: the visitor's contact details and the consent text they agreed to.
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    consent_text: Mapped[str | None] = mapped_column(Text)
    consented_at: Mapped[datetime | None]

    # Decisions.
    holds_place: Mapped[bool] = mapped_column(default=False)
    outcome: Mapped[Outcome | None] = mapped_column(str_enum(Outcome, "booking_outcome"))
    reason_code: Mapped[ReasonCode | None] = mapped_column(str_enum(ReasonCode, "booking_reason"))
    reason_text: Mapped[str] = mapped_column(Text, default="")

    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    anonymised_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    # The steps the request reached, kept beside its events by `reach` so that the follow-up
    # counts and times requests without aggregating their events: a bit per `STEP_BITS`
    # status, and when it was first accepted, first decided on and first started.
    reached_steps: Mapped[int] = mapped_column(default=0, server_default="0")
    accepted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]

    __mapper_args__ = {"version_id_col": version}

    def reach(self, status: BookingStatus, at: datetime) -> None:
        """Note that the request reached ``status`` at ``at`` (with the event that says so)."""
        self.reached_steps = (self.reached_steps or 0) | STEP_BITS[status]
        if status is BookingStatus.ACCEPTED and self.accepted_at is None:
            self.accepted_at = at
        if status in (BookingStatus.ACCEPTED, BookingStatus.DECLINED) and self.decided_at is None:
            self.decided_at = at
        if status is BookingStatus.STARTED and self.started_at is None:
            self.started_at = at

    intervention: Mapped[Intervention] = relationship()
    unit: Mapped[Unit | None] = relationship()
    owner_organisation: Mapped[Organisation] = relationship(foreign_keys=[owner_organisation_id])
    requester_organisation: Mapped[Organisation | None] = relationship(
        foreign_keys=[requester_organisation_id]
    )
    created_by: Mapped[User | None] = relationship()
    agreement: Mapped[Agreement | None] = relationship()
    events: Mapped[list[BookingEvent]] = relationship(
        back_populates="request", cascade="all, delete-orphan",
        order_by="(BookingEvent.created_at, BookingEvent.id)",
    )
    messages: Mapped[list[BookingMessage]] = relationship(
        back_populates="request", cascade="all, delete-orphan",
        order_by="(BookingMessage.created_at, BookingMessage.id)",
    )

    @property
    def owner_mailbox(self) -> str | None:
        """The functional mailbox the request is routed to: the unit's, else the organisation's."""
        return self.unit.effective_booking_email if self.unit else self.owner_organisation.booking_email

    @property
    def requester_side(self) -> RequesterSide:
        """The request as seen from the requesting side only (for permission checks)."""
        return RequesterSide(self.created_by_id, self.requester_organisation_id)

    @property
    def is_own_application(self) -> bool:
        return self.source == BookingSource.OWN_APPLICATION

    def __repr__(self) -> str:
        return f"<BookingRequest {self.reference} {self.status}>"


@dataclass(frozen=True)
class RequesterSide:
    """The requesting side of a request: its creator and the requester organisation.

    ``can(user, action, request.requester_side)`` answers for that side alone, so that
    editors of the owning organisation are not taken for the requester.
    """

    created_by_id: int | None
    requester_organisation_id: int | None


class BookingEvent(db.Model):
    """One step in a request's life: who moved it from which status to which, and why."""

    __tablename__ = "booking_events"
    # The follow-up reads when each request reached each status from this index alone.
    __table_args__ = (Index("ix_booking_events_request_status_time", "request_id", "to_status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("booking_requests.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[BookingStatus | None] = mapped_column(
        str_enum(BookingStatus, "booking_event_from_status")
    )
    to_status: Mapped[BookingStatus] = mapped_column(str_enum(BookingStatus, "booking_event_to_status"))
    note: Mapped[str] = mapped_column(Text, default="")
    reason_code: Mapped[ReasonCode | None] = mapped_column(str_enum(ReasonCode, "booking_event_reason"))
    outcome: Mapped[Outcome | None] = mapped_column(str_enum(Outcome, "booking_event_outcome"))

    request: Mapped[BookingRequest] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class BookingMessage(db.Model):
    """A message in the thread between the requesting and the owning side."""

    __tablename__ = "booking_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("booking_requests.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    side: Mapped[str] = mapped_column(String(10))  # "owner" or "requester"
    body: Mapped[str] = mapped_column(Text)

    request: Mapped[BookingRequest] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()


class BookingNotification(db.Model):
    """An in-portal notification for one user (the badge counts the unread ones)."""

    __tablename__ = "booking_notifications"
    __table_args__ = (Index("ix_booking_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    request_id: Mapped[int] = mapped_column(ForeignKey("booking_requests.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # "submitted", "status", "message"
    status: Mapped[BookingStatus | None] = mapped_column(str_enum(BookingStatus, "booking_notification_status"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    request: Mapped[BookingRequest] = relationship()


class BookingCounter(db.Model):
    """The last reference number handed out per year (BR-2027-00042)."""

    __tablename__ = "booking_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)
