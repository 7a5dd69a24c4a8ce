"""Mail leaves the request: the request queues it, a consumer delivers it.

With an SMTP server that accepts connections and never answers, a case officer's submit and
an editor's receive and accept still answer at once; the mail waits for the consumer.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from portal.booking.models import BookingStatus
from portal.extensions import db
from portal.notify.models import OutboxMessage
from tests.booking.helpers import free_port, only_request, submit_request
from tests.queue_helpers import drain


@pytest.fixture
def silent_smtp(app):
    """A server that accepts every connection and never says a word."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    port = free_port()
    listener.bind(("127.0.0.1", port))
    listener.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept_forever():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    yield accepted
    stop.set()
    thread.join(5)
    for connection in accepted:
        connection.close()
    listener.close()


def unsent() -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.execute(
        db.select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)).order_by(OutboxMessage.id)).scalars().all()


def test_submit_receive_and_accept_answer_at_once_while_smtp_never_answers(region, client_for, real_queue,
                                                                            silent_smtp):
    caseworker = client_for(region.caseworker)
    editor = client_for(region.hassleholm_editor)
    started = time.monotonic()
    response, _key = submit_request(caseworker, region.intervention.id)
    submit_seconds = time.monotonic() - started
    assert response.status_code == 302
    booking = only_request()
    timings = {"submit": submit_seconds}
    for action in ("receive", "accept"):
        started = time.monotonic()
        assert editor.post(f"/booking/requests/{booking.id}/{action}").status_code == 302
        timings[action] = time.monotonic() - started
    assert all(seconds < 1.0 for seconds in timings.values()), timings
    db.session.expire_all()
    assert booking.status == BookingStatus.ACCEPTED
    messages = unsent()
    assert len(messages) == 3 and all(message.attempts == 0 for message in messages)  # nobody tried yet
    assert real_queue.pending_count() >= 1 and not silent_smtp  # woken, not delivered


def test_the_consumer_delivers_what_the_request_queued(region, client_for, real_queue, smtp_server):
    caseworker = client_for(region.caseworker)
    response, _key = submit_request(caseworker, region.intervention.id)
    assert response.status_code == 302
    assert len(unsent()) == 1 and smtp_server.messages == []
    assert drain() >= 1  # the consumer's turn
    assert unsent() == [] and len(smtp_server.messages) == 1
    assert drain() == 0 and len(smtp_server.messages) == 1  # and never twice


def test_a_lost_wake_up_is_found_by_the_periodic_sweep(region, client_for, real_queue, smtp_server):
    from portal.tasks.jobs import sweep_outbox

    caseworker = client_for(region.caseworker)
    submit_request(caseworker, region.intervention.id)
    real_queue.flush()  # the queue lost the wake-up
    assert len(unsent()) == 1
    sweep_outbox.job()
    assert unsent() == [] and len(smtp_server.messages) == 1


def test_many_wake_ups_during_an_outage_plan_one_retry(region, client_for, real_queue, smtp_port):
    caseworker = client_for(region.caseworker)
    for _ in range(3):
        response, _key = submit_request(caseworker, region.intervention.id)
        assert response.status_code == 302
    assert drain() >= 3  # a wake-up per request, each a failed round (nothing listens on the port)
    assert len(unsent()) == 3
    assert real_queue.scheduled_count() == 1  # one retry planned, not three
