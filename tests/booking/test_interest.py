"""The interest form of interventions that accept own application: routed like a request,
rate-limited, and closed to trivial bots without any third-party service."""

from __future__ import annotations

import pytest

from portal.booking.models import BookingRequest, BookingSource, BookingStatus
from portal.extensions import db
from portal.notify.models import OutboxMessage
from tests.booking.helpers import form_key


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def open_to_all(make, region):
    return make.intervention(region.hassleholm, unit=region.cykel_unit, title="Öppen verkstad",
                             referrers=("egen_anmalan", "socialtjansten"))


@pytest.fixture
def quick(app):
    app.config["BOOKING_INTEREST_MIN_SECONDS"] = 0


def fill(client, intervention_id: int, **overrides):
    page = text(client.get(f"/interventions/{intervention_id}/interest"))
    data = {
        "idempotency_key": form_key(page), "started": form_key(page, "started"),
        "name": "Amina Test", "phone": "070-111 22 33", "email": "", "preferred_language": "so",
        "message": "Jag kan börja i maj.", "consent": "y", "extra_info": "",
    }
    data.update(overrides)
    return client.post(f"/interventions/{intervention_id}/interest", data=data)


def count() -> int:
    return db.session.execute(db.select(db.func.count(BookingRequest.id))).scalar_one()


def test_only_where_own_application_is_accepted(client, region, open_to_all, no_csrf):
    assert f"/interventions/{open_to_all.id}/interest" in text(client.get(f"/interventions/{open_to_all.id}"))
    assert "/interest" not in text(client.get(f"/interventions/{region.intervention.id}"))
    assert client.get(f"/interventions/{region.intervention.id}/interest").status_code == 404


def test_an_interest_is_routed_to_the_owner(client, region, open_to_all, no_csrf, quick, client_for):
    page = text(client.get(f"/en/interventions/{open_to_all.id}/interest"))
    assert "Hässleholms kommun stores my name" in page  # the consent text
    response = fill(client, open_to_all.id)
    assert response.status_code == 302, text(response)[:2000]
    booking = db.session.execute(db.select(BookingRequest)).scalar_one()
    assert booking.source == BookingSource.OWN_APPLICATION and booking.status == BookingStatus.SUBMITTED
    assert booking.owner_organisation_id == region.hassleholm.id and booking.created_by_id is None
    assert booking.contact_name == "Amina Test" and booking.contact_phone == "070-111 22 33"
    assert "Hässleholms kommun" in booking.consent_text and booking.consented_at is not None
    assert booking.reference in text(client.get(response.headers["Location"]))  # shown to the visitor

    editor = client_for(region.hassleholm_editor)
    assert booking.reference in text(editor.get("/booking/inbox?source=own_application"))
    page = text(editor.get(f"/booking/requests/{booking.id}"))
    assert "Amina Test" in page and "070-111 22 33" in page
    assert client_for(region.osby_editor).get(f"/booking/requests/{booking.id}").status_code == 404

    mail = db.session.execute(db.select(OutboxMessage)).scalar_one()
    assert mail.recipient == "cykelverkstaden@hassleholm.example.se"
    assert booking.reference in mail.body
    assert "Amina" not in mail.body and "070" not in mail.body and "maj" not in mail.body


def test_a_visitor_with_an_address_hears_about_the_answer(client, region, open_to_all, no_csrf, quick,
                                                          client_for):
    fill(client, open_to_all.id, email="amina@example.se", phone="")
    booking = db.session.execute(db.select(BookingRequest)).scalar_one()
    assert client_for(region.hassleholm_editor).post(f"/booking/requests/{booking.id}/receive").status_code == 302
    mail = db.session.execute(db.select(OutboxMessage).where(OutboxMessage.recipient == "amina@example.se")
                              ).scalar_one()
    assert booking.reference in mail.body and "Amina" not in mail.body
    assert f"/interventions/{open_to_all.id}" in mail.body  # they have no account: the public page


def test_the_hidden_field_stops_a_bot(client, open_to_all, no_csrf, quick):
    response = fill(client, open_to_all.id, extra_info="http://spam.example")
    assert response.status_code == 302  # the bot learns nothing …
    assert count() == 0  # … and nothing is stored


def test_too_fast_is_refused(client, open_to_all, no_csrf):
    response = fill(client, open_to_all.id)  # default: at least 3 seconds
    assert response.status_code == 422
    assert "Amina Test" in text(response)  # kept, with a fresh timestamp to send again
    assert count() == 0


def test_a_forged_or_missing_timestamp_is_refused(client, open_to_all, no_csrf, quick):
    assert fill(client, open_to_all.id, started="").status_code == 422
    assert fill(client, open_to_all.id, started="1700000000.abc").status_code == 422
    assert count() == 0


def test_contact_details_and_consent_are_needed(client, open_to_all, no_csrf, quick):
    response = fill(client, open_to_all.id, phone="", email="")
    assert response.status_code == 422 and 'id="email-error"' in text(response)
    response = fill(client, open_to_all.id, consent="")
    assert response.status_code == 422 and 'id="consent-error"' in text(response)
    response = fill(client, open_to_all.id, message="Mitt personnummer är 850709-1234")
    assert response.status_code == 422 and 'id="message-error"' in text(response)
    assert count() == 0


def test_a_reposted_interest_form_creates_one_request(client, open_to_all, no_csrf, quick):
    page = text(client.get(f"/interventions/{open_to_all.id}/interest"))
    data = {"idempotency_key": form_key(page), "started": form_key(page, "started"), "name": "Amina",
            "phone": "0701112233", "consent": "y"}
    for _ in range(2):
        assert client.post(f"/interventions/{open_to_all.id}/interest", data=data).status_code == 302
    assert count() == 1


def test_sending_is_rate_limited(client, app, open_to_all, no_csrf, quick):
    app.config["BOOKING_INTEREST_RATE_LIMIT"] = "3 per hour"
    statuses = [fill(client, open_to_all.id, name=f"Person {n}").status_code for n in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert count() == 3
