"""Helpers of the booking tests: the region's people, a participant, a form's key, a real SMTP server."""

from __future__ import annotations

import email
import email.policy
import re
import threading
from dataclasses import dataclass

from portal.accounts.models import User
from portal.booking.models import BookingRequest
from portal.catalogue.models import Intervention, Organisation, Unit
from portal.extensions import db
from tests.processes import free_port  # noqa: F401  (re-exported for the booking tests)


@dataclass
class Region:
    bromolla: Organisation
    hassleholm: Organisation
    osby: Organisation
    cykel_unit: Unit
    intervention: Intervention
    caseworker: User  # Bromölla
    hassleholm_editor: User
    osby_editor: User
    bromolla_editor: User


PARTICIPANT = {
    "participant_reference": "BRO-AKT-7781",
    "gender": "female",
    "birth_year": "1994",
    "preferred_language": "ti",
    "interpreter_needed": "y",
    "adaptation_needs": "Behöver ergonomisk arbetsplats och kortare dagar",
    "wished_start": "",
    "message": "Hon har tidigare erfarenhet av reparationer",
}


def form_key(page: str, name: str = "idempotency_key") -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]+)"', page) or \
        re.search(rf'id="{name}" name="{name}" type="hidden" value="([^"]+)"', page)
    assert match, f"no {name} in the page"
    return match.group(1)


def submit_request(client, intervention_id: int, **overrides) -> tuple:
    """GET the form, POST it; returns (response, idempotency key)."""
    page = client.get(f"/interventions/{intervention_id}/request").get_data(as_text=True)
    key = form_key(page)
    response = client.post(f"/interventions/{intervention_id}/request",
                           data={**PARTICIPANT, "idempotency_key": key, **overrides})
    return response, key


def only_request() -> BookingRequest:
    return db.session.execute(db.select(BookingRequest)).scalar_one()


class MailCollector:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages: list[email.message.EmailMessage] = []
        self.recipients: list[list[str]] = []
        self.refuse = False  # answer 451 (try again later) instead of accepting

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 Requested action aborted: try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
            self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def bodies(self) -> list[str]:
        return [message.get_content() for message in self.messages]

    def message_ids(self) -> list[str]:
        return [message["Message-ID"] for message in self.messages]


class SmtpServer:
    def __init__(self, port: int):
        self.port = port
        self.handler = MailCollector()
        self.controller = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def new_request(region: Region, *, status: str = "submitted", editor: User | None = None, **values):
    """A request from Bromölla's case officer, moved by Hässleholm's editor to ``status``."""
    from portal.booking import services
    from portal.booking.models import Outcome

    data = services.RequestData(participant_reference=values.pop("participant_reference", "BRO-1"), **values)
    booking = services.submit_request(region.caseworker, region.intervention, data).request
    editor = editor or region.hassleholm_editor
    path = {
        "submitted": [], "received": ["receive"], "waitlisted": ["receive", "waitlist"],
        "accepted": ["receive", "accept"], "started": ["receive", "accept", "start"],
        "completed": ["receive", "accept", "start", "complete"],
    }[status]
    for action in path:
        decision = services.Decision(outcome=Outcome.WORK) if action == "complete" else None
        services.transition(editor, booking, action, decision)
    return booking
