"""The demo's 18-month history of booking requests, so that the follow-up has something to show.

Deterministic (a fixed seed) and added once: a second run finds its requests and adds nothing.
Requests go from the demo case officers and from residents' own applications to every
published intervention, with decisions, starts, completions, interruptions, women and men,
and answered follow-up prompts. Dates count back from today.
"""

from __future__ import annotations

import random
from datetime import timedelta

from portal.accounts.models import User
from portal.booking.models import (
    CLOSED_STATUSES,
    HOME_OTHER,
    BookingEvent,
    BookingRequest,
    BookingSource,
    BookingStatus,
    Gender,
    Outcome,
    ReasonCode,
)
from portal.catalogue.models import Intervention, InterventionStatus, Organisation, OrganisationKind
from portal.extensions import db
from portal.stats.models import FollowUpAnswer, FollowUpPrompt, StatsTarget
from portal.stats.targets import APPLICATION_TARGETS
from portal.timeutil import utcnow

PREFIX = "BR-DEMO-"
REQUESTS = 480
DAYS = 548  # 18 months
SEED = 2026

# Final status → the statuses passed on the way, after submitted.
PATHS = {
    "received": ["received"], "waitlisted": ["received", "waitlisted"],
    "declined": ["received", "declined"], "withdrawn": ["received", "withdrawn"],
    "accepted": ["received", "accepted"], "started": ["received", "accepted", "started"],
    "completed": ["received", "accepted", "started", "completed"],
    "interrupted": ["received", "accepted", "started", "interrupted"],
}
WEIGHTS = {"received": 2, "waitlisted": 3, "declined": 8, "withdrawn": 3, "accepted": 3, "started": 8,
           "completed": 22, "interrupted": 7}


def load_history(demo_users: list[str]) -> int:
    """Add the history (once); the number of requests added."""
    if db.session.execute(db.select(BookingRequest.id).where(BookingRequest.reference.like(PREFIX + "%"))
                          .limit(1)).first():
        return 0
    rng = random.Random(SEED)
    interventions = list(db.session.execute(
        db.select(Intervention).where(Intervention.status == InterventionStatus.PUBLISHED)
        .order_by(Intervention.id)).scalars())
    municipalities = list(db.session.execute(
        db.select(Organisation).where(Organisation.kind == OrganisationKind.KOMMUN)
        .order_by(Organisation.municipality_code)).scalars())
    users = list(db.session.execute(db.select(User).where(User.email.in_(demo_users)).order_by(User.id)).scalars())
    if not interventions or not municipalities:
        return 0
    now = utcnow().replace(microsecond=0)
    start = now - timedelta(days=DAYS)
    finals, weights = list(WEIGHTS), list(WEIGHTS.values())
    for number in range(1, REQUESTS + 1):
        intervention = rng.choice(interventions)
        owner = next((m for m in municipalities if m.id == intervention.organisation_id), None)
        # Most participants use their own municipality's interventions; many do not.
        if owner is not None and rng.random() < 0.55:
            home = owner.municipality_code
        else:
            home = rng.choice([m.municipality_code for m in municipalities] + [HOME_OTHER, None])
        requester = rng.choice(users) if users and rng.random() < 0.8 else None
        created = start + timedelta(days=rng.randrange(DAYS - 20), hours=rng.randrange(8, 16),
                                    minutes=rng.randrange(60))
        final = rng.choices(finals, weights)[0]
        if created > now - timedelta(days=60) and final in ("completed", "interrupted"):
            final = "started"  # a recent request has not ended yet
        outcome = rng.choices(list(Outcome), [6, 2, 2])[0] if final == "completed" else None
        reason = None
        if final == "declined":
            reason = rng.choice([ReasonCode.NO_PLACES, ReasonCode.REQUIREMENTS_NOT_MET, ReasonCode.OTHER])
        elif final == "interrupted":
            reason = rng.choice([ReasonCode.DID_NOT_COME, ReasonCode.GOT_JOB, ReasonCode.STARTED_STUDIES,
                                 ReasonCode.ILL, ReasonCode.OTHER])
        booking = BookingRequest(
            reference=f"{PREFIX}{number:05d}", intervention_id=intervention.id, unit_id=intervention.unit_id,
            owner_organisation_id=intervention.organisation_id,
            source=BookingSource.REFERRAL if requester else BookingSource.OWN_APPLICATION,
            requester_organisation_id=requester.organisation_id if requester else None,
            created_by_id=requester.id if requester else None,
            home_municipality=home, status=BookingStatus(final), outcome=outcome, reason_code=reason,
            gender=rng.choices([Gender.FEMALE, Gender.MALE, Gender.OTHER, None], [50, 44, 2, 4])[0],
            birth_year=rng.randrange(1960, 2006), participant_reference=f"DEMO-{number}",
            contact_name=None if requester else "Demodeltagare", created_at=created, updated_at=created,
        )
        moment = created
        events = [BookingEvent(action="submit", to_status=BookingStatus.SUBMITTED, created_at=created)]
        previous = BookingStatus.SUBMITTED
        for step in PATHS[final]:
            moment += timedelta(days={"received": rng.randrange(0, 3), "accepted": rng.randrange(2, 21),
                                      "waitlisted": rng.randrange(2, 14), "declined": rng.randrange(1, 14),
                                      "withdrawn": rng.randrange(3, 30), "started": rng.randrange(5, 35),
                                      "completed": rng.randrange(40, 160),
                                      "interrupted": rng.randrange(5, 80)}[step], hours=rng.randrange(1, 5))
            moment = min(moment, now)
            events.append(BookingEvent(action=step, from_status=previous, to_status=BookingStatus(step),
                                       created_at=moment, outcome=outcome if step == "completed" else None,
                                       reason_code=reason if step in ("declined", "interrupted") else None))
            previous = BookingStatus(step)
        booking.events = events
        for event in events:
            booking.reach(event.to_status, event.created_at)
        booking.updated_at = moment
        if BookingStatus(final) in CLOSED_STATUSES:
            booking.closed_at = moment
        db.session.add(booking)
        _answer_follow_ups(rng, booking, now)
    _application_targets(start.date(), now.date())
    db.session.commit()
    return REQUESTS


def _answer_follow_ups(rng: random.Random, booking: BookingRequest, now) -> None:
    if booking.status not in (BookingStatus.COMPLETED, BookingStatus.INTERRUPTED) or not booking.created_by_id:
        return
    for months in (3, 6):
        asked = booking.closed_at + timedelta(days=31 * months)
        if asked > now:
            return
        answer = rng.choices(list(FollowUpAnswer), [40 if booking.outcome == Outcome.WORK else 15, 10, 12, 20, 5, 8])[0]
        answered = rng.random() < 0.8
        db.session.add(FollowUpPrompt(request=booking, months=months, user_id=booking.created_by_id,
                                      sent_at=asked, answer=answer if answered else None,
                                      answered_at=asked + timedelta(days=2) if answered else None))


def _application_targets(start, end) -> None:
    """The SKNO application's targets for the demo's period (once: only when none are set)."""
    if db.session.execute(db.select(StatsTarget.id).limit(1)).first():
        return
    for measure, value in APPLICATION_TARGETS.items():
        db.session.add(StatsTarget(period_start=start, period_end=end, measure=measure, value=value))
