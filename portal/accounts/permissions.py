"""Who may do what: the one place every view, service and template asks.

Roles map to permissions in one table. A permission has a scope: ``ALL`` (any record),
``OWN_ORGANISATION`` (records of the user's organisation) or ``OWN`` (records the user
created). Code asks for actions (``can(user, "edit_intervention", intervention)``), never
for role names.
"""

from __future__ import annotations

import enum
from typing import Any

from portal.accounts.models import Role
from portal.exceptions import InvalidInput, PermissionDenied


class Scope(enum.Enum):
    OWN = "own"
    OWN_ORGANISATION = "own_organisation"
    ALL = "all"


class Action(enum.StrEnum):
    VIEW_INTERNAL = "view_internal"
    REQUEST_BOOKING = "request_booking"
    VIEW_BOOKING = "view_booking"
    DECIDE_BOOKING = "decide_booking"
    EDIT_INTERVENTION = "edit_intervention"
    MANAGE_USERS = "manage_users"
    MANAGE_REGION = "manage_region"
    VIEW_AUDIT = "view_audit"
    VIEW_STATISTICS = "view_statistics"  # the follow-up figures (own organisation's or the region's)
    MANAGE_AGREEMENTS = "manage_agreements"  # cooperation agreements between organisations


_CASEWORKER = {
    Action.VIEW_INTERNAL: Scope.ALL,
    Action.REQUEST_BOOKING: Scope.ALL,
    Action.VIEW_BOOKING: Scope.OWN,
}
_EDITOR = _CASEWORKER | {
    Action.VIEW_BOOKING: Scope.OWN_ORGANISATION,
    Action.DECIDE_BOOKING: Scope.OWN_ORGANISATION,
    Action.EDIT_INTERVENTION: Scope.OWN_ORGANISATION,
}
_ORG_ADMIN = _EDITOR | {Action.MANAGE_USERS: Scope.OWN_ORGANISATION,
                        Action.VIEW_STATISTICS: Scope.OWN_ORGANISATION}
_ADMIN = {action: Scope.ALL for action in Action}

ROLE_PERMISSIONS: dict[Role, dict[Action, Scope]] = {
    Role.CASEWORKER: _CASEWORKER,
    Role.EDITOR: _EDITOR,
    Role.ORG_ADMIN: _ORG_ADMIN,
    Role.ADMIN: _ADMIN,
}


def can(user: Any, action: Action | str, obj: Any = None) -> bool:
    """True when ``user`` may perform ``action`` (on ``obj`` where the scope needs one).

    Anonymous visitors may only browse published records, which needs no check here.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    scope = ROLE_PERMISSIONS.get(user.role, {}).get(Action(action))
    if scope is None:
        return False
    if scope is Scope.ALL or obj is None:
        return True
    if scope is Scope.OWN_ORGANISATION:
        return user.organisation_id is not None and user.organisation_id in organisations_of(obj)
    return getattr(obj, "created_by_id", None) == user.id


def scope_of(user: Any, action: Action | str) -> Scope | None:
    """The scope in which ``user`` may perform ``action`` (None: not at all)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return ROLE_PERMISSIONS.get(user.role, {}).get(Action(action))


def organisations_of(obj: Any) -> set[int]:
    """The organisations a record belongs to.

    A booking request belongs to both the requesting and the owning organisation; an
    intervention, a unit or a user to one; an organisation to itself.
    """
    from portal.organisations import Organisation

    if isinstance(obj, Organisation):
        return {obj.id}
    ids = {
        getattr(obj, name, None)
        for name in ("organisation_id", "requester_organisation_id", "owner_organisation_id")
    }
    return {value for value in ids if value is not None}


def require(user: Any, action: Action | str, obj: Any = None, *, hide: bool = False) -> None:
    """Refuse (403, or 404 when ``hide``: existence itself must not leak) unless allowed."""
    if not can(user, action, obj):
        raise PermissionDenied(hidden=hide)


def assignable_roles(user: Any) -> list[Role]:
    """Roles ``user`` may give others: an org admin up to org admin, an admin any."""
    if not can(user, Action.MANAGE_USERS):
        return []
    if can(user, Action.MANAGE_REGION):
        return list(Role)
    return [Role.CASEWORKER, Role.EDITOR, Role.ORG_ADMIN]


def require_submitted_organisation(user: Any, action: Action | str, organisation_id: Any) -> None:
    """Refused when a form names an organisation the user may not act for (0/empty = none)."""
    from portal.extensions import db
    from portal.organisations import Organisation

    if organisation_id in (None, "", "0", 0):
        return
    from portal.parsing import parse_int

    number = parse_int(organisation_id, minimum=1)
    organisation = db.session.get(Organisation, number) if number is not None else None
    if organisation is None:
        raise InvalidInput(field="organisation")
    require(user, action, organisation)
