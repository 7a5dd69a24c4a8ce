"""The steps a request reached, kept on the request, always say what its events say."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from portal import create_app
from portal.booking.models import STEP_BITS, BookingEvent, BookingRequest
from portal.demo import load_demo
from portal.extensions import db
from tests.settings import portal_settings

STEP_COLUMNS = "SELECT id, reached_steps, accepted_at, decided_at, started_at FROM booking_requests ORDER BY id"


def steps_from_events() -> dict[int, tuple]:
    """Per request, what its events say: (bits reached, first accepted, first decided, first started)."""
    found: dict[int, list] = {}
    events = db.session.execute(db.select(BookingEvent).order_by(BookingEvent.created_at, BookingEvent.id))
    for event in events.scalars():
        bits, accepted, decided, started = found.setdefault(event.request_id, [0, None, None, None])
        status = event.to_status.value
        found[event.request_id] = [
            bits | STEP_BITS[event.to_status],
            accepted or (event.created_at if status == "accepted" else None),
            decided or (event.created_at if status in ("accepted", "declined") else None),
            started or (event.created_at if status == "started" else None),
        ]
    return {request_id: tuple(values) for request_id, values in found.items()}


def test_the_lifecycle_and_the_demo_keep_the_steps_of_the_events(app):
    load_demo()
    requests = db.session.execute(db.select(BookingRequest)).scalars().all()
    assert len(requests) >= 400
    expected = steps_from_events()
    assert {request.id: (request.reached_steps, request.accepted_at, request.decided_at, request.started_at)
            for request in requests} == expected


def test_the_migration_fills_the_steps_in_from_the_events(empty_database_url, tmp_path):
    app = create_app(portal_settings(empty_database_url, tmp_path))
    with app.app_context():
        upgrade()
        load_demo()
        db.session.remove()
        with db.engine.connect() as connection:
            kept = connection.execute(sa.text(STEP_COLUMNS)).all()
        downgrade(revision="0011_agreements")  # the columns go …
        upgrade()  # … and come back, filled in from the events
        with db.engine.connect() as connection:
            filled = connection.execute(sa.text(STEP_COLUMNS)).all()
        db.engine.dispose()
    assert len(kept) >= 400
    assert [tuple(row) for row in filled] == [tuple(row) for row in kept]
    assert any(row.started_at for row in kept) and any(row.decided_at for row in kept)
