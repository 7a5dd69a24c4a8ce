"""Flows by agreement and what home municipalities committed to pay other owners (admins only).

Counted from the terms a booking request was sent under (its home municipality, agreement
and weekly price), so a later change of an agreement does not rewrite the past. A place is
committed once the owner accepted it (accepted, started, completed or interrupted).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func

from portal.accounts.permissions import Action, require
from portal.agreements.eligibility import home_name
from portal.agreements.models import Agreement
from portal.booking.models import BookingRequest, BookingStatus
from portal.extensions import db

COMMITTED = (BookingStatus.ACCEPTED, BookingStatus.STARTED, BookingStatus.COMPLETED, BookingStatus.INTERRUPTED)


@dataclass(frozen=True)
class AgreementFlow:
    home: str | None  # SCB code, "other" or None (not stated)
    home_name: str
    agreement: str | None
    requests: int
    committed: int
    weekly_sek: int  # the sum of the weekly prices of the committed places


def flows_by_agreement(actor: Any) -> list[AgreementFlow]:
    """Requests and committed places per home municipality × agreement, with the weekly sums."""
    require(actor, Action.MANAGE_AGREEMENTS)
    committed = BookingRequest.status.in_(COMMITTED)
    rows = db.session.execute(
        db.select(BookingRequest.home_municipality, Agreement.name, func.count(BookingRequest.id),
                  func.sum(case((committed, 1), else_=0)),
                  func.sum(case((committed, func.coalesce(BookingRequest.price_per_week_sek, 0)), else_=0)))
        .outerjoin(Agreement, Agreement.id == BookingRequest.agreement_id)
        .where(BookingRequest.owner_organisation_id != BookingRequest.requester_organisation_id)
        .group_by(BookingRequest.home_municipality, Agreement.name)
    ).all()
    flows = [AgreementFlow(home, home_name(home) if home else "", name, int(requests), int(placed or 0),
                           int(weekly or 0)) for home, name, requests, placed, weekly in rows]
    return sorted(flows, key=lambda flow: (flow.home_name, flow.agreement or ""))
