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
from portal.catalogue.writing import PLAIN_FIELDS, TEXT_FIELDS, InterventionValues, apply_intervention
from portal.exceptions import Conflict
from portal.extensions import db
from portal.timeutil import today, utcnow

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

    def as_values(self) -> InterventionValues:
        """The form's values in the shape of the one write path."""
        fields = {**self.texts, **self.values}
        if self.confirm:
            fields["confirmed_on"] = today()
        return InterventionValues(
            organisation=self.organisation, unit=self.unit, type=self.type, target_groups=self.target_groups,
            referrers=self.referrers, languages=self.languages, start_dates=self.start_dates, fields=fields,
            translations=self.translations)


def create_intervention(actor, data: InterventionData) -> Intervention:
    require(actor, Action.EDIT_INTERVENTION, data.organisation)
    intervention = Intervention(organisation=data.organisation, status=InterventionStatus.DRAFT)
    with db.session.no_autoflush:
        apply_intervention(intervention, data.as_values(), actor=actor, action="create")
    db.session.commit()
    return intervention


def update_intervention(actor, intervention: Intervention, data: InterventionData,
                        expected_version: int) -> Intervention:
    """Save the editor's changes, unless someone saved a newer version meanwhile."""
    require(actor, Action.EDIT_INTERVENTION, intervention)
    require(actor, Action.EDIT_INTERVENTION, data.organisation)
    if expected_version != intervention.version:
        raise EditConflict()
    with db.session.no_autoflush:
        changes = apply_intervention(intervention, data.as_values(), actor=actor, action="update")
    if not changes:
        return intervention
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
