"""Interface labels of the booking domain's fixed choices."""

from flask_babel import lazy_gettext as _l
from flask_babel import pgettext

STATUS_LABELS = {
    "submitted": _l("New"),
    "received": _l("Received"),
    "accepted": _l("Accepted"),
    "waitlisted": _l("On the waiting list"),
    "declined": _l("Declined"),
    "started": _l("Started"),
    "completed": _l("Completed"),
    "interrupted": _l("Interrupted"),
    "withdrawn": _l("Withdrawn"),
    "cancelled": _l("Cancelled"),
}

# The button (and history) text of each transition.
ACTION_LABELS = {
    "submit": _l("Request sent"),
    "receive": _l("Mark as received"),
    "accept": _l("Accept"),
    "waitlist": _l("Put on the waiting list"),
    "decline": _l("Decline"),
    "start": _l("Mark as started"),
    "complete": _l("Mark as completed"),
    "interrupt": _l("Mark as interrupted"),
    "cancel": _l("Cancel the request"),
    "withdraw": _l("Withdraw the request"),
}

OUTCOME_LABELS = {
    "work": _l("Work"),
    "studies": _l("Studies"),
    "other": _l("Other"),
}

REASON_LABELS = {
    "no_places": _l("No places"),
    "requirements_not_met": _l("Does not meet the requirements"),
    "did_not_come": _l("Did not come"),
    "got_job": _l("Got a job"),
    "started_studies": _l("Started studies"),
    "ill": _l("Ill"),
    "other": _l("Other reason"),
}

GENDER_LABELS = {
    "female": _l("Woman"),
    "male": _l("Man"),
    "other": _l("Other"),
    "not_stated": _l("Not stated"),
}

SOURCE_LABELS = {
    "referral": _l("Case officer's request"),
    "own_application": _l("Own application"),
}

SIDE_LABELS = {
    "owner": _l("Running organisation"),
    "requester": _l("Requesting case officer"),
}


def tab_label(tab: str) -> str:
    return {
        "new": pgettext("booking tab", "New"),
        "open": pgettext("booking tab", "Open"),
        "closed": pgettext("booking tab", "Closed"),
    }[tab]
