"""Requests to an organisation that has no booking mailbox yet are held, not lost.

An organisation created by an import has no mailbox until the region administrator sets
one; no address is invented. The request still lands in the owner's inbox in the portal;
its mail is *held* (the request says so to both sides), every region administrator is told
at once and again every day until the mailbox is set, and setting it sends what was held.
"""

from __future__ import annotations

from typing import Any

from portal.accounts.models import Role, User
from portal.booking.models import BookingRequest, BookingStatus
from portal.catalogue.models import Organisation
from portal.extensions import db
from portal.i18n import DEFAULT_LOCALE
from portal.notify.services import queue_mail
from portal.urls import external_url

OPEN_STATUSES = (BookingStatus.SUBMITTED, BookingStatus.RECEIVED, BookingStatus.WAITLISTED)


def hold(booking: BookingRequest) -> None:
    """Mark the owner's mail of ``booking`` as held and tell the administrators (caller commits)."""
    booking.owner_mail_held = True
    _alert_administrators([booking.owner_organisation], {booking.owner_organisation_id: 1})


def held_counts() -> dict[int, int]:
    """Owner organisation id → how many open requests wait for a mailbox."""
    return dict(db.session.execute(
        db.select(BookingRequest.owner_organisation_id, db.func.count(BookingRequest.id))
        .where(BookingRequest.owner_mail_held.is_(True), BookingRequest.status.in_(OPEN_STATUSES))
        .group_by(BookingRequest.owner_organisation_id)
    ).all())


def remind_administrators() -> int:
    """The daily reminder while any organisation's requests are held (commits)."""
    counts = held_counts()
    if not counts:
        return 0
    organisations = db.session.execute(
        db.select(Organisation).where(Organisation.id.in_(counts)).order_by(Organisation.name)).scalars().all()
    sent = _alert_administrators(organisations, counts)
    db.session.commit()
    return sent


def release(render_owner_mail) -> int:
    """Send the held mail of every request whose owner now has a mailbox (caller commits).

    ``render_owner_mail(booking)`` queues the owner's mail exactly as a new request would.
    """
    held = db.session.execute(
        db.select(BookingRequest).where(BookingRequest.owner_mail_held.is_(True))).scalars().all()
    released = 0
    for booking in held:
        if booking.owner_mailbox:
            booking.owner_mail_held = False
            if booking.status in OPEN_STATUSES:
                render_owner_mail(booking)
            released += 1
    return released


def _alert_administrators(organisations: list[Organisation], counts: dict[int, int]) -> int:
    administrators = db.session.execute(
        db.select(User).where(User.role == Role.ADMIN, User.active.is_(True))).scalars().all()
    rows: list[dict[str, Any]] = [
        {"name": organisation.name, "count": counts.get(organisation.id, 0),
         "link": external_url("admin.edit_organisation", organisation_id=organisation.id,
                              lang_code=DEFAULT_LOCALE)}
        for organisation in organisations
    ]
    for administrator in administrators:
        queue_mail(administrator.email, "mailbox_missing", administrator.locale or DEFAULT_LOCALE,
                   kind="mailbox_missing", context={"organisations": rows})
    return len(administrators)
