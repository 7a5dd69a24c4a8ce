"""A catalogue that keeps itself true: confirmations, review reminders, expiry and cohort closing.

An intervention not confirmed by its owner for ``STALE_AFTER_MONTHS`` is *stale*: readers
see a warning on its page, its result card and in the API. ``REVIEW_REMINDER_DAYS`` before
it turns stale, the editors of its unit (the unit's booking mailbox, else the organisation's
editors) get one digest listing everything of theirs that needs review, with a "Still
correct" link each. ``AUTO_PAUSE_AFTER_MONTHS`` (0: off) pauses what stays unconfirmed.
A fixed-cohort intervention closes enrolment by itself once its last start has passed, and
its owner is reminded 14, 7 and 1 days before ``valid_until``. Every reminder is recorded, so
each is sent once, whatever the number of nodes or runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.accounts.models import User
from portal.accounts.permissions import Action, can, require
from portal.catalogue.models import Intake, Intervention, InterventionStatus, Unit
from portal.extensions import db
from portal.i18n import DEFAULT_LOCALE
from portal.notify.services import queue_mail
from portal.publishing.models import ReminderLog
from portal.timeutil import today
from portal.urls import external_url

EXPIRY_REMINDER_DAYS = (14, 7, 1)
LINK_MAX_AGE = 60 * 60 * 24 * 60  # a reminder's confirm link works for 60 days
REVIEWED_STATUSES = (InterventionStatus.PUBLISHED, InterventionStatus.PAUSED)


# ----------------------------------------------------------------------- stale or not


def confirmed_date(intervention: Intervention) -> date:
    return intervention.confirmed_on or intervention.updated_at.date()


def needs_review(intervention: Intervention, on: date | None = None) -> bool:
    """Stale, or turning stale within ``REVIEW_REMINDER_DAYS``."""
    soon = (on or today()) + timedelta(days=current_app.config["REVIEW_REMINDER_DAYS"])
    return intervention.status in REVIEWED_STATUSES and soon >= intervention.stale_from


def review_list(interventions: list[Intervention]) -> list[Intervention]:
    return sorted((item for item in interventions if needs_review(item)), key=lambda item: item.stale_from)


# ----------------------------------------------------------------------- confirming


def confirm(actor: Any, intervention: Intervention) -> None:
    """"Still correct": the owner vouches for the record today (commits)."""
    require(actor, Action.EDIT_INTERVENTION, intervention)
    old = intervention.confirmed_on
    intervention.confirmed_on = today()
    audit.record("confirm", "intervention", intervention.id, actor=actor,
                 organisation_id=intervention.organisation_id,
                 changes={"confirmed_on": [old.isoformat() if old else None, intervention.confirmed_on.isoformat()]})
    db.session.commit()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="confirm-intervention")


def confirm_token(intervention: Intervention) -> str:
    return _serializer().dumps({"intervention": intervention.id})


def token_names(token: str, intervention_id: int) -> bool:
    """True when ``token`` is a valid, unexpired confirm link for this intervention."""
    try:
        data = _serializer().loads(token, max_age=LINK_MAX_AGE)
    except BadSignature:
        return False
    return isinstance(data, dict) and data.get("intervention") == intervention_id


# ----------------------------------------------------------------------- the daily jobs


@dataclass
class FreshnessReport:
    digests: int = 0
    expiry_reminders: int = 0
    paused: list[int] = field(default_factory=list)
    closed_cohorts: list[int] = field(default_factory=list)


def run_daily(on: date | None = None) -> FreshnessReport:
    """Everything the catalogue does for itself once a day (commits)."""
    on = on or today()
    report = FreshnessReport()
    report.digests = send_review_digests(on)
    report.expiry_reminders = send_expiry_reminders(on)
    report.paused = pause_long_stale(on)
    report.closed_cohorts = close_finished_cohorts(on)
    return report


def _reviewed() -> list[Intervention]:
    return list(db.session.execute(
        db.select(Intervention).where(Intervention.status.in_(REVIEWED_STATUSES))).scalars())


def _remember(intervention: Intervention, kind: str, due_on: date) -> bool:
    """Record a reminder; False when it was already sent (by this or another run)."""
    try:
        with db.session.begin_nested():
            db.session.add(ReminderLog(intervention_id=intervention.id, kind=kind, due_on=due_on))
    except IntegrityError:
        return False
    return True


def _recipients(organisation_id: int, unit: Unit | None) -> list[tuple[str, str]]:
    """(address, language): the unit's booking mailbox, else the organisation's editors."""
    if unit is not None and unit.booking_email:
        return [(unit.booking_email, DEFAULT_LOCALE)]
    editors = db.session.execute(
        db.select(User).where(User.organisation_id == organisation_id, User.active.is_(True))).scalars()
    return [(user.email, user.locale or DEFAULT_LOCALE) for user in editors
            if can(user, Action.EDIT_INTERVENTION) and not can(user, Action.MANAGE_REGION)]


def _rows(items: list[Intervention]) -> list[dict[str, Any]]:
    return [{
        "title": item.title,
        "stale_from": item.stale_from,
        "confirm_link": external_url("publishing.confirm_from_link", intervention_id=item.id,
                                     token=confirm_token(item), lang_code=DEFAULT_LOCALE),
        "edit_link": external_url("publishing.edit_intervention", intervention_id=item.id,
                                  lang_code=DEFAULT_LOCALE),
    } for item in items]


def send_review_digests(on: date) -> int:
    """One digest per unit (else organisation) once something of it turns stale within the
    reminder days; the digest lists everything of that unit that needs review."""
    reminder_days = current_app.config["REVIEW_REMINDER_DAYS"]
    reviewed = _reviewed()
    due_groups = set()
    for item in reviewed:
        due = item.stale_from
        if on >= due - timedelta(days=reminder_days) and _remember(item, "review", due):
            due_groups.add((item.organisation_id, item.unit_id))
    for organisation_id, unit_id in due_groups:
        unit = db.session.get(Unit, unit_id) if unit_id else None
        listed = [item for item in reviewed if (item.organisation_id, item.unit_id) == (organisation_id, unit_id)
                  and on + timedelta(days=reminder_days) >= item.stale_from]
        listed.sort(key=lambda item: item.stale_from)
        for address, locale in _recipients(organisation_id, unit):
            queue_mail(address, "review_digest", locale, kind="review_digest",
                       context={"unit": unit.name if unit else listed[0].organisation.name,
                                "interventions": _rows(listed)})
    db.session.commit()
    return len(due_groups)


def send_expiry_reminders(on: date) -> int:
    sent = 0
    for item in _reviewed():
        if item.valid_until is None:
            continue
        days_left = (item.valid_until - on).days
        if days_left in EXPIRY_REMINDER_DAYS and _remember(item, f"expiry-{days_left}", item.valid_until):
            for address, locale in _recipients(item.organisation_id, item.unit):
                queue_mail(address, "expiry_reminder", locale, kind="expiry_reminder",
                           context={"title": item.title, "valid_until": item.valid_until, "days": days_left,
                                    "edit_link": _rows([item])[0]["edit_link"]})
            sent += 1
    db.session.commit()
    return sent


def pause_long_stale(on: date) -> list[int]:
    months = current_app.config["AUTO_PAUSE_AFTER_MONTHS"]
    if not months:
        return []
    paused = []
    for item in _reviewed():
        if item.status == InterventionStatus.PUBLISHED and on >= confirmed_date(item) + relativedelta(months=months):
            item.status = InterventionStatus.PAUSED
            audit.record("auto_pause", "intervention", item.id, organisation_id=item.organisation_id,
                         changes={"status": ["published", "paused"], "confirmed_on": confirmed_date(item).isoformat()})
            paused.append(item.id)
    db.session.commit()
    return paused


def close_finished_cohorts(on: date) -> list[int]:
    """Fixed cohorts whose last start has passed take no more participants."""
    closed = []
    candidates = db.session.execute(
        db.select(Intervention).where(Intervention.intake == Intake.COHORTS, Intervention.enrolment_open.is_(True),
                                      Intervention.status.in_(REVIEWED_STATUSES))).scalars()
    for item in candidates:
        starts = [start.starts_on for start in item.start_dates]
        if starts and max(starts) < on:
            item.enrolment_open = False
            audit.record("close_enrolment", "intervention", item.id, organisation_id=item.organisation_id,
                         changes={"enrolment_open": [True, False], "last_start": max(starts).isoformat()})
            closed.append(item.id)
    db.session.commit()
    return closed
