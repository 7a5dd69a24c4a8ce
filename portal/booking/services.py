"""Booking requests: submit, route, move through the lifecycle, notify, read, purge.

Every action checks access, validates, changes the data, records the audit event and the
``BookingEvent``, queues its notifications (outbox rows and in-portal notifications, in
the same transaction) and commits — or rolls back and raises a ``BookingError`` whose
message is meant for the user, having changed nothing.

The work is split by what it does — ``errors``, ``submission``, ``lifecycle``,
``notifications``, ``inbox`` and ``retention`` — and this module names what the rest of the
portal uses.
"""

from __future__ import annotations

from portal.booking.errors import (
    PERSONNUMMER_MESSAGE,
    BookingError,
    InvalidData,
    InvalidTransition,
    NoPlaceLeft,
    NotAllowed,
)
from portal.booking.inbox import (
    TABS,
    InboxFilters,
    can_see_organisation_requests,
    decidable_organisations,
    get_visible,
    inbox,
    sent_requests,
)
from portal.booking.lifecycle import Decision, post_message, transition
from portal.booking.notifications import mark_read, notifications_of, release_held_mail, unread_count
from portal.booking.retention import PurgeReport, anonymise, months_before, purge_closed_requests
from portal.booking.submission import (
    InterestData,
    RequestData,
    Submission,
    next_reference,
    region_municipalities,
    submit_interest,
    submit_request,
)

__all__ = [
    "PERSONNUMMER_MESSAGE", "BookingError", "InvalidData", "InvalidTransition", "NoPlaceLeft", "NotAllowed",
    "TABS", "InboxFilters", "can_see_organisation_requests", "decidable_organisations", "get_visible", "inbox",
    "sent_requests", "Decision", "post_message", "transition", "mark_read", "notifications_of",
    "release_held_mail", "unread_count", "PurgeReport", "anonymise", "months_before", "purge_closed_requests",
    "InterestData", "RequestData", "Submission", "next_reference", "region_municipalities", "submit_interest",
    "submit_request",
]
