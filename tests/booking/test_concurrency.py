"""Twenty editors accept the last place at the same moment, each on a connection of its own.

PostgreSQL only (real concurrent transactions); where PostgreSQL cannot be reached the
conftest skips on a developer machine and fails in CI.
"""

from __future__ import annotations

import threading

import pytest
from flask_babel import force_locale

from portal import create_app
from portal.accounts.models import User
from portal.booking import services
from portal.booking.models import BookingEvent, BookingRequest, BookingStatus
from portal.catalogue.models import Intervention
from portal.extensions import db
from portal.notify.models import OutboxMessage
from tests.settings import portal_settings

ATTEMPTS = 20


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_twenty_concurrent_acceptances_of_the_last_place(backend, database_url, tmp_path, region, make):
    intervention = region.intervention
    intervention.capacity, intervention.places_available = 5, 1
    db.session.commit()
    editors = [region.hassleholm_editor] + [make.user("editor", region.hassleholm) for _ in range(ATTEMPTS - 1)]
    request_ids = []
    for number in range(ATTEMPTS):
        booking = services.submit_request(region.caseworker, intervention,
                                          services.RequestData(participant_reference=f"BRO-{number}")).request
        services.transition(region.hassleholm_editor, booking, "receive")
        request_ids.append(booking.id)
    intervention_id = intervention.id
    version_before = db.session.get(Intervention, intervention_id).version
    editor_ids = [editor.id for editor in editors]
    db.session.remove()

    # An application of its own with a pool large enough for every thread to hold a connection.
    config = portal_settings(database_url, tmp_path) | {
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": ATTEMPTS + 2, "max_overflow": 0},
    }
    workers_app = create_app(config)
    barrier = threading.Barrier(ATTEMPTS)
    outcomes: dict[int, object] = {}
    lock = threading.Lock()

    def accept(editor_id: int, request_id: int) -> None:
        with workers_app.app_context():
            try:
                editor = db.session.get(User, editor_id)
                booking = db.session.get(BookingRequest, request_id)
                db.session.connection()  # each thread holds its own connection before the start
                barrier.wait(timeout=30)
                services.transition(editor, booking, "accept")
            except services.BookingError as exc:
                result = exc
            except Exception as exc:  # noqa: BLE001 - any other failure fails the test below
                result = exc
            else:
                result = "accepted"
            finally:
                db.session.remove()
            with lock:
                outcomes[request_id] = result

    threads = [threading.Thread(target=accept, args=(editor_id, request_id))
               for editor_id, request_id in zip(editor_ids, request_ids, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    with workers_app.app_context():
        db.engine.dispose()

    assert len(outcomes) == ATTEMPTS
    accepted = [rid for rid, result in outcomes.items() if result == "accepted"]
    refused = {rid: result for rid, result in outcomes.items() if result != "accepted"}
    assert len(accepted) == 1, outcomes
    assert all(isinstance(result, services.NoPlaceLeft) for result in refused.values()), refused
    with force_locale("en"):
        assert all("waiting list" in str(result.message) for result in refused.values())

    statuses = dict(db.session.execute(db.select(BookingRequest.id, BookingRequest.status)).all())
    assert statuses[accepted[0]] == BookingStatus.ACCEPTED
    assert all(statuses[rid] == BookingStatus.RECEIVED for rid in refused)
    intervention = db.session.get(Intervention, intervention_id)
    assert intervention.places_available == 0
    assert intervention.version == version_before + 1
    accept_events = db.session.execute(
        db.select(db.func.count(BookingEvent.id)).where(BookingEvent.action == "accept")).scalar_one()
    assert accept_events == 1
    accept_mails = db.session.execute(
        db.select(db.func.count(OutboxMessage.id)).where(OutboxMessage.kind == "booking_status")).scalar_one()
    assert accept_mails == ATTEMPTS + 1  # twenty "received", one "accepted"
