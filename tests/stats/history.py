"""A deterministic history of booking requests with known steps, and its counts worked out
in Python from the same plan (independently of the portal's queries)."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.booking.models import (
    BookingEvent,
    BookingRequest,
    BookingStatus,
    Gender,
    Outcome,
    ReasonCode,
)
from portal.extensions import db

PATHS = {
    "submitted": [],
    "received": ["received"],
    "declined": ["received", "declined"],
    "waitlisted": ["received", "waitlisted"],
    "withdrawn": ["received", "withdrawn"],
    "accepted": ["received", "accepted"],
    "started": ["received", "accepted", "started"],
    "completed": ["received", "accepted", "started", "completed"],
    "interrupted": ["received", "accepted", "started", "interrupted"],
}


@dataclass
class Planned:
    home: str | None
    owner_id: int
    owner_code: str | None
    type_code: str
    intervention_id: int
    gender: Gender | None
    final: str
    outcome: Outcome | None
    reason: ReasonCode | None
    created_at: datetime
    decision_days: int
    start_days: int

    def reached(self, status: str) -> bool:
        return status in PATHS[self.final]


def plan_history(interventions, homes, *, count: int, start: datetime, days: int, seed: int = 13) -> list[Planned]:
    """``interventions``: (intervention, owner code, type code); ``homes``: home values to draw from."""
    rng = random.Random(seed)
    finals = list(PATHS)
    plans = []
    for _ in range(count):
        intervention, owner_code, type_code = rng.choice(interventions)
        final = rng.choice(finals)
        plans.append(Planned(
            home=rng.choice(homes), owner_id=intervention.organisation_id, owner_code=owner_code,
            type_code=type_code, intervention_id=intervention.id,
            gender=rng.choice([Gender.FEMALE, Gender.FEMALE, Gender.MALE, Gender.MALE, Gender.OTHER, None]),
            final=final,
            outcome=rng.choice(list(Outcome)) if final == "completed" else None,
            reason=rng.choice(list(ReasonCode)) if final in ("declined", "interrupted") else None,
            created_at=start + timedelta(days=rng.randrange(days), hours=rng.randrange(8, 16)),
            decision_days=rng.randrange(1, 30), start_days=rng.randrange(1, 40),
        ))
    return plans


def store(plans: list[Planned], requester_organisation_id: int | None = None) -> list[BookingRequest]:
    requests = []
    for number, plan in enumerate(plans):
        booking = BookingRequest(
            reference=f"BR-T-{number:05d}", intervention_id=plan.intervention_id,
            owner_organisation_id=plan.owner_id, requester_organisation_id=requester_organisation_id,
            home_municipality=plan.home, gender=plan.gender, status=BookingStatus(plan.final),
            outcome=plan.outcome, reason_code=plan.reason, created_at=plan.created_at,
            participant_reference=f"P-{number}",
        )
        moment = plan.created_at
        events = [BookingEvent(action="submit", to_status=BookingStatus.SUBMITTED, created_at=moment)]
        previous = BookingStatus.SUBMITTED
        for step in PATHS[plan.final]:
            if step in ("accepted", "declined", "waitlisted"):
                moment = plan.created_at + timedelta(days=plan.decision_days)
            elif step == "started":
                moment = moment + timedelta(days=plan.start_days)
            else:
                moment = moment + timedelta(hours=1)
            events.append(BookingEvent(action=step, from_status=previous, to_status=BookingStatus(step),
                                       created_at=moment, outcome=plan.outcome if step == "completed" else None,
                                       reason_code=plan.reason if step in ("declined", "interrupted") else None))
            previous = BookingStatus(step)
        if plan.final in ("completed", "interrupted", "declined", "withdrawn"):
            booking.closed_at = moment
        booking.events = events
        for event in events:  # what the lifecycle keeps beside each event it writes
            booking.reach(event.to_status, event.created_at)
        db.session.add(booking)
        requests.append(booking)
    db.session.commit()
    return requests


# ------------------------------------------------------------------------------ independent counts


def flow_counts(plans, measure: str) -> Counter:
    counts: Counter = Counter()
    for plan in plans:
        hit = {"requests": True, "accepted": plan.reached("accepted"), "started": plan.reached("started"),
               "completed": plan.final == "completed"}[measure]
        if hit:
            counts[(plan.home or "", plan.owner_id)] += 1
    return counts


def gender_column(plan) -> str:
    return plan.gender.value if plan.gender in (Gender.FEMALE, Gender.MALE) else "other"


def outcome_category(plan) -> str | None:
    if plan.final == "completed":
        return f"completed:{plan.outcome.value}"
    if plan.final == "interrupted":
        return f"interrupted:{plan.reason.value}"
    return None


def median(values: list[float]) -> float | None:
    values = sorted(values)
    if not values:
        return None
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
