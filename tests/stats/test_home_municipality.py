"""The participant's home municipality: asked on every request and interest form, backfilled."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import upgrade

from portal import create_app
from portal.booking.models import HOME_OTHER, BookingRequest
from portal.extensions import db
from tests.booking.helpers import form_key, only_request, submit_request


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_form_preselects_the_requesters_municipality(region, client_for):
    page = text(client_for(region.caseworker).get(f"/en/interventions/{region.intervention.id}/request"))
    assert "home municipality" in page
    assert '<option selected value="1272">Bromölla kommun</option>' in page
    assert f'value="{HOME_OTHER}">Another municipality</option>' in page
    assert '<option value="">Not stated</option>' in page


def test_the_chosen_municipality_is_stored(region, client_for):
    response, _key = submit_request(client_for(region.caseworker), region.intervention.id,
                                    home_municipality="1273")
    assert response.status_code == 302
    assert only_request().home_municipality == "1273"


def test_another_and_not_stated(region, client_for):
    caseworker = client_for(region.caseworker)
    submit_request(caseworker, region.intervention.id, home_municipality=HOME_OTHER)
    submit_request(caseworker, region.intervention.id, home_municipality="")
    values = db.session.execute(db.select(BookingRequest.home_municipality).order_by(BookingRequest.id)).scalars()
    assert list(values) == [HOME_OTHER, None]


def test_an_unknown_municipality_is_refused_and_nothing_stored(region, client_for):
    response, _key = submit_request(client_for(region.caseworker), region.intervention.id,
                                    home_municipality="0180")
    assert response.status_code == 422
    assert 'id="home_municipality-error"' in text(response)
    assert db.session.execute(db.select(db.func.count(BookingRequest.id))).scalar_one() == 0


def test_the_interest_form_asks_for_it(client, region, make, no_csrf, app):
    app.config["BOOKING_INTEREST_MIN_SECONDS"] = 0
    intervention = make.intervention(region.osby, referrers=("egen_anmalan",))
    page = text(client.get(f"/en/interventions/{intervention.id}/interest"))
    assert "Your home municipality" in page
    response = client.post(f"/interventions/{intervention.id}/interest", data={
        "idempotency_key": form_key(page), "started": form_key(page, "started"), "name": "Amal",
        "phone": "0701234567", "home_municipality": "1293", "consent": "y",
    })
    assert response.status_code == 302, text(response)[:300]
    assert only_request().home_municipality == "1293"


def test_the_migration_backfills_from_a_requesting_municipality(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SEARCH_INDEX_DIR": str(tmp_path / "i")})
    with app.app_context():
        upgrade(revision="0007_reminder_log")
        with db.engine.begin() as connection:
            run = connection.execute
            type_id = run(sa.text("SELECT min(id) FROM taxonomy_terms WHERE vocabulary = 'type'")).scalar_one()
            run(sa.text("INSERT INTO organisations (id, name, kind, municipality_code, slug, created_at, updated_at)"
                        " VALUES (1, 'Osby kommun', 'kommun', '1273', 'osby', '2026-01-01', '2026-01-01'),"
                        " (2, 'Arbetsförmedlingen', 'arbetsformedlingen', NULL, 'af', '2026-01-01', '2026-01-01')"))
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO interventions (id, organisation_id, title, summary, description, type_id,"
                " delivery_format, intake, enrolment_open, closed_periods, capacity, places_available,"
                " eligibility, price_per_week_sek, referral_instructions, accessibility, status,"
                " created_at, updated_at, version)"
                " VALUES (1, 1, 'X', '', '', :type_id, 'on_site', 'rolling', 1, '', 1, 1, '', 0, '', '',"
                " 'published', '2026-01-01', '2026-01-01', 1)"), {"type_id": type_id})
            for number, requester in ((1, 1), (2, 2), (3, None)):
                connection.execute(sa.text(
                    "INSERT INTO booking_requests (id, reference, owner_mail_held, source, status,"
                    " intervention_id, owner_organisation_id, requester_organisation_id, locale,"
                    " interpreter_needed, adaptation_needs, message, holds_place, reason_text,"
                    " created_at, updated_at, version)"
                    f" VALUES ({number}, 'BR-{number}', 0, 'referral', 'submitted', 1, 1, :requester,"
                    " 'sv', 0, '', '', 0, '', '2026-01-01', '2026-01-01', 1)"), {"requester": requester})
        upgrade(revision="0008_home_municipality")
        with db.engine.connect() as connection:
            rows = connection.execute(sa.text(
                "SELECT id, home_municipality FROM booking_requests ORDER BY id")).all()
        db.engine.dispose()
    assert [tuple(row) for row in rows] == [(1, "1273"), (2, None), (3, None)]
