"""Agreements as data: the region administrator lists, creates and changes them (audited).

Each action checks access (``Action.MANAGE_AGREEMENTS``), validates, changes, records the
audit event and commits, in that order, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.accounts.permissions import Action, require
from portal.agreements.models import Agreement, AgreementKind
from portal.exceptions import InvalidInput
from portal.extensions import db
from portal.organisations import Organisation


@dataclass
class AgreementValues:
    name: str
    kind: AgreementKind
    members: list[Organisation] = field(default_factory=list)
    price_per_week_sek: int = 0
    valid_from: date | None = None
    valid_until: date | None = None


def all_agreements() -> list[Agreement]:
    return list(db.session.execute(db.select(Agreement).order_by(Agreement.name)).scalars())


def get_agreement(agreement_id: int) -> Agreement | None:
    return db.session.get(Agreement, agreement_id)


def check(values: AgreementValues, agreement: Agreement | None = None) -> None:
    """Raise :class:`InvalidInput` (field → message) for values that cannot be stored."""
    errors: dict[str, Any] = {}
    name = (values.name or "").strip()
    if not name:
        errors["name"] = _l("This field is required.")
    elif len(name) > 200:
        errors["name"] = _l("At most %(num)s characters.", num=200)
    else:
        taken = db.select(Agreement.id).where(Agreement.name == name)
        if agreement is not None and agreement.id is not None:
            taken = taken.where(Agreement.id != agreement.id)
        if db.session.execute(taken).first() is not None:
            errors["name"] = _l("Another agreement already has this name.")
    if not isinstance(values.kind, AgreementKind):
        errors["kind"] = _l("Not a valid choice.")
    members = {organisation.id for organisation in values.members}
    if len(members) < 2:
        errors["members"] = _l("Choose at least two organisations.")
    elif values.kind == AgreementKind.BILATERAL and len(members) != 2:
        errors["members"] = _l("A bilateral agreement has exactly two organisations.")
    price = values.price_per_week_sek
    if not isinstance(price, int) or isinstance(price, bool) or not 0 <= price <= 1_000_000:
        errors["price_per_week_sek"] = _l("Give a number from %(min)s to %(max)s.", min=0, max=1_000_000)
    if values.valid_from and values.valid_until and values.valid_until < values.valid_from:
        errors["valid_until"] = _l("Cannot be before the first day it is valid.")
    if errors:
        raise InvalidInput(errors=errors)


def _snapshot(agreement: Agreement) -> dict[str, Any]:
    return {
        "name": agreement.name,
        "kind": agreement.kind.value if agreement.kind else None,
        "members": sorted(organisation.id for organisation in agreement.members),
        "price_per_week_sek": agreement.price_per_week_sek,
        "valid_from": agreement.valid_from.isoformat() if agreement.valid_from else None,
        "valid_until": agreement.valid_until.isoformat() if agreement.valid_until else None,
    }


def _write(actor: Any, agreement: Agreement, values: AgreementValues, action: str) -> Agreement:
    check(values, agreement)
    is_new = agreement.id is None
    before = {} if is_new else _snapshot(agreement)
    with db.session.no_autoflush:
        agreement.name = values.name.strip()
        agreement.kind = values.kind
        agreement.price_per_week_sek = values.price_per_week_sek
        agreement.valid_from = values.valid_from
        agreement.valid_until = values.valid_until
        if sorted(o.id for o in agreement.members) != sorted(o.id for o in values.members):
            agreement.members = sorted(values.members, key=lambda organisation: organisation.name)
    after = _snapshot(agreement)
    changes = {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}
    if not changes:
        return agreement
    if is_new:
        db.session.add(agreement)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise InvalidInput(errors={"name": _l("Another agreement already has this name.")}) from exc
    audit.record(action, "agreement", agreement.id, actor=actor, changes=changes)
    try:
        db.session.commit()
    except IntegrityError as exc:  # two administrators saving the same name at the same moment
        db.session.rollback()
        raise InvalidInput(errors={"name": _l("Another agreement already has this name.")}) from exc
    return agreement


def create_agreement(actor: Any, values: AgreementValues) -> Agreement:
    require(actor, Action.MANAGE_AGREEMENTS)
    return _write(actor, Agreement(), values, "create")


def update_agreement(actor: Any, agreement: Agreement, values: AgreementValues) -> Agreement:
    require(actor, Action.MANAGE_AGREEMENTS)
    return _write(actor, agreement, values, "update")
