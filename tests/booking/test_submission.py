"""Requesting a place: minimised data, no personnummer, one request per form, unique references."""

from __future__ import annotations

import threading

import pytest

from portal.booking import services
from portal.booking.models import BookingCounter, BookingRequest, Gender
from portal.booking.privacy import looks_like_personnummer
from portal.extensions import db
from tests.booking.helpers import PARTICIPANT, form_key, submit_request


def text(response) -> str:
    return response.get_data(as_text=True)


def request_count() -> int:
    return db.session.execute(db.select(db.func.count(BookingRequest.id))).scalar_one()


@pytest.mark.parametrize("value", ["850709-1234", "19850709-1234", "198507091234", "8112189876",
                                   "Anna, pnr 850709+1234", "850769-1234"])
def test_personnummer_is_recognised(value):
    assert looks_like_personnummer(value)


@pytest.mark.parametrize("value", ["BRO-2027-117", "0701234567", "070-123 45 67", "Start 2027-01-15",
                                   "8112189875", "ärende 12345", ""])
def test_other_numbers_are_not_taken_for_one(value):
    assert not looks_like_personnummer(value)


@pytest.mark.parametrize("field", ["participant_reference", "adaptation_needs", "message"])
def test_a_personnummer_in_any_field_is_refused(region, client_for, field):
    caseworker = client_for(region.caseworker)
    response, _key = submit_request(caseworker, region.intervention.id, **{field: "Kalle 19850709-1234"})
    assert response.status_code == 422
    page = text(response)
    assert f'id="{field}-error"' in page
    assert "Kalle 19850709-1234" in page  # kept for correction, not stored
    assert request_count() == 0
    with pytest.raises(services.InvalidData):
        services.submit_request(region.caseworker, region.intervention,
                                services.RequestData(**{"participant_reference": "ok", field: "850709-1234"}))
    assert request_count() == 0


def test_the_form_says_plainly_what_does_not_belong_there(region, client_for):
    page = text(client_for(region.caseworker).get(f"/en/interventions/{region.intervention.id}/request"))
    assert "Do not write a personal identity number or a name anywhere in this form." in page


def test_a_reposted_form_creates_one_request(region, client_for):
    caseworker = client_for(region.caseworker)
    first, key = submit_request(caseworker, region.intervention.id)
    again = caseworker.post(f"/interventions/{region.intervention.id}/request",
                            data={**PARTICIPANT, "idempotency_key": key})
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    assert request_count() == 1
    # A new form (a new key) is a new request.
    second, other_key = submit_request(caseworker, region.intervention.id)
    assert other_key != key and request_count() == 2


def test_a_key_cannot_be_used_by_someone_else(region, client_for, make):
    _response, key = submit_request(client_for(region.caseworker), region.intervention.id)
    other = make.user("caseworker", region.osby)
    response = client_for(other).post(f"/interventions/{region.intervention.id}/request",
                                      data={**PARTICIPANT, "idempotency_key": key})
    assert response.status_code == 422
    assert request_count() == 1


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_double_click_at_the_same_moment_creates_one_request(app, backend, region):
    """Two submissions with one key racing on their own connections (PostgreSQL)."""
    key = "double-click-key-0123456789"
    # Ids read here: the fixtures' objects belong to this thread's session.
    user_id, intervention_id = region.caseworker.id, region.intervention.id
    barrier = threading.Barrier(2)
    results, errors = [], []

    def submit():
        with app.app_context():
            try:
                from portal.accounts.models import User
                from portal.catalogue.models import Intervention

                user = db.session.get(User, user_id)
                intervention = db.session.get(Intervention, intervention_id)
                barrier.wait(timeout=30)
                submission = services.submit_request(user, intervention, services.RequestData(
                    participant_reference="BRO-9"), idempotency_key=key)
                results.append((submission.request.id, submission.created))
            except Exception as exc:  # reported below
                errors.append(exc)
                barrier.abort()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert len({request_id for request_id, _created in results}) == 1
    assert sorted(created for _id, created in results) == [False, True]
    assert request_count() == 1


def test_references_are_unique_per_year_and_count_on(app, region):
    from datetime import datetime

    assert services.next_reference(datetime(2027, 3, 1)) == "BR-2027-00001"
    assert services.next_reference(datetime(2027, 3, 1)) == "BR-2027-00002"
    assert services.next_reference(datetime(2028, 1, 1)) == "BR-2028-00001"
    db.session.commit()
    counters = dict(db.session.execute(db.select(BookingCounter.year, BookingCounter.last_number)).all())
    assert counters[2027] == 2 and counters[2028] == 1


def test_the_request_keeps_only_the_minimised_details(region, client_for):
    caseworker = client_for(region.caseworker)
    response, _key = submit_request(caseworker, region.intervention.id, wished_start="2099-05-01")
    assert response.status_code == 302
    booking = db.session.execute(db.select(BookingRequest)).scalar_one()
    assert booking.participant_reference == "BRO-AKT-7781"
    assert booking.gender == Gender.FEMALE and booking.birth_year == 1994
    assert booking.preferred_language == "ti" and booking.interpreter_needed
    assert booking.wished_start.isoformat() == "2099-05-01"
    assert booking.contact_name is None


def test_visitors_and_unpublished_interventions(region, client, make, client_for):
    response = client.get(f"/interventions/{region.intervention.id}/request")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "/request" not in text(client.get(f"/interventions/{region.intervention.id}"))
    draft = make.intervention(region.hassleholm, status="draft")
    assert client_for(region.caseworker).get(f"/interventions/{draft.id}/request").status_code == 404


def test_form_key_is_in_the_page(region, client_for):
    page = text(client_for(region.caseworker).get(f"/interventions/{region.intervention.id}/request"))
    assert len(form_key(page)) >= 16
