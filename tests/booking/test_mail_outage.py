"""With the SMTP server down, work goes on; once it is back, every notification arrives once."""

from __future__ import annotations

from collections import Counter

from portal.booking.models import BookingStatus
from portal.extensions import db
from portal.notify.models import OutboxMessage
from portal.notify.services import deliver_pending
from portal.timeutil import utcnow
from tests.booking.helpers import only_request, submit_request


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.execute(db.select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()


def test_transitions_succeed_while_smtp_is_down_and_mail_follows_exactly_once(app, region, client_for,
                                                                              smtp_later):
    caseworker = client_for(region.caseworker)
    editor = client_for(region.hassleholm_editor)

    # Nothing listens on the SMTP port: every step still succeeds.
    response, _key = submit_request(caseworker, region.intervention.id)
    assert response.status_code == 302
    booking = only_request()
    for action in ("receive", "accept"):
        assert editor.post(f"/booking/requests/{booking.id}/{action}").status_code == 302
    db.session.expire_all()
    assert booking.status == BookingStatus.ACCEPTED

    pending = outbox()
    assert len(pending) == 3
    now = utcnow()
    for message in pending:
        assert message.sent_at is None
        assert message.attempts == 1  # tried right after the request, refused
        assert message.last_error
        assert message.next_attempt_at > now  # backed off
        assert message.claimed_until is None
    # Not due yet: a sender round now sends nothing and does not hammer the server.
    assert deliver_pending().sent == 0

    # The server comes back; the messages fall due.
    smtp_later.start()
    db.session.execute(db.update(OutboxMessage).values(next_attempt_at=utcnow()))
    db.session.commit()
    first, second = deliver_pending(), deliver_pending()
    assert (first.sent, first.failed) == (3, 0)
    assert (second.sent, second.failed) == (0, 0)

    delivered = Counter(smtp_later.handler.message_ids())
    assert delivered == Counter({f"<outbox-{m.id}@insatsportalen>": 1 for m in pending})
    assert all(m.sent_at is not None and m.attempts == 2 for m in outbox())
    assert smtp_later.handler.recipients == [["cykelverkstaden@hassleholm.example.se"],
                                             [region.caseworker.email], [region.caseworker.email]]
    for body in smtp_later.handler.bodies():
        assert booking.reference in body and "BRO-AKT-7781" not in body


def test_a_refusing_server_is_retried_later(app, region, client_for, smtp_later):
    """A server that answers but refuses (here: no server yet, then one) keeps the row pending."""
    smtp_later.start()
    smtp_later.handler.refuse = True
    caseworker = client_for(region.caseworker)
    response, _key = submit_request(caseworker, region.intervention.id)
    assert response.status_code == 302
    [message] = outbox()
    assert message.sent_at is None and message.attempts == 1 and "SMTP" in (message.last_error or "")

    smtp_later.handler.refuse = False
    db.session.execute(db.update(OutboxMessage).values(next_attempt_at=utcnow()))
    db.session.commit()
    assert deliver_pending().sent == 1
    assert deliver_pending().sent == 0
    assert len(smtp_later.handler.messages) == 1
