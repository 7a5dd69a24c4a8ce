"""Who hears about a booking request, and how: outbox mail (never a participant detail) and in-portal notifications."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.accounts.permissions import Action, can
from portal.booking import held_mail
from portal.booking.labels import STATUS_LABELS
from portal.booking.models import (
    BookingNotification,
    BookingRequest,
    BookingStatus,
)
from portal.booking.states import Side
from portal.extensions import db
from portal.i18n import DEFAULT_LOCALE, LANGUAGES
from portal.notify.services import queue_mail
from portal.timeutil import utcnow
from portal.urls import external_url

# ------------------------------------------------------------------------------ notifications

def known_locale(locale: str | None) -> str:
    return locale if locale in LANGUAGES else DEFAULT_LOCALE



def notify(booking: BookingRequest, *, to_side: Side, kind: str, template: str, actor: Any,
            status: BookingStatus | None = None) -> None:
    """Queue the e-mail(s) and in-portal notifications for ``to_side`` (caller commits)."""
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
        for recipient, locale, may_open in _mail_recipients(booking, Side.OWNER):
            queue_mail(recipient, template, locale, kind="booking_submitted",
                       context=_mail_context(booking, locale, status=None, may_open=may_open,
                                             side=Side.OWNER))

    return held_mail.release(queue_owner_mail)


def _mail_recipients(booking: BookingRequest, side: Side) -> list[tuple[str, str, bool]]:
    """(address, language, whether the recipient can open the request page)."""
    if side is Side.OWNER:
        if not booking.owner_mailbox:
            held_mail.hold(booking)
            return []
        return [(booking.owner_mailbox, DEFAULT_LOCALE, True)]
    creator = booking.created_by
    if creator is not None and creator.active:
        return [(creator.email, known_locale(creator.locale), True)]
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
        .options(selectinload(BookingNotification.request).options(
            selectinload(BookingRequest.intervention), selectinload(BookingRequest.owner_organisation),
            selectinload(BookingRequest.requester_organisation)))
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
