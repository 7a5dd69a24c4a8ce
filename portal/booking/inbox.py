"""Reading booking requests: what a user may see, the owner's inbox, the requester's list."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import selectinload

from portal.accounts.permissions import Action, can
from portal.booking.models import (
    CLOSED_STATUSES,
    NEW_STATUSES,
    OPEN_STATUSES,
    BookingRequest,
    BookingSource,
    BookingStatus,
    RequesterSide,
)
from portal.catalogue.models import Organisation
from portal.extensions import db

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
        selectinload(BookingRequest.requester_organisation), selectinload(BookingRequest.agreement),
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
