"""Region administration: organisations, units, taxonomy and the audit log.

Each action checks access, validates, changes, records the audit event and commits. The
database constraints (unique municipality code and slug, four-digit code, a kommun needs a
code, unique unit names per organisation, unique term codes per vocabulary) are checked
here first so that the user gets a message next to the field; a violation that slips past
(two admins saving at the same moment) is turned into the same message, never a 500.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from portal import audit, exceptions
from portal.accounts.permissions import Action, require
from portal.audit import SECURITY_ACTIONS
from portal.audit.models import AuditEvent
from portal.catalogue.models import (
    Organisation,
    OrganisationKind,
    TaxonomyLabel,
    TaxonomyTerm,
    Unit,
    Vocabulary,
)
from portal.extensions import db
from portal.i18n import DEFAULT_LOCALE, LANGUAGES

ORGANISATION_FIELDS = (
    "name", "kind", "municipality_code", "slug", "booking_email", "website", "lat", "lon",
)
UNIT_FIELDS = ("name", "address", "postcode", "city", "booking_email")

CODE_PATTERN = re.compile(r"^[a-z0-9_]+$")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Constraint names (as the naming convention spells them) → the form field and message.
_CONSTRAINT_ERRORS: dict[str, tuple[str, Any]] = {
    "municipality_code_four_digits": (
        "municipality_code", _l("The municipality code has four digits.")),
    "kommun_has_municipality_code": (
        "municipality_code", _l("A municipality (kommun) needs its municipality code.")),
    "uq_organisations_municipality_code": (
        "municipality_code", _l("Another organisation already has this municipality code.")),
    "organisations.municipality_code": (
        "municipality_code", _l("Another organisation already has this municipality code.")),
    "uq_organisations_slug": ("slug", _l("Another organisation already has this address name.")),
    "organisations.slug": ("slug", _l("Another organisation already has this address name.")),
    "uq_units_organisation_id": ("name", _l("The organisation already has a unit with this name.")),
    "units.organisation_id": ("name", _l("The organisation already has a unit with this name.")),
    "uq_taxonomy_terms_vocabulary": ("code", _l("This list already has a term with this code.")),
    "taxonomy_terms.vocabulary": ("code", _l("This list already has a term with this code.")),
}


class InvalidInput(exceptions.InvalidInput):
    """Values the database would refuse; ``errors`` maps each field to its message."""

    def __init__(self, errors: dict[str, Any]) -> None:
        super().__init__(errors=errors)


def _commit_or_invalid() -> None:
    """Commit; a constraint violation rolls back and becomes :class:`InvalidInput`."""
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise InvalidInput(_errors_of(exc)) from exc


def _errors_of(exc: IntegrityError) -> dict[str, Any]:
    constraint = getattr(getattr(getattr(exc, "orig", None), "diag", None), "constraint_name", None)
    text = f"{constraint or ''} {exc.orig}"
    for name, (field, message) in _CONSTRAINT_ERRORS.items():
        if name in text:
            return {field: message}
    return {"name": _l("The record could not be saved: it conflicts with another record.")}


def _jsonable(value: Any) -> Any:
    if isinstance(value, OrganisationKind | Vocabulary):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _apply(obj: Any, values: dict[str, Any], fields: tuple[str, ...]) -> dict[str, list[Any]]:
    """Set the fields that differ; returns ``{field: [old, new]}`` for the audit log."""
    changes = {}
    for name in fields:
        if name not in values:
            continue
        old, new = getattr(obj, name), values[name]
        if old != new:
            setattr(obj, name, new)
            changes[name] = [_jsonable(old), _jsonable(new)]
    return changes


# ----------------------------------------------------------------------- organisations


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def clean_organisation_values(values: dict[str, Any]) -> dict[str, Any]:
    clean = {name: _blank_to_none(values.get(name)) for name in ORGANISATION_FIELDS}
    if clean["kind"] is not None:
        clean["kind"] = OrganisationKind(clean["kind"])
    if clean["slug"]:
        clean["slug"] = clean["slug"].lower()
    if clean["booking_email"]:
        clean["booking_email"] = clean["booking_email"].lower()
    return clean


def check_organisation(values: dict[str, Any], organisation: Organisation | None = None) -> None:
    """Raise :class:`InvalidInput` for values the database constraints would refuse."""
    errors: dict[str, Any] = {}
    own_id = organisation.id if organisation is not None else None
    code = values.get("municipality_code")
    if code is not None and not re.fullmatch(r"\d{4}", code):
        errors["municipality_code"] = _CONSTRAINT_ERRORS["municipality_code_four_digits"][1]
    elif code is None and values.get("kind") == OrganisationKind.KOMMUN:
        errors["municipality_code"] = _CONSTRAINT_ERRORS["kommun_has_municipality_code"][1]
    elif code is not None and _taken(Organisation.municipality_code, code, own_id):
        errors["municipality_code"] = _CONSTRAINT_ERRORS["uq_organisations_municipality_code"][1]
    slug = values.get("slug")
    if not slug:
        errors["slug"] = _l("This field is required.")
    elif not SLUG_PATTERN.match(slug):
        errors["slug"] = _l("Use lower-case letters a–z, digits and hyphens.")
    elif _taken(Organisation.slug, slug, own_id):
        errors["slug"] = _CONSTRAINT_ERRORS["uq_organisations_slug"][1]
    for name in ("name", "kind", "booking_email"):
        if not values.get(name):
            errors[name] = _l("This field is required.")
    if errors:
        raise InvalidInput(errors)


def _taken(column, value: str, own_id: int | None) -> bool:
    statement = db.select(Organisation.id).where(column == value)
    if own_id is not None:
        statement = statement.where(Organisation.id != own_id)
    return db.session.execute(statement).first() is not None


def create_organisation(actor, values: dict[str, Any]) -> Organisation:
    require(actor, Action.MANAGE_REGION)
    values = clean_organisation_values(values)
    check_organisation(values)
    organisation = Organisation()
    with db.session.no_autoflush:
        changes = _apply(organisation, values, ORGANISATION_FIELDS)
    db.session.add(organisation)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise InvalidInput(_errors_of(exc)) from exc
    audit.record("create", "organisation", organisation.id, actor=actor,
                 organisation_id=organisation.id,
                 changes={name: new for name, (_old, new) in changes.items()})
    _commit_or_invalid()
    return organisation


def update_organisation(actor, organisation: Organisation, values: dict[str, Any]) -> Organisation:
    require(actor, Action.MANAGE_REGION)
    values = clean_organisation_values(values)
    check_organisation(values, organisation)
    with db.session.no_autoflush:
        changes = _apply(organisation, values, ORGANISATION_FIELDS)
    if not changes:
        return organisation
    audit.record("update", "organisation", organisation.id, actor=actor,
                 organisation_id=organisation.id, changes=changes)
    _release_held_mail_if_mailbox_set(changes)
    _commit_or_invalid()
    return organisation


def _release_held_mail_if_mailbox_set(changes: dict[str, Any]) -> None:
    if "booking_email" in changes:
        from portal.booking.services import release_held_mail

        db.session.flush()
        release_held_mail()


# ------------------------------------------------------------------------------- units


def clean_unit_values(values: dict[str, Any]) -> dict[str, Any]:
    clean = {name: _blank_to_none(values.get(name)) for name in UNIT_FIELDS}
    if clean["booking_email"]:
        clean["booking_email"] = clean["booking_email"].lower()
    return clean


def check_unit(organisation: Organisation, values: dict[str, Any],
               unit: Unit | None = None) -> None:
    if not values.get("name"):
        raise InvalidInput({"name": _l("This field is required.")})
    statement = db.select(Unit.id).where(Unit.organisation_id == organisation.id,
                                         Unit.name == values["name"])
    if unit is not None:
        statement = statement.where(Unit.id != unit.id)
    if db.session.execute(statement).first() is not None:
        raise InvalidInput({"name": _CONSTRAINT_ERRORS["uq_units_organisation_id"][1]})


def create_unit(actor, organisation: Organisation, values: dict[str, Any]) -> Unit:
    require(actor, Action.MANAGE_REGION)
    values = clean_unit_values(values)
    check_unit(organisation, values)
    unit = Unit(organisation_id=organisation.id)
    changes = _apply(unit, values, UNIT_FIELDS)
    db.session.add(unit)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise InvalidInput(_errors_of(exc)) from exc
    audit.record("create", "unit", unit.id, actor=actor, organisation_id=organisation.id,
                 changes={name: new for name, (_old, new) in changes.items()})
    _release_held_mail_if_mailbox_set(changes)
    _commit_or_invalid()
    return unit


def update_unit(actor, unit: Unit, values: dict[str, Any]) -> Unit:
    require(actor, Action.MANAGE_REGION)
    values = clean_unit_values(values)
    check_unit(unit.organisation, values, unit)
    changes = _apply(unit, values, UNIT_FIELDS)
    if not changes:
        return unit
    audit.record("update", "unit", unit.id, actor=actor, organisation_id=unit.organisation_id,
                 changes=changes)
    _release_held_mail_if_mailbox_set(changes)
    _commit_or_invalid()
    return unit


# ---------------------------------------------------------------------------- taxonomy


def all_terms() -> dict[Vocabulary, list[TaxonomyTerm]]:
    terms = db.session.execute(
        db.select(TaxonomyTerm).order_by(TaxonomyTerm.position, TaxonomyTerm.code)
    ).scalars()
    grouped: dict[Vocabulary, list[TaxonomyTerm]] = {vocabulary: [] for vocabulary in Vocabulary}
    for term in terms:
        grouped[term.vocabulary].append(term)
    return grouped


def _set_labels(term: TaxonomyTerm, labels: dict[str, str | None]) -> dict[str, list[Any]]:
    """Set, change or remove (blank) the label of each locale given; returns the changes."""
    current = {label.locale: label for label in term.labels}
    changes: dict[str, list[Any]] = {}
    for locale in LANGUAGES:
        if locale not in labels:
            continue
        text = _blank_to_none(labels[locale])
        existing = current.get(locale)
        old = existing.label if existing is not None else None
        if text == old:
            continue
        if text is None:
            term.labels.remove(existing)
        elif existing is None:
            term.labels.append(TaxonomyLabel(locale=locale, label=text))
        else:
            existing.label = text
        changes[f"label_{locale}"] = [old, text]
    return changes


def _check_labels(labels: dict[str, str | None]) -> None:
    if DEFAULT_LOCALE in labels and not _blank_to_none(labels[DEFAULT_LOCALE]):
        raise InvalidInput({f"label_{DEFAULT_LOCALE}": _l("The Swedish label is required.")})


def create_term(actor, vocabulary: Vocabulary | str, code: str, position: int | None,
                labels: dict[str, str | None]) -> TaxonomyTerm:
    require(actor, Action.MANAGE_REGION)
    vocabulary = Vocabulary(vocabulary)
    code = (code or "").strip()
    if not CODE_PATTERN.match(code):
        raise InvalidInput({"code": _l("Use lower-case letters a–z, digits and underscores.")})
    exists = db.session.execute(
        db.select(TaxonomyTerm.id).where(TaxonomyTerm.vocabulary == vocabulary,
                                         TaxonomyTerm.code == code)
    ).first()
    if exists:
        raise InvalidInput({"code": _CONSTRAINT_ERRORS["uq_taxonomy_terms_vocabulary"][1]})
    _check_labels(labels)
    if position is None:
        last = db.session.execute(
            db.select(db.func.max(TaxonomyTerm.position))
            .where(TaxonomyTerm.vocabulary == vocabulary)
        ).scalar_one()
        position = 0 if last is None else last + 1
    term = TaxonomyTerm(vocabulary=vocabulary, code=code, position=position)
    label_changes = _set_labels(term, labels)
    db.session.add(term)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise InvalidInput(_errors_of(exc)) from exc
    changes = {"vocabulary": vocabulary.value, "code": code, "position": position}
    changes |= {name: new for name, (_old, new) in label_changes.items()}
    audit.record("create", "taxonomy_term", term.id, actor=actor, changes=changes)
    _commit_or_invalid()
    return term


def update_term(actor, term: TaxonomyTerm, position: int | None,
                labels: dict[str, str | None]) -> TaxonomyTerm:
    require(actor, Action.MANAGE_REGION)
    _check_labels(labels)
    changes = _apply(term, {"position": position}, ("position",)) if position is not None else {}
    changes |= _set_labels(term, labels)
    if not changes:
        return term
    audit.record("update", "taxonomy_term", term.id, actor=actor,
                 changes={"code": term.code, **changes})
    _commit_or_invalid()
    return term


# --------------------------------------------------------------------------- audit log


@dataclass
class AuditFilter:
    action: str | None = None
    record_type: str | None = None
    organisation_id: int | None = None
    security_only: bool = False

    def apply(self, statement):
        if self.security_only:
            statement = statement.where(AuditEvent.action.in_(SECURITY_ACTIONS))
        if self.action:
            statement = statement.where(AuditEvent.action == self.action)
        if self.record_type:
            statement = statement.where(AuditEvent.record_type == self.record_type)
        if self.organisation_id:
            statement = statement.where(AuditEvent.organisation_id == self.organisation_id)
        return statement


def audit_events(actor, filters: AuditFilter):
    """The statement for the audit log, newest first (the view paginates it)."""
    require(actor, Action.VIEW_AUDIT)
    statement = db.select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    return filters.apply(statement)


def audit_choices() -> tuple[list[str], list[str]]:
    """The actions and record types that occur in the log, for the filter form."""
    actions = db.session.execute(
        db.select(AuditEvent.action).distinct().order_by(AuditEvent.action)).scalars().all()
    record_types = db.session.execute(
        db.select(AuditEvent.record_type).distinct().order_by(AuditEvent.record_type)
    ).scalars().all()
    return list(actions), list(record_types)
