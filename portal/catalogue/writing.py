"""The one way an intervention is written: the editor's form, the importer and the HSDS import.

Every writer parses its own input into :class:`InterventionValues` and calls
:func:`apply_intervention`, which checks the values, sanitises every text (markup removed
as the sanitiser would remove it, blank optional texts stored as none, a translation without
a title deleted), sets only what differs, and records the audit event with the difference.
Index jobs follow from the session listener of the search domain, in the same transaction.
So a record typed into the form and the same record imported end up identical.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from portal import audit
from portal.catalogue.models import (
    Intervention,
    InterventionLanguage,
    InterventionStart,
    InterventionStatus,
    InterventionTranslation,
    OpenTo,
    Organisation,
    ReferralRule,
    TaxonomyTerm,
    Unit,
)
from portal.catalogue.richtext import plain_text
from portal.exceptions import InvalidInput
from portal.extensions import db
from portal.timeutil import utcnow

TEXT_FIELDS = (
    "title", "summary", "description", "eligibility", "referral_instructions", "accessibility",
    "closed_periods", "address", "postcode", "city", "contact_name", "contact_email", "contact_phone",
)
NULLABLE_TEXT_FIELDS = {"address", "postcode", "city", "contact_name", "contact_email", "contact_phone"}
PLAIN_FIELDS = (
    "delivery_format", "intake", "enrolment_open", "wait_weeks", "duration_weeks", "hours_per_week",
    "capacity", "places_available", "price_per_week_sek", "lat", "lon", "valid_from", "valid_until",
    "open_to", "price_per_week_other_sek", "referral_rule",
)
# Fields a writer may set besides those above (an import file may give them; the editor's
# form has its own actions for them).
OPTIONAL_FIELDS = ("status", "confirmed_on")
TRANSLATED_FIELDS = ("title", "summary", "description")


@dataclass
class InterventionValues:
    """What a writer wants an intervention to be, already parsed into Python values."""

    organisation: Organisation
    unit: Unit | None
    type: TaxonomyTerm
    target_groups: list[TaxonomyTerm]
    referrers: list[TaxonomyTerm]
    languages: list[str]
    start_dates: list[date]
    fields: dict[str, Any]  # TEXT_FIELDS, PLAIN_FIELDS and any of OPTIONAL_FIELDS
    translations: dict[str, dict[str, str]]


def email_problem(address: str | None) -> str | None:
    """Why ``address`` is not an e-mail address (the same rule as the editor's form), else None."""
    if not address or _valid_email(address):
        return None
    return str(_l("Enter a valid e-mail address."))


@lru_cache(maxsize=4096)
def _valid_email(address: str) -> bool:
    """An import checks each address twice and many records share one; the answer is pure."""
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def check(values: InterventionValues) -> dict[str, str]:
    """Field → message for values no writer may store."""
    errors: dict[str, str] = {}
    problem = email_problem(values.fields.get("contact_email"))
    if problem:
        errors["contact_email"] = problem
    capacity, places = values.fields.get("capacity") or 0, values.fields.get("places_available") or 0
    if places > capacity:
        errors["places_available"] = str(_l("Places available cannot be more than the capacity."))
    if values.unit is not None and values.unit.organisation is not values.organisation:
        errors["unit"] = str(_l("Choose a unit of the organisation."))
    other_price = values.fields.get("price_per_week_other_sek")
    if other_price is not None and (not isinstance(other_price, int) or isinstance(other_price, bool)
                                    or not 0 <= other_price <= 1_000_000):
        errors["price_per_week_other_sek"] = str(_l("Give a number from %(min)s to %(max)s.", min=0, max=1_000_000))
    for name, enum_class in (("open_to", OpenTo), ("referral_rule", ReferralRule)):
        if name in values.fields and not isinstance(values.fields[name], enum_class):
            try:
                values.fields[name] = enum_class(values.fields[name])
            except ValueError:
                errors[name] = str(_l("Not a valid choice."))
    return errors


def _stored_text(name: str, value: Any) -> str | None:
    text = plain_text(value if isinstance(value, str) else ("" if value is None else str(value)))
    if name in NULLABLE_TEXT_FIELDS:
        return text or None
    return text


def apply_intervention(intervention: Intervention, values: InterventionValues, *, actor: Any,
                       action: str, audit_later: list[Callable[[], None]] | None = None) -> dict[str, list[Any]]:
    """Check, sanitise and set ``values``; audit ``action`` with the difference, which it returns.

    Nothing is changed (and nothing audited) when the intervention already holds the values.
    Raises :class:`InvalidInput` with every problem. The caller commits.

    With ``audit_later`` (a writer of many records) a new intervention is not flushed here to
    get its id: the audit event is appended to the list, to be recorded in order (call each)
    after the caller's flush, when the id exists.
    """
    errors = check(values)
    if errors:
        raise InvalidInput(errors=errors)
    is_new = intervention.id is None
    before = snapshot(intervention) if not is_new else {}
    _set(intervention, "organisation", values.organisation)
    _set(intervention, "unit", values.unit)
    _set(intervention, "type", values.type)
    _set_terms(intervention, "target_groups", values.target_groups)
    _set_terms(intervention, "referrers", values.referrers)
    for name, value in values.fields.items():
        _set(intervention, name, _stored_text(name, value) if name in TEXT_FIELDS else value)
    if sorted(intervention.language_codes) != sorted(values.languages):
        intervention.languages = [InterventionLanguage(code=code) for code in dict.fromkeys(values.languages)]
    if [start.starts_on for start in intervention.start_dates] != values.start_dates:
        intervention.start_dates = [InterventionStart(starts_on=day) for day in dict.fromkeys(values.start_dates)]
    _set_translations(intervention, values.translations)
    if intervention.status == InterventionStatus.PUBLISHED and intervention.published_at is None:
        intervention.published_at = utcnow()
    if is_new:
        db.session.add(intervention)
        if audit_later is None:
            db.session.flush()  # the audit event names the new record
    after = snapshot(intervention)
    changes = {name: [None, _jsonable(value)] for name, value in after.items()
               if value not in (None, "", [], {})} if is_new else diff(before, after)
    if changes:
        if not is_new:
            intervention.updated_at = utcnow()  # bumps the version even when only related rows changed
        organisation_id = values.organisation.id

        def record() -> None:
            audit.record(action, "intervention", intervention.id, actor=actor,
                         organisation_id=organisation_id, changes=changes)

        if audit_later is None:
            record()
        else:
            audit_later.append(record)
    return changes


def _set(obj: Any, name: str, value: Any) -> None:
    if getattr(obj, name) != value:
        setattr(obj, name, value)


def _set_terms(intervention: Intervention, attribute: str, terms: list[TaxonomyTerm]) -> None:
    if sorted(term.code for term in getattr(intervention, attribute)) != sorted(term.code for term in terms):
        setattr(intervention, attribute, list(terms))


def _set_translations(intervention: Intervention, translations: dict[str, dict[str, str]]) -> None:
    for locale, texts in translations.items():
        cleaned = {name: plain_text(texts.get(name) or "") for name in TRANSLATED_FIELDS}
        existing = intervention.translation(locale)
        if not cleaned["title"]:
            if existing is not None:
                intervention.translations.remove(existing)
            continue
        if existing is None:
            intervention.translations.append(InterventionTranslation(locale=locale, **cleaned))
        else:
            for name, value in cleaned.items():
                _set(existing, name, value)


def snapshot(intervention: Intervention) -> dict[str, Any]:
    """The writable state of an intervention, for the audit trail and for comparisons."""
    state: dict[str, Any] = {name: getattr(intervention, name)
                             for name in TEXT_FIELDS + PLAIN_FIELDS + OPTIONAL_FIELDS}
    state.update(
        organisation=intervention.organisation.id if intervention.organisation else None,
        unit=intervention.unit.name if intervention.unit else None,
        type=intervention.type.code if intervention.type else None,
        target_groups=sorted(term.code for term in intervention.target_groups),
        referrers=sorted(term.code for term in intervention.referrers),
        languages=sorted(intervention.language_codes),
        start_dates=[start.starts_on for start in intervention.start_dates],
        translations={t.locale: [t.title, t.summary, t.description]
                      for t in sorted(intervention.translations, key=lambda t: t.locale)},
    )
    return state


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {name: [_jsonable(before.get(name)), _jsonable(after[name])]
            for name in after if before.get(name) != after[name]}


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
