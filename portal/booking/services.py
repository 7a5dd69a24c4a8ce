"""Booking requests: submit, route, move through the lifecycle, notify, purge.

Every action checks access, validates, changes the data, records the audit event and the
``BookingEvent``, queues its notifications (outbox rows and in-portal notifications, in
the same transaction) and commits — or rolls back and raises a ``BookingError`` whose
message is meant for the user, having changed nothing.

Places are taken and given back with conditional ``UPDATE`` statements on the
intervention row (``… WHERE places_available > 0``), so concurrent acceptances of the last
place yield exactly one success; the request row itself is locked (``SELECT … FOR
UPDATE``) and versioned, so one request is never moved twice from the same status.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from portal import audit
from portal.accounts.models import User
from portal.accounts.permissions import Action, can
from portal.booking import held_mail, states
from portal.booking.labels import STATUS_LABELS
from portal.booking.models import (
    CLOSED_STATUSES,
    HOME_OTHER,
    NEW_STATUSES,
    OPEN_STATUSES,
    BookingCounter,
    BookingEvent,
    BookingMessage,
    BookingNotification,
    BookingRequest,
    BookingSource,
    BookingStatus,
    Gender,
    Outcome,
    ReasonCode,
    RequesterSide,
)
from portal.booking.privacy import looks_like_personnummer
from portal.booking.states import TRANSITIONS, Places, Side
from portal.catalogue.models import Intervention, InterventionStatus, Organisation, OrganisationKind
from portal.catalogue.signals import send_interventions_changed
from portal.exceptions import Conflict, DomainError, InvalidInput, PermissionDenied
from portal.extensions import db
from portal.i18n import DEFAULT_LOCALE, LANGUAGES
from portal.notify.services import queue_mail
from portal.timeutil import utcnow
from portal.urls import external_url

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_TEXT = 4000


# ------------------------------------------------------------------------------ errors


class BookingError(DomainError):
    """A refused action on a booking request (409 unless a subclass says otherwise)."""

    status_code = 409


class NotAllowed(BookingError, PermissionDenied):
    status_code = 403


class InvalidTransition(BookingError, Conflict):
    status_code = 409


class NoPlaceLeft(BookingError, Conflict):
    status_code = 409


class InvalidData(BookingError, InvalidInput):
    status_code = 422


PERSONNUMMER_MESSAGE = _l("This looks like a personal identity number. Do not write personal identity "
                          "numbers or names here; use your own reference instead.")


# ------------------------------------------------------------------------------ data


@dataclass
class RequestData:
    """What a case officer tells the owner about the participant (minimised)."""

    participant_reference: str = ""
    gender: Gender | None = None
    birth_year: int | None = None
    preferred_language: str | None = None
    interpreter_needed: bool = False
    adaptation_needs: str = ""
    wished_start: date | None = None
    message: str = ""
    home_municipality: str | None = None  # SCB code, HOME_OTHER or None (not stated)


@dataclass
class InterestData:
    """A visitor's interest form for an intervention that accepts own application."""

    name: str
    phone: str = ""
    email: str = ""
    preferred_language: str | None = None
    message: str = ""
    consent_text: str = ""
    home_municipality: str | None = None


@dataclass
class Submission:
    request: BookingRequest
    created: bool  # False when the idempotency key named an existing request


# ------------------------------------------------------------------------------ submitting


def submit_request(actor: Any, intervention: Intervention, data: RequestData, *,
                   idempotency_key: str | None = None) -> Submission:
    """A case officer asks the owner of ``intervention`` for a place.

    A repeated submission with the same idempotency key (double click, re-post) returns
    the request created by the first one.
    """
    if not can(actor, Action.REQUEST_BOOKING, intervention):
        raise NotAllowed(_l("You may not send booking requests."))
    key = _usable_key(idempotency_key)
    existing = _by_key(key)
    if existing is not None:
        return _repeat(existing, created_by_id=actor.id)
    _require_bookable(intervention)
    _validate_request_data(data)
    booking = BookingRequest(
        source=BookingSource.REFERRAL,
        idempotency_key=key,
        intervention_id=intervention.id,
        unit_id=intervention.unit_id,
        owner_organisation_id=intervention.organisation_id,
        requester_organisation_id=actor.organisation_id,
        created_by_id=actor.id,
        locale=_known_locale(getattr(actor, "locale", None)),
        participant_reference=data.participant_reference.strip() or None,
        gender=data.gender,
        birth_year=data.birth_year,
        preferred_language=data.preferred_language or None,
        home_municipality=data.home_municipality or None,
        interpreter_needed=bool(data.interpreter_needed),
        adaptation_needs=data.adaptation_needs.strip(),
        wished_start=data.wished_start,
        message=data.message.strip(),
    )
    return _store_new(booking, actor, key, template="booking_submitted", created_by_id=actor.id)


def submit_interest(intervention: Intervention, data: InterestData, *, idempotency_key: str | None,
                    locale: str) -> Submission:
    """A visitor's interest form, routed to the owner like a case officer's request."""
    if not (intervention.is_published and intervention.accepts_own_application):
        raise NotAllowed(_l("This intervention does not take applications through the portal."))
    key = _usable_key(idempotency_key)
    existing = _by_key(key)
    if existing is not None:
        return _repeat(existing, created_by_id=None, intervention_id=intervention.id)
    _validate_interest_data(data)
    now = utcnow()
    booking = BookingRequest(
        source=BookingSource.OWN_APPLICATION,
        idempotency_key=key,
        intervention_id=intervention.id,
        unit_id=intervention.unit_id,
        owner_organisation_id=intervention.organisation_id,
        requester_organisation_id=None,
        created_by_id=None,
        locale=_known_locale(locale),
        preferred_language=data.preferred_language or None,
        home_municipality=data.home_municipality or None,
        message=data.message.strip(),
        contact_name=data.name.strip(),
        contact_phone=data.phone.strip() or None,
        contact_email=data.email.strip().lower() or None,
        consent_text=data.consent_text,
        consented_at=now,
    )
    return _store_new(booking, None, key, template="booking_interest", created_by_id=None,
                      intervention_id=intervention.id)


def _store_new(booking: BookingRequest, actor: Any, key: str | None, *, template: str,
               **same_submitter: Any) -> Submission:
    try:
        booking.reference = next_reference()
        db.session.add(booking)
        db.session.flush()
        event = BookingEvent(request=booking, actor_id=getattr(actor, "id", None), action="submit",
                             from_status=None, to_status=BookingStatus.SUBMITTED)
        db.session.add(event)
        audit.record("submit", "booking_request", booking.id, actor=actor,
                     organisation_id=booking.owner_organisation_id,
                     changes={"reference": booking.reference, "status": [None, "submitted"],
                              "source": booking.source.value})
        _notify(booking, to_side=Side.OWNER, kind="submitted", template=template, actor=actor)
        db.session.commit()
    except IntegrityError:
        # Another submission with the same key won the race: answer with its request.
        db.session.rollback()
        existing = _by_key(key)
        if existing is None:
            raise
        return _repeat(existing, **same_submitter)
    return Submission(booking, True)


def _usable_key(key: str | None) -> str | None:
    return key if key and IDEMPOTENCY_KEY.match(key) else None


def _by_key(key: str | None) -> BookingRequest | None:
    if key is None:
        return None
    return db.session.execute(
        db.select(BookingRequest).where(BookingRequest.idempotency_key == key)
    ).scalar_one_or_none()


def _repeat(existing: BookingRequest, *, created_by_id: int | None,
            intervention_id: int | None = None) -> Submission:
    if existing.created_by_id != created_by_id or (
        intervention_id is not None and existing.intervention_id != intervention_id
    ):
        raise InvalidData(_l("This form has already been used. Please fill it in again."))
    return Submission(existing, False)


def _require_bookable(intervention: Intervention) -> None:
    if intervention.status != InterventionStatus.PUBLISHED:
        raise InvalidTransition(_l("This intervention is not published, so it cannot be requested."))


def _known_locale(locale: str | None) -> str:
    return locale if locale in LANGUAGES else DEFAULT_LOCALE


def _check_text(value: str | None, field_name: str, *, max_length: int = MAX_TEXT) -> None:
    if value and len(value) > max_length:
        raise InvalidData(_l("At most %(num)s characters.", num=max_length), field_name)
    if looks_like_personnummer(value):
        raise InvalidData(PERSONNUMMER_MESSAGE, field_name)


def region_municipalities() -> list[Organisation]:
    """The region's municipalities (organisations of kind kommun), by name."""
    return list(db.session.execute(
        db.select(Organisation).where(Organisation.kind == OrganisationKind.KOMMUN)
        .order_by(Organisation.name)
    ).scalars())


def _check_home_municipality(value: str | None) -> None:
    if not value or value == HOME_OTHER:
        return
    if value not in {organisation.municipality_code for organisation in region_municipalities()}:
        raise InvalidData(_l("Choose a municipality from the list."), "home_municipality")


def _validate_request_data(data: RequestData) -> None:
    _check_home_municipality(data.home_municipality)
    _check_text(data.participant_reference, "participant_reference", max_length=40)
    _check_text(data.adaptation_needs, "adaptation_needs")
    _check_text(data.message, "message")
    _check_text(data.preferred_language, "preferred_language", max_length=8)
    this_year = utcnow().year
    if data.birth_year is not None and not this_year - 100 <= data.birth_year <= this_year:
        raise InvalidData(_l("Give a year between %(first)s and %(last)s.", first=this_year - 100,
                             last=this_year), "birth_year")


def _validate_interest_data(data: InterestData) -> None:
    _check_home_municipality(data.home_municipality)
    if not data.name.strip():
        raise InvalidData(_l("Write your name."), "name")
    if not (data.phone.strip() or data.email.strip()):
        raise InvalidData(_l("Give a phone number or an e-mail address, so that they can contact you."),
                          "phone")
    if not data.consent_text:
        raise InvalidData(_l("Your consent is needed to send the form."), "consent")
    _check_text(data.name, "name", max_length=200)
    _check_text(data.message, "message")
    _check_text(data.email, "email", max_length=254)
    if data.phone and len(data.phone) > 40:
        raise InvalidData(_l("At most %(num)s characters.", num=40), "phone")
    # A phone number may be ten digits; only a written-out personnummer is refused there.
    if re.search(r"\d{6,8}\s*[-+]\s*\d{4}", data.phone or "") and looks_like_personnummer(data.phone):
        raise InvalidData(PERSONNUMMER_MESSAGE, "phone")


def next_reference(now: datetime | None = None) -> str:
    """The next BR-YYYY-NNNNN, from a per-year counter row incremented atomically.

    One ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement: the row lock it takes is
    held until the submitting transaction ends, so numbers are unique and, because a
    rolled-back submission rolls back its increment too, without gaps.
    """
    year = _local_year(now)
    table = BookingCounter.__table__
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the portal runs on SQLite and PostgreSQL
        raise RuntimeError(f"no reference counter for {dialect}")
    statement = (
        insert(table)
        .values(year=year, last_number=1)
        .on_conflict_do_update(index_elements=[table.c.year],
                               set_={"last_number": table.c.last_number + 1})
        .returning(table.c.last_number)
    )
    number = db.session.execute(statement).scalar_one()
    return f"BR-{year}-{number:05d}"


def _local_year(now: datetime | None) -> int:
    moment = (now or utcnow()).replace(tzinfo=ZoneInfo("UTC"))
    zone = current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Stockholm")
    try:
        return moment.astimezone(ZoneInfo(zone)).year
    except Exception:  # no time zone data: UTC is close enough for a year
        return moment.year


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
        if step.target in CLOSED_STATUSES:
            booking.closed_at = utcnow()
        db.session.add(BookingEvent(
            request=booking, actor_id=getattr(actor, "id", None), action=step.name,
            from_status=before, to_status=step.target, note=decision.note.strip(),
            reason_code=decision.reason if step.needs_reason else None,
            outcome=decision.outcome if step.needs_outcome else None,
        ))
        audit.record(step.name, "booking_request", booking.id, actor=actor,
                     organisation_id=booking.owner_organisation_id,
                     changes={"reference": booking.reference, "status": [before.value, step.target.value]})
        _notify(booking, to_side=step.by.other, kind="status", template="booking_status", actor=actor,
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
    _check_text(decision.note, "note")
    _check_text(decision.reason_text, "reason_text", max_length=1000)


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
    _check_text(body, "body")
    message = BookingMessage(request=booking, author_id=actor.id, side=side.value, body=body)
    db.session.add(message)
    db.session.flush()
    audit.record("message", "booking_request", booking.id, actor=actor,
                 organisation_id=booking.owner_organisation_id,
                 changes={"reference": booking.reference, "side": side.value})
    _notify(booking, to_side=side.other, kind="message", template="booking_message", actor=actor)
    db.session.commit()
    return message


# ------------------------------------------------------------------------------ notifications


def _notify(booking: BookingRequest, *, to_side: Side, kind: str, template: str, actor: Any,
            status: BookingStatus | None = None) -> None:
    """Queue the e-mail(s) and in-portal notifications for ``to_side`` (caller commits)."""
    with _template_context():
        for recipient, locale, may_open in _mail_recipients(booking, to_side):
            queue_mail(recipient, template, locale, kind=f"booking_{kind}",
                       context=_mail_context(booking, locale, status=status, may_open=may_open,
                                             side=to_side))
    actor_id = getattr(actor, "id", None)
    for user in _portal_recipients(booking, to_side):
        if user.id != actor_id:
            db.session.add(BookingNotification(user_id=user.id, request=booking, kind=kind, status=status))


def release_held_mail() -> int:
    """Send the owners' mail that waited for a mailbox, for every owner that now has one."""
    def queue_owner_mail(booking: BookingRequest) -> None:
        template = "booking_interest" if booking.is_own_application else "booking_submitted"
        with _template_context():
            for recipient, locale, may_open in _mail_recipients(booking, Side.OWNER):
                queue_mail(recipient, template, locale, kind="booking_submitted",
                           context=_mail_context(booking, locale, status=None, may_open=may_open,
                                                 side=Side.OWNER))

    return held_mail.release(queue_owner_mail)


@contextmanager
def _template_context():
    """Make mail templates renderable outside a request (CLI, worker, a thread).

    The interface's context processors read the current request; without one, a
    request context on ``PORTAL_BASE_URL`` is pushed into the *current* application
    context, so the outbox rows still join the caller's session and transaction. What
    rendering leaves in ``g`` (such as an anonymous current user) is removed again.
    """
    if has_request_context():
        yield
        return
    globals_ = g._get_current_object()
    before = set(vars(globals_))
    try:
        with current_app.test_request_context("/", base_url=current_app.config["PORTAL_BASE_URL"]):
            yield
    finally:
        for name in set(vars(globals_)) - before:
            delattr(globals_, name)


def _mail_recipients(booking: BookingRequest, side: Side) -> list[tuple[str, str, bool]]:
    """(address, language, whether the recipient can open the request page)."""
    if side is Side.OWNER:
        if not booking.owner_mailbox:
            held_mail.hold(booking)
            return []
        return [(booking.owner_mailbox, DEFAULT_LOCALE, True)]
    creator = booking.created_by
    if creator is not None and creator.active:
        return [(creator.email, _known_locale(creator.locale), True)]
    if booking.is_own_application:
        return [(booking.contact_email, booking.locale, False)] if booking.contact_email else []
    if booking.requester_organisation is not None:
        return [(booking.requester_organisation.booking_email, DEFAULT_LOCALE, True)]
    return []


def _portal_recipients(booking: BookingRequest, side: Side) -> list[User]:
    if side is Side.REQUESTER:
        creator = booking.created_by
        return [creator] if creator is not None and creator.active else []
    owner = booking.owner_organisation
    users = db.session.execute(
        db.select(User).where(User.organisation_id == owner.id, User.active.is_(True))
    ).scalars()
    return [user for user in users if can(user, Action.DECIDE_BOOKING, owner)]


def _mail_context(booking: BookingRequest, locale: str, *, status: BookingStatus | None,
                  may_open: bool, side: Side) -> dict[str, Any]:
    """What a mail may say: reference, intervention, organisations, status, link — never
    anything about the participant."""
    from portal.i18n.content import localized_text

    if may_open:
        link = external_url("booking.show_request", request_id=booking.id, lang_code=locale)
    else:
        link = external_url("catalogue.show_intervention", intervention_id=booking.intervention_id,
                            lang_code=locale)
    return {
        "reference": booking.reference,
        "intervention_title": localized_text(booking.intervention, locale).title.value,
        "owner_name": booking.owner_organisation.name,
        "requester_name": booking.requester_organisation.name if booking.requester_organisation else None,
        "status_label": STATUS_LABELS[status.value] if status else None,
        "status": status.value if status else None,
        "own_application": booking.is_own_application,
        "recipient_side": side.value,
        "link": link,
    }


def unread_count(user: Any) -> int:
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return db.session.execute(
        db.select(db.func.count(BookingNotification.id))
        .where(BookingNotification.user_id == user.id, BookingNotification.read_at.is_(None))
    ).scalar_one()


def notifications_of(user: Any, limit: int = 100) -> list[BookingNotification]:
    return list(db.session.execute(
        db.select(BookingNotification)
        .where(BookingNotification.user_id == user.id)
        .options(selectinload(BookingNotification.request))
        .order_by(BookingNotification.read_at.is_not(None), BookingNotification.id.desc())
        .limit(limit)
    ).scalars())


def mark_read(user: Any, booking: BookingRequest | None = None) -> int:
    """Mark ``user``'s notifications (about ``booking``, else all) as read."""
    table = BookingNotification.__table__
    statement = table.update().where(table.c.user_id == user.id, table.c.read_at.is_(None))
    if booking is not None:
        statement = statement.where(table.c.request_id == booking.id)
    result = db.session.execute(statement.values(read_at=utcnow()))
    db.session.commit()
    return result.rowcount


# ------------------------------------------------------------------------------ reading


def get_visible(actor: Any, request_id: int) -> BookingRequest | None:
    """The request, if ``actor`` may see it; None otherwise (existence must not leak)."""
    booking = db.session.get(BookingRequest, request_id)
    if booking is None or not can(actor, Action.VIEW_BOOKING, booking):
        return None
    return booking


TABS: dict[str, frozenset[BookingStatus]] = {
    "new": NEW_STATUSES,
    "open": OPEN_STATUSES - NEW_STATUSES,
    "closed": CLOSED_STATUSES,
}


@dataclass
class InboxFilters:
    tab: str = "new"
    statuses: list[BookingStatus] = field(default_factory=list)
    intervention_id: int | None = None
    unit_id: int | None = None
    source: BookingSource | None = None
    organisation_id: int | None = None
    reference: str = ""

    def apply(self, statement: db.Select, *, with_tab: bool = True) -> db.Select:
        if with_tab:
            statement = statement.where(BookingRequest.status.in_(TABS.get(self.tab, TABS["new"])))
        if self.statuses:
            statement = statement.where(BookingRequest.status.in_(self.statuses))
        if self.intervention_id:
            statement = statement.where(BookingRequest.intervention_id == self.intervention_id)
        if self.unit_id:
            statement = statement.where(BookingRequest.unit_id == self.unit_id)
        if self.source:
            statement = statement.where(BookingRequest.source == self.source)
        if self.organisation_id:
            statement = statement.where(BookingRequest.owner_organisation_id == self.organisation_id)
        if self.reference.strip():
            statement = statement.where(BookingRequest.reference.ilike(f"%{self.reference.strip()}%"))
        return statement


def decidable_organisations(actor: Any) -> list[Organisation]:
    """The organisations whose incoming requests ``actor`` may decide (their inbox)."""
    organisations = db.session.execute(db.select(Organisation).order_by(Organisation.name)).scalars()
    return [org for org in organisations if can(actor, Action.DECIDE_BOOKING, org)]


def inbox(actor: Any, filters: InboxFilters) -> tuple[db.Select, dict[str, int]]:
    """The inbox query for ``filters`` and the count of each tab (other filters applied)."""
    organisation_ids = [org.id for org in decidable_organisations(actor)]
    base = db.select(BookingRequest).where(BookingRequest.owner_organisation_id.in_(organisation_ids))
    counted = filters.apply(
        db.select(BookingRequest.status, db.func.count(BookingRequest.id))
        .where(BookingRequest.owner_organisation_id.in_(organisation_ids)),
        with_tab=False,
    ).group_by(BookingRequest.status)
    by_status = dict(db.session.execute(counted).all())
    counts = {tab: sum(by_status.get(status, 0) for status in statuses) for tab, statuses in TABS.items()}
    statement = filters.apply(base).options(
        selectinload(BookingRequest.intervention), selectinload(BookingRequest.unit),
        selectinload(BookingRequest.requester_organisation),
    ).order_by(BookingRequest.created_at.desc(), BookingRequest.id.desc())
    return statement, counts


def sent_requests(actor: Any, *, whole_organisation: bool = False) -> db.Select:
    """Requests ``actor`` sent (or, where allowed, their organisation sent)."""
    statement = db.select(BookingRequest)
    if whole_organisation and can_see_organisation_requests(actor):
        statement = statement.where(BookingRequest.requester_organisation_id == actor.organisation_id)
    else:
        statement = statement.where(BookingRequest.created_by_id == actor.id)
    return statement.options(
        selectinload(BookingRequest.intervention), selectinload(BookingRequest.owner_organisation),
    ).order_by(BookingRequest.created_at.desc(), BookingRequest.id.desc())


def can_see_organisation_requests(actor: Any) -> bool:
    if getattr(actor, "organisation_id", None) is None:
        return False
    return can(actor, Action.VIEW_BOOKING, RequesterSide(None, actor.organisation_id))


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
