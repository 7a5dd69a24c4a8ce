"""Submitting a booking request or an interest form: validate, number, store, route, notify."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.accounts.permissions import Action, can
from portal.booking.errors import PERSONNUMMER_MESSAGE, InvalidData, InvalidTransition, NotAllowed
from portal.booking.models import (
    HOME_OTHER,
    BookingCounter,
    BookingEvent,
    BookingRequest,
    BookingSource,
    BookingStatus,
    Gender,
)
from portal.booking.notifications import known_locale, notify
from portal.booking.privacy import looks_like_personnummer
from portal.booking.states import Side
from portal.catalogue.models import Intervention, InterventionStatus, Organisation, OrganisationKind
from portal.extensions import db
from portal.timeutil import utcnow

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_TEXT = 4000


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
    found = _eligibility(intervention, data.home_municipality, getattr(actor, "organisation", None))
    booking = BookingRequest(
        source=BookingSource.REFERRAL,
        idempotency_key=key,
        intervention_id=intervention.id,
        unit_id=intervention.unit_id,
        owner_organisation_id=intervention.organisation_id,
        requester_organisation_id=actor.organisation_id,
        created_by_id=actor.id,
        locale=known_locale(getattr(actor, "locale", None)),
        participant_reference=data.participant_reference.strip() or None,
        gender=data.gender,
        birth_year=data.birth_year,
        preferred_language=data.preferred_language or None,
        home_municipality=data.home_municipality or None,
        interpreter_needed=bool(data.interpreter_needed),
        adaptation_needs=data.adaptation_needs.strip(),
        wished_start=data.wished_start,
        message=data.message.strip(),
        price_per_week_sek=found.price_per_week_sek,
        agreement_id=found.agreement_id,
        eligibility_exception=found.exception,
        eligibility_note=found.note,
    )
    return _store_new(booking, actor, key, template="booking_submitted", created_by_id=actor.id)


@dataclass(frozen=True)
class Eligibility:
    """What a request is sent under: the price, the agreement, and whether it is an exception."""

    price_per_week_sek: int | None = None
    agreement_id: int | None = None
    exception: bool = False
    note: str = ""  # why it is an exception, in Swedish (the owner's language)


def _eligibility(intervention: Intervention, home: str | None, organisation: Organisation | None) -> Eligibility:
    """Refused (with the reason) when the owner takes no exceptions; else the request's terms.

    Without a stated home municipality an intervention that is not open to anyone cannot be
    judged: refused, or an exception, by the owner's rule."""
    from flask_babel import force_locale

    from portal.agreements import eligibility
    from portal.catalogue.models import OpenTo, ReferralRule

    if not home and intervention.open_to != OpenTo.ANYONE:
        if intervention.referral_rule == ReferralRule.REFUSE:
            raise InvalidData(_l("State the participant's home municipality: this intervention is not open "
                                 "to everyone."), "home_municipality")
        else:
            with force_locale("sv"):
                note = str(_l("The participant's home municipality is not stated."))
            return Eligibility(exception=True, note=note)
    found = eligibility.verdict(intervention, home or HOME_OTHER, organisation)
    if found.refused:
        raise InvalidData(found.refusal, "home_municipality" if not found.open else None)
    note = ""
    if found.exception:
        with force_locale("sv"):
            note = eligibility.verdict(intervention, home or HOME_OTHER, organisation).refusal
    return Eligibility(found.price_per_week_sek if home else None, found.agreement_id if home else None,
                       found.exception, note)


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
        locale=known_locale(locale),
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
        now = utcnow()
        booking.reach(BookingStatus.SUBMITTED, now)
        event = BookingEvent(request=booking, actor_id=getattr(actor, "id", None), action="submit",
                             from_status=None, to_status=BookingStatus.SUBMITTED, created_at=now)
        db.session.add(event)
        audit.record("submit", "booking_request", booking.id, actor=actor,
                     organisation_id=booking.owner_organisation_id,
                     changes={"reference": booking.reference, "status": [None, "submitted"],
                              "source": booking.source.value,
                              # The terms it was sent under: what the home municipality pays per
                              # week, the agreement (its id and name then) and whether it is an exception.
                              "price_per_week_sek": booking.price_per_week_sek,
                              "agreement": _agreement_terms(booking.agreement_id),
                              "eligibility_exception": bool(booking.eligibility_exception)})
        notify(booking, to_side=Side.OWNER, kind="submitted", template=template, actor=actor)
        db.session.commit()
    except IntegrityError:
        # Another submission with the same key won the race: answer with its request.
        db.session.rollback()
        existing = _by_key(key)
        if existing is None:
            raise
        return _repeat(existing, **same_submitter)
    return Submission(booking, True)


def _agreement_terms(agreement_id: int | None) -> dict | None:
    """The agreement as the audit log keeps it: its id, and its name when the request was sent."""
    if agreement_id is None:
        return None
    from portal.agreements.models import Agreement

    agreement = db.session.get(Agreement, agreement_id)
    return {"id": agreement_id, "name": agreement.name if agreement else None}


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




def check_text(value: str | None, field_name: str, *, max_length: int = MAX_TEXT) -> None:
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
    check_text(data.participant_reference, "participant_reference", max_length=40)
    check_text(data.adaptation_needs, "adaptation_needs")
    check_text(data.message, "message")
    check_text(data.preferred_language, "preferred_language", max_length=8)
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
    check_text(data.name, "name", max_length=200)
    check_text(data.message, "message")
    check_text(data.email, "email", max_length=254)
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
