"""What waits for a logged-in person: requests to decide, requests sent, records to review."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import selectinload

from portal.accounts.permissions import Action, can
from portal.booking.inbox import InboxFilters, inbox, sent_requests
from portal.booking.models import OPEN_STATUSES, BookingRequest
from portal.catalogue.models import Intervention, InterventionStatus
from portal.extensions import db
from portal.publishing.freshness import review_list

SHOWN = 5


@dataclass
class Overview:
    decides: bool = False  # has a booking inbox
    new_requests: int = 0
    open_requests: int = 0
    newest_requests: list[BookingRequest] = field(default_factory=list)
    sends: bool = False  # sends requests
    sent_open: int = 0
    sent_latest: list[BookingRequest] = field(default_factory=list)
    edits: bool = False  # keeps interventions
    needs_review: list[Intervention] = field(default_factory=list)
    drafts: list[Intervention] = field(default_factory=list)
    latest_changes: list[Intervention] = field(default_factory=list)


def overview(user: Any) -> Overview:
    found = Overview()
    if can(user, Action.DECIDE_BOOKING):
        found.decides = True
        statement, counts = inbox(user, InboxFilters(tab="new"))
        found.new_requests, found.open_requests = counts.get("new", 0), counts.get("open", 0)
        found.newest_requests = list(db.session.execute(statement.limit(SHOWN)).scalars())
    if can(user, Action.REQUEST_BOOKING):
        found.sends = True
        sent = sent_requests(user)
        found.sent_open = db.session.execute(
            db.select(db.func.count()).select_from(
                sent.where(BookingRequest.status.in_(OPEN_STATUSES)).order_by(None).subquery())
        ).scalar_one()
        found.sent_latest = list(db.session.execute(sent.limit(SHOWN)).scalars())
    if can(user, Action.EDIT_INTERVENTION):
        found.edits = True
        kept = _kept_interventions(user)
        found.needs_review = review_list(kept)[:SHOWN]
        found.drafts = [item for item in kept if item.status is InterventionStatus.DRAFT][:SHOWN]
        found.latest_changes = kept[:SHOWN]
    return found


def _kept_interventions(user: Any) -> list[Intervention]:
    """The interventions ``user`` keeps, the latest change first."""
    statement = db.select(Intervention).options(selectinload(Intervention.organisation))
    if not can(user, Action.MANAGE_REGION):
        statement = statement.where(Intervention.organisation_id == user.organisation_id)
    statement = statement.where(Intervention.status != InterventionStatus.ARCHIVED)
    return list(db.session.execute(statement.order_by(Intervention.updated_at.desc())).scalars())

