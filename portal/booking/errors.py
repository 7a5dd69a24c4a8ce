"""Refusals of booking actions: each a domain exception with a message for the person."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.exceptions import Conflict, DomainError, InvalidInput, PermissionDenied

# ------------------------------------------------------------------------------ errors


class BookingError(DomainError):
    """A refused action on a booking request (409 unless a subclass says otherwise)."""

    status_code = 409


class NotAllowed(BookingError, PermissionDenied):
    status_code = 403


class InvalidTransition(BookingError, Conflict):
    status_code = 409


class NoPlaceLeft(BookingError, Conflict):
    status_code = 409


class InvalidData(BookingError, InvalidInput):
    status_code = 422


PERSONNUMMER_MESSAGE = _l("This looks like a personal identity number. Do not write personal identity "
                          "numbers or names here; use your own reference instead.")
