"""Editing interventions: each action checks access, changes, audits and commits.

Index jobs for the search index are appended by the search domain's session listener,
so nothing here talks to the index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from portal import audit
from portal.accounts.permissions import Action, require
from portal.catalogue.models import (
    Intervention,
    InterventionLanguage,
    InterventionStart,
    InterventionStatus,
    InterventionTranslation,
    Organisation,
    TaxonomyTerm,
    Unit,
)
from portal.catalogue.richtext import plain_text
from portal.exceptions import Conflict
from portal.extensions import db
from portal.timeutil import today, utcnow

TEXT_FIELDS = (
    "title", "summary", "description", "eligibility", "referral_instructions", "accessibility",
    "closed_periods", "address", "postcode", "city", "contact_name", "contact_email", "contact_phone",
)
PLAIN_FIELDS = (
    "delivery_format", "intake", "enrolment_open", "wait_weeks", "duration_weeks", "hours_per_week",
    "capacity", "places_available", "price_per_week_sek", "lat", "lon", "valid_from", "valid_until",
)

# Which status each action leads to, and from which statuses it may be taken.
STATUS_ACTIONS: dict[str, tuple[InterventionStatus, set[InterventionStatus]]] = {
    "publish": (InterventionStatus.PUBLISHED,
                {InterventionStatus.DRAFT, InterventionStatus.PAUSED, InterventionStatus.ARCHIVED}),
    "pause": (InterventionStatus.PAUSED, {InterventionStatus.PUBLISHED}),
    "archive": (InterventionStatus.ARCHIVED,
                {InterventionStatus.DRAFT, InterventionStatus.PUBLISHED, InterventionStatus.PAUSED}),
}


class EditConflict(Conflict):
    """Someone else saved the intervention after the editor opened it."""


class InvalidChange(Conflict):
    """The change is not allowed in the record's current state."""


def strip_markup(text: str | None) -> str:
    """Remove any HTML from user text, keeping the words (see :func:`plain_text`)."""
    return plain_text(text)


@dataclass
class InterventionData:
    """Validated values from the editor's form."""

    organisation: Organisation
    unit: Unit | None
    type: TaxonomyTerm
    target_groups: list[TaxonomyTerm]
    referrers: list[TaxonomyTerm]
    languages: list[str]
    start_dates: list[date]
    texts: dict[str, str]
    values: dict[str, Any]
    translations: dict[str, dict[str, str]]
    confirm: bool = False


def create_intervention(actor, data: InterventionData) -> Intervention:
    require(actor, Action.EDIT_INTERVENTION, data.organisation)
    intervention = Intervention(organisation=data.organisation, status=InterventionStatus.DRAFT)
    with db.session.no_autoflush:
        _apply(intervention, data)
    db.session.add(intervention)
    db.session.flush()
    audit.record("create", "intervention", intervention.id, actor=actor,
                 organisation_id=intervention.organisation_id, changes={"title": intervention.title})
    db.session.commit()
    return intervention


def update_intervention(actor, intervention: Intervention, data: InterventionData,
                        expected_version: int) -> Intervention:
    """Save the editor's changes, unless someone saved a newer version meanwhile."""
    require(actor, Action.EDIT_INTERVENTION, intervention)
    require(actor, Action.EDIT_INTERVENTION, data.organisation)
    if expected_version != intervention.version:
        raise EditConflict()
    before = snapshot(intervention)
    with db.session.no_autoflush:
        _apply(intervention, data)
    changes = diff(before, snapshot(intervention))
    if not changes:
        return intervention
    intervention.updated_at = utcnow()  # bumps the version even when only related rows changed
    audit.record("update", "intervention", intervention.id, actor=actor,
                 organisation_id=intervention.organisation_id, changes=changes)
    try:
        db.session.commit()
    except StaleDataError as exc:  # saved by someone else between our read and our write
        db.session.rollback()
        raise EditConflict() from exc
    return intervention


def change_status(actor, intervention: Intervention, action: str) -> Intervention:
    require(actor, Action.EDIT_INTERVENTION, intervention)
    if action not in STATUS_ACTIONS:
        raise InvalidChange(action)
    target, allowed_from = STATUS_ACTIONS[action]
    if intervention.status not in allowed_from:
        raise InvalidChange(action)
    old = intervention.status.value
    intervention.status = target
    if target == InterventionStatus.PUBLISHED and intervention.published_at is None:
        intervention.published_at = utcnow()
    audit.record(action, "intervention", intervention.id, actor=actor,
                 organisation_id=intervention.organisation_id, changes={"status": [old, target.value]})
    db.session.commit()
    return intervention


def set_places(actor, intervention: Intervention, places: int) -> Intervention:
    require(actor, Action.EDIT_INTERVENTION, intervention)
    if not 0 <= places <= intervention.capacity:
        raise InvalidChange("places")
    old = intervention.places_available
    if old != places:
        intervention.places_available = places
        audit.record("update", "intervention", intervention.id, actor=actor,
                     organisation_id=intervention.organisation_id, changes={"places_available": [old, places]})
        db.session.commit()
    return intervention


def duplicate(actor, intervention: Intervention, title_prefix: str) -> Intervention:
    """A draft copy with every field and translation, for a similar offer."""
    require(actor, Action.EDIT_INTERVENTION, intervention)
    copy = Intervention(
        organisation=intervention.organisation,
        unit=intervention.unit,
        type=intervention.type,
        status=InterventionStatus.DRAFT,
        target_groups=list(intervention.target_groups),
        referrers=list(intervention.referrers),
        languages=[InterventionLanguage(code=code) for code in intervention.language_codes],
        start_dates=[InterventionStart(starts_on=start.starts_on) for start in intervention.start_dates],
        translations=[InterventionTranslation(locale=t.locale, title=t.title, summary=t.summary,
                                              description=t.description) for t in intervention.translations],
    )
    for name in TEXT_FIELDS + PLAIN_FIELDS:
        setattr(copy, name, getattr(intervention, name))
    copy.title = f"{title_prefix}{intervention.title}"[:200]
    db.session.add(copy)
    db.session.flush()
    audit.record("duplicate", "intervention", copy.id, actor=actor,
                 organisation_id=copy.organisation_id, changes={"copy_of": intervention.id})
    db.session.commit()
    return copy


def _apply(intervention: Intervention, data: InterventionData) -> None:
    intervention.organisation = data.organisation
    intervention.unit = data.unit
    intervention.type = data.type
    intervention.target_groups = data.target_groups
    intervention.referrers = data.referrers
    for name, value in data.texts.items():
        setattr(intervention, name, strip_markup(value) or (None if name in _NULLABLE_TEXT else ""))
    for name, value in data.values.items():
        setattr(intervention, name, value)
    if sorted(intervention.language_codes) != sorted(data.languages):
        intervention.languages = [InterventionLanguage(code=code) for code in data.languages]
    if [start.starts_on for start in intervention.start_dates] != data.start_dates:
        intervention.start_dates = [InterventionStart(starts_on=day) for day in data.start_dates]
    _apply_translations(intervention, data.translations)
    if data.confirm:
        intervention.confirmed_on = today()


_NULLABLE_TEXT = {"address", "postcode", "city", "contact_name", "contact_email", "contact_phone"}


def _apply_translations(intervention: Intervention, translations: dict[str, dict[str, str]]) -> None:
    for locale, texts in translations.items():
        cleaned = {name: strip_markup(value) for name, value in texts.items()}
        existing = intervention.translation(locale)
        if not cleaned.get("title"):
            if existing is not None:
                intervention.translations.remove(existing)
            continue
        if existing is None:
            intervention.translations.append(InterventionTranslation(locale=locale, **cleaned))
        else:
            for name, value in cleaned.items():
                setattr(existing, name, value)


def snapshot(intervention: Intervention) -> dict[str, Any]:
    """The editable state of an intervention, for the audit trail's changed fields."""
    state: dict[str, Any] = {name: getattr(intervention, name) for name in TEXT_FIELDS + PLAIN_FIELDS}
    state.update(
        organisation=intervention.organisation_id if intervention.organisation_id else None,
        unit=intervention.unit.name if intervention.unit else None,
        type=intervention.type.code if intervention.type else None,
        target_groups=sorted(term.code for term in intervention.target_groups),
        referrers=sorted(term.code for term in intervention.referrers),
        languages=sorted(intervention.language_codes),
        start_dates=[start.starts_on for start in intervention.start_dates],
        translations={t.locale: [t.title, t.summary, t.description] for t in intervention.translations},
    )
    return state


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        name: [_jsonable(before[name]), _jsonable(after[name])]
        for name in after
        if before.get(name) != after[name]
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if hasattr(value, "value"):  # enums
        return value.value
    if isinstance(value, str) and len(value) > 300:
        return value[:300] + "…"
    return value
