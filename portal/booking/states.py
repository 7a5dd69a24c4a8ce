"""The booking lifecycle: one table of transitions and who may make each.

```
submitted → received → accepted | waitlisted | declined
waitlisted → accepted | declined
accepted → started → completed (outcome) | interrupted (reason)
any open state → withdrawn (by the requester) | cancelled (by the owner)
```

An accepted request that has not started may also be interrupted ("did not come").
Views and templates ask this module which actions a user has on a request; the service
(``portal.booking.services.transition``) applies one, with its place effect.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from portal.accounts.permissions import Action, can
from portal.booking.models import OPEN_STATUSES, BookingRequest, BookingStatus

S = BookingStatus


class Side(enum.StrEnum):
    OWNER = "owner"  # the organisation that runs the intervention
    REQUESTER = "requester"  # the case officer (and their organisation) who asked

    @property
    def other(self) -> Side:
        return Side.REQUESTER if self is Side.OWNER else Side.OWNER


class Places(enum.Enum):
    KEEP = "keep"
    TAKE = "take"  # needs a free place, taken atomically
    GIVE_BACK = "give_back"  # a place the request holds becomes free again


@dataclass(frozen=True)
class Transition:
    name: str  # the verb: endpoint ``booking.<name>``, event action, audit action
    sources: frozenset[BookingStatus]
    target: BookingStatus
    by: Side
    needs_reason: bool = False
    needs_outcome: bool = False
    places: Places = Places.KEEP


def _t(name, sources, target, by, **options) -> Transition:
    return Transition(name, frozenset(sources), target, by, **options)


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        _t("receive", {S.SUBMITTED}, S.RECEIVED, Side.OWNER),
        # A decision on a request not yet marked as received implies receiving it (see `IMPLIED_RECEIPT`).
        _t("accept", {S.SUBMITTED, S.RECEIVED, S.WAITLISTED}, S.ACCEPTED, Side.OWNER, places=Places.TAKE),
        _t("waitlist", {S.SUBMITTED, S.RECEIVED}, S.WAITLISTED, Side.OWNER),
        _t("decline", {S.SUBMITTED, S.RECEIVED, S.WAITLISTED}, S.DECLINED, Side.OWNER, needs_reason=True),
        _t("start", {S.ACCEPTED}, S.STARTED, Side.OWNER),
        _t("complete", {S.STARTED}, S.COMPLETED, Side.OWNER, needs_outcome=True,
           places=Places.GIVE_BACK),
        _t("interrupt", {S.ACCEPTED, S.STARTED}, S.INTERRUPTED, Side.OWNER, needs_reason=True,
           places=Places.GIVE_BACK),
        _t("cancel", OPEN_STATUSES, S.CANCELLED, Side.OWNER, places=Places.GIVE_BACK),
        _t("withdraw", OPEN_STATUSES, S.WITHDRAWN, Side.REQUESTER, places=Places.GIVE_BACK),
    )
}

# The owner's decisions that, made on a submitted request, also record that it was received
# (one event more, no notification more: the requester hears of the decision alone).
IMPLIED_RECEIPT = frozenset({"accept", "waitlist", "decline"})


def acts_for(user: Any, side: Side, request: BookingRequest) -> bool:
    """True when ``user`` may act for ``side`` of ``request``.

    The owner side is checked against the owning organisation itself: the request also
    belongs to the requester organisation, whose editors must not decide it.
    """
    if side is Side.OWNER:
        return can(user, Action.DECIDE_BOOKING, request.owner_organisation)
    return can(user, Action.VIEW_BOOKING, request.requester_side)


def may(user: Any, transition: Transition, request: BookingRequest) -> bool:
    return acts_for(user, transition.by, request)


def available(user: Any, request: BookingRequest) -> list[Transition]:
    """The transitions ``user`` may make on ``request`` in its current status."""
    return [t for t in TRANSITIONS.values() if request.status in t.sources and may(user, t, request)]


def side_of(user: Any, request: BookingRequest) -> Side | None:
    """Which side ``user`` speaks for in the message thread (None: neither)."""
    if user is not None and getattr(user, "id", None) == request.created_by_id:
        return Side.REQUESTER
    if acts_for(user, Side.OWNER, request):
        return Side.OWNER
    if acts_for(user, Side.REQUESTER, request):
        return Side.REQUESTER
    return None
