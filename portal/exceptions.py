"""The refusals every service raises; `portal/errors.py` answers them in one place.

A service never speaks HTTP: it raises one of these, and the error handlers turn it into
403, 404, 400/422 or 409 — an error page in the portal's layout, or problem details under
/api/ and /hsds/. A view that can do better (a form shown again with the message beside its
field) catches the exception itself.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refused action. ``message`` is for the person; ``field`` names the form field it concerns."""

    status_code = 400

    def __init__(self, message: Any = "", field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class PermissionDenied(DomainError):
    """Not allowed. ``hidden``: the record's existence itself must not leak (answered as not found)."""

    status_code = 403

    def __init__(self, message: Any = "", field: str | None = None, *, hidden: bool = False) -> None:
        super().__init__(message, field)
        if hidden:
            self.status_code = 404


class NotFound(DomainError):
    status_code = 404


class InvalidInput(DomainError):
    """Values that cannot be taken; ``errors`` maps fields to messages where there are several."""

    status_code = 400

    def __init__(self, message: Any = "", field: str | None = None, *, errors: dict[str, Any] | None = None):
        if errors and not message:
            message = "; ".join(f"{name}: {text}" for name, text in errors.items())
        super().__init__(message, field)
        self.errors = errors or ({field: message} if field else {})


class Conflict(DomainError):
    """The record is not in a state that allows this (any more): someone else got there first."""

    status_code = 409
