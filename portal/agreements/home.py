""""The participant lives in …": the case officer's choice, kept in their session.

It defaults to the officer's own organisation's municipality; "" in the session means the
officer chose "not stated" (no verdicts, no eligibility filter).
"""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context, session
from flask_login import current_user

from portal.accounts.permissions import Action, can
from portal.agreements import eligibility
from portal.organisations import OrganisationKind

SESSION_KEY = "participant_home"


def may_state_home(user: Any = None) -> bool:
    """Only those who see internal information (case officers and up) state a home municipality."""
    return can(current_user if user is None else user, Action.VIEW_INTERNAL)


def default_home(user: Any) -> str | None:
    organisation = getattr(user, "organisation", None)
    if organisation is not None and organisation.kind == OrganisationKind.KOMMUN:
        return organisation.municipality_code
    return None


def current_home() -> str | None:
    """The home municipality of the participant the officer is searching for, or None."""
    if not has_request_context() or not may_state_home():
        return None
    if SESSION_KEY in session:
        value = session[SESSION_KEY] or None
    else:
        value = default_home(current_user)
    return value if value and eligibility.is_known_home(value) else None


def set_home(value: str | None) -> None:
    """Keep ``value`` (a region municipality's code, HOME_OTHER, or none) for the session.

    Raises ValueError for anything else."""
    if value and not eligibility.is_known_home(value):
        raise ValueError(value)
    session[SESSION_KEY] = value or ""


def current_verdict(intervention) -> eligibility.Verdict | None:
    """The verdict for the current home and the officer's organisation, computed once a request."""
    home = current_home()
    if home is None:
        return None
    cache = g.setdefault("eligibility_verdicts", {})
    key = (intervention.id, intervention.version, home, getattr(current_user, "id", None),
           id(eligibility.all_agreement_terms()))
    if key not in cache:
        cache[key] = eligibility.verdict(intervention, home, getattr(current_user, "organisation", None))
    return cache[key]
