"""One regression test per class of hostile input that used to answer 500 (issue 19).

The property-based test in ``test_hostile_input.py`` keeps the classes out in general;
these pin each class down with the cases that were seen.
"""

from __future__ import annotations

import io
import json
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.accounts.models import Role
from portal.booking import services as booking
from portal.booking.models import BookingRequest, BookingStatus
from portal.catalogue.importer import ImportFileError, import_records, parse_text
from portal.catalogue.models import Intervention, InterventionStatus, Organisation
from portal.catalogue.richtext import plain_text
from portal.extensions import db
from portal.parsing import INT32_MAX, clean_text, parse_int
from tests import factories


@pytest.fixture
def own(make):
    return make.organisation(name="Hässleholms kommun", municipality_code="1293", slug="hassleholm")


@pytest.fixture
def editor(make, own, login, no_csrf):
    user = make.user(Role.EDITOR, own)
    login(user)
    return user


def editor_form(own, **overrides) -> dict:
    values = {
        "organisation": str(own.id), "unit": "0", "title": "Arbetsträning i cykelverkstad",
        "summary": "Reparera cyklar med handledare.", "type": "arbetstraning", "languages": ["sv"],
        "delivery_format": "on_site", "intake": "rolling", "capacity": "8", "places_available": "3",
        "price_per_week_sek": "500",
    }
    return values | overrides


def text(response) -> str:
    return response.get_data(as_text=True)


# ----------------------------------------------------------------- wrong HTTP method


@pytest.mark.parametrize("method, path", [("PUT", "/"), ("DELETE", "/interventions/1"), ("PATCH", "/en/login")])
def test_wrong_http_method_on_an_html_page_is_a_405_page(client, method, path):
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert 'class="error-page"' in text(response)
    assert "GET" in response.headers["Allow"]


def test_wrong_http_method_on_the_api_is_a_405_with_a_json_body(client):
    response = client.put("/api/v1/interventions")
    assert response.status_code == 405 and response.is_json


# ------------------------------------------------------------------------ numbers


def test_numbers_one_reading_of_whole_numbers():
    assert parse_int("42") == 42 and parse_int(" 7 ") == 7
    for raw in ("²", "١٢", "1.5", "NaN", "", None, "2147483648", "9" * 400, True, "-"):
        assert parse_int(raw) is None, raw
    assert parse_int(str(INT32_MAX)) == INT32_MAX
    assert parse_int("0", minimum=1) is None


@pytest.mark.parametrize("path", ["/interventions/2147483648", "/interventions/99999999999999999999",
                                  "/api/v1/interventions/2147483648", "/interventions/%C2%B2"])
def test_numbers_path_ids_beyond_the_column_are_not_found(client, make, path):
    response = client.get(path)
    assert response.status_code == 404


@pytest.mark.parametrize("query", ["page=²", "page=99999999999999999999", "page=-3", "page=١"])
def test_numbers_unicode_digits_and_huge_pages_in_query_strings(client, make, query):
    make.intervention(title="Praktik i butik")
    assert client.get(f"/interventions?{query}").status_code == 200
    api = client.get(f"/api/v1/interventions?{query}")
    assert api.status_code == 400 and api.is_json


def test_numbers_huge_filters_on_administration_pages(client, make, login, no_csrf):
    login(make.user(Role.ADMIN))
    for path in ("/admin/audit?page=99999999999999999999&organisation=2147483648",
                 "/admin/audit?organisation=%C2%B2", "/booking/inbox?page=99999999999999999999&intervention=2147483648"
                 "&unit=99999999999999999999&organisation=-1"):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("field, value, message", [
    ("lat", "NaN", "Give a number, such as 56.03."),
    ("lat", "sNaN", "Give a number, such as 56.03."),
    ("lon", "1e400", "Give a number, such as 56.03."),
    ("capacity", "9" * 400, "Give a number from"),
    ("capacity", "1.5", "Give a whole number, with digits only."),
    ("places_available", "²", "Give a whole number, with digits only."),
    ("version", "1.5", "Give a whole number, with digits only."),
    ("version", "NaN", "Give a whole number, with digits only."),
])
def test_numbers_in_form_fields_are_refused_with_a_message(client, editor, own, make, field, value, message):
    intervention = make.intervention(own, title="Befintlig")
    before = intervention.version
    response = client.post(f"/en/manage/interventions/{intervention.id}/edit",
                           data=editor_form(own, **({"version": str(before)} | {field: value})))
    assert response.status_code == 422
    assert message in text(response)
    db.session.expire_all()
    assert db.session.get(Intervention, intervention.id).version == before


def test_numbers_an_organisation_beyond_the_column_in_a_form(client, editor, own):
    response = client.post("/manage/interventions/new", data=editor_form(own, organisation="2147483648"))
    assert response.status_code == 400
    assert db.session.execute(db.select(Intervention)).first() is None


def test_numbers_a_decimal_comma_is_a_latitude(client, editor, own):
    response = client.post("/manage/interventions/new", data=editor_form(own, lat="56,03", lon="14.15"))
    assert response.status_code == 302
    assert db.session.execute(db.select(Intervention.lat)).scalar_one() == pytest.approx(56.03)


# --------------------------------------------------------------------------- text


def test_text_control_characters_are_removed():
    assert clean_text("a\x00b\x1b[31m\x7fc\ud800\x85d\te\nf\r") == "ab[31mcd\te\nf\r"


def test_text_with_nul_bytes_is_cleaned_before_the_database(app, client, make, own, login, no_csrf):
    intervention = make.intervention(own)
    caseworker = make.user(Role.CASEWORKER, make.organisation())
    login(caseworker)
    response = client.post(f"/interventions/{intervention.id}/request", data={
        "idempotency_key": "key\x00-1", "participant_reference": "BRO\x00-7", "gender": "not_stated",
        "message": "Hej\x00 där\x01",
    })
    assert response.status_code == 302, text(response)[text(response).find("error"):][:1500]
    request = db.session.execute(db.select(BookingRequest)).scalar_one()
    assert request.participant_reference == "BRO-7"
    assert request.message == "Hej där"
    assert client.get("/interventions?q=%00arbete%00").status_code == 200
    assert client.get("/booking/mine?q=%00").status_code == 200
    assert client.get("/municipalities/hassle%00holm").status_code in (200, 404)


def test_text_with_nul_bytes_in_an_administrators_form(client, make, login, no_csrf):
    login(make.user(Role.ADMIN))
    response = client.post("/admin/organisations/new", data={
        "name": "Ny\x00 kommun", "kind": "kommun", "municipality_code": "12\x0034", "slug": "ny-kommun",
        "booking_email": "ny@example.se"})
    assert response.status_code == 302
    assert db.session.execute(db.select(Organisation.name).where(Organisation.slug == "ny-kommun")).scalar_one() \
        == "Ny kommun"


# ----------------------------------------------------------------- choice fields


@pytest.fixture
def received_request(make, own):
    intervention = make.intervention(own, capacity=5, places_available=2)
    caseworker = make.user(Role.CASEWORKER, make.organisation())
    owner_editor = make.user(Role.EDITOR, own)
    submitted = booking.submit_request(caseworker, intervention,
                                       booking.RequestData(participant_reference="BRO-1")).request
    booking.transition(owner_editor, submitted, "receive")
    return submitted, owner_editor


@pytest.mark.parametrize("reason", [" ", "\t", "no_such_reason", "NO_PLACES", "[]"])
def test_choice_fields_blank_or_unknown_reason_is_refused(client, login, received_request, reason, no_csrf):
    request, owner_editor = received_request
    login(owner_editor)
    response = client.post(f"/en/booking/requests/{request.id}/decline",
                           data={"decline-reason": reason, "decline-note": ""})
    assert response.status_code == 422
    assert 'class="error-summary"' in text(response) or 'class="field-error"' in text(response)
    db.session.expire_all()
    assert db.session.get(BookingRequest, request.id).status == BookingStatus.RECEIVED


@pytest.mark.parametrize("data", [{"gender": "alien"}, {"preferred_language": "klingon"}, {"gender": " "}])
def test_choice_fields_unknown_values_in_a_booking_request(client, make, own, login, data, no_csrf):
    intervention = make.intervention(own)
    login(make.user(Role.CASEWORKER, make.organisation()))
    response = client.post(f"/en/interventions/{intervention.id}/request",
                           data={"idempotency_key": "k1", "participant_reference": "R-1", **data})
    assert response.status_code == 422
    assert "Not a valid choice." in text(response)
    assert db.session.execute(db.select(BookingRequest)).first() is None


# ------------------------------------------------------------------- import files


@pytest.mark.parametrize("content, suffix, english", [
    ("[" * 5000 + "]" * 5000, ".json", "nested more than"),
    ('[{"a": [[[[[[[[[[1]]]]]]]]]]}]', ".json", "nested more than"),
    ("[" + "1" * 5000 + "]", ".json", "not valid JSON"),
    ("id,title\n1," + "x" * 140_000 + "\n", ".csv", "not valid CSV"),
])
def test_import_files_deep_nesting_and_long_csv_fields_are_file_errors(app, content, suffix, english):
    with pytest.raises(ImportFileError) as caught:
        parse_text(content, suffix)
    assert english in str(caught.value)


def test_import_files_a_list_given_as_a_number_is_a_row_error(app, taxonomy):
    records = [{"id": "A1", "municipality_code": "1290", "title": "T", "summary": "S", "type": "praktik",
                "capacity": 5, "places_available": 2, "start_dates": 7, "target_groups": 3,
                "cost_per_week_sek": 2**40, "lat": "NaN", "translations": {"en": {"title": "T", "summary": []}}}]
    report = import_records(records, dry_run=True)
    fields = {error.field for error in report.errors}
    assert {"start_dates", "target_groups", "cost_per_week_sek", "lat", "translations.en"} <= fields


def test_import_files_control_characters_are_removed(app, taxonomy):
    records = parse_text(json.dumps([{"id": "A\x001", "municipality_code": "1290", "title": "T\x00itel",
                                      "summary": "S", "type": "praktik", "capacity": 1,
                                      "places_available": 1}]), ".json")
    assert records[0]["id"] == "A1" and records[0]["title"] == "Titel"
    assert parse_text("id,title\n1\x00,T\x00\n", ".csv") == [{"id": "1", "title": "T"}]


@pytest.mark.parametrize("content, filename, message", [
    (b"[" * 5000 + b"]" * 5000, "deep.json", "Its values are nested more than 8 levels deep."),
    (b"id,title\n1," + b"x" * 140_000 + b"\n", "long.csv", "It is not valid CSV (line"),
])
def test_import_files_web_upload_reports_the_file_error_in_the_interface_language(
        client, make, login, no_csrf, content, filename, message):
    login(make.user(Role.ADMIN))
    response = client.post("/en/manage/import", data={"file": (io.BytesIO(content), filename)},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "The file cannot be read: " + message[0].lower() + message[1:] in text(response)


# --------------------------------------------------------------- simultaneous changes


def test_simultaneous_changes_a_status_change_that_loses_the_race_is_a_409(client, editor, own, make, monkeypatch):
    from portal.publishing import services

    intervention = make.intervention(own, status=InterventionStatus.PUBLISHED)
    original = services.audit.record

    def someone_else_saves_first(*args, **kwargs):
        with db.engine.begin() as connection:
            connection.execute(db.update(Intervention).where(Intervention.id == intervention.id)
                               .values(version=Intervention.version + 1))
        return original(*args, **kwargs)

    monkeypatch.setattr(services.audit, "record", someone_else_saves_first)
    response = client.post(f"/manage/interventions/{intervention.id}/status", data={"action": "pause"},
                           headers={"Referer": "http://localhost/en/manage/interventions"})
    assert response.status_code == 409
    page = text(response)
    assert "Någon annan ändrade detta samtidigt" in page  # Swedish: the default language
    assert 'href="/en/manage/interventions"' in page  # offers to reload the page the form was on
    db.session.expire_all()
    assert db.session.get(Intervention, intervention.id).status == InterventionStatus.PUBLISHED


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_simultaneous_changes_ten_concurrent_status_changes(app, make, own, no_csrf):
    intervention_id = make.intervention(own, status=InterventionStatus.PUBLISHED).id
    editors = [make.user(Role.EDITOR, own) for _ in range(10)]
    clients = []
    for user in editors:
        client = app.test_client()
        assert client.post("/login", data={"email": user.email, "password": factories.PASSWORD}).status_code == 302
        clients.append(client)
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def change(client, action):
        barrier.wait()
        response = client.post(f"/manage/interventions/{intervention_id}/status", data={"action": action})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=change, args=(client, "pause" if number % 2 else "archive"))
               for number, client in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(statuses) == 10
    assert set(statuses) <= {302, 409}, statuses


# ----------------------------------------------------------------- sanitising order


@pytest.mark.parametrize("typed", [
    "&lt;img src=x onerror=alert(1)&gt;",
    "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;",
    "<b>fet</b> &lt;svg onload=alert(1)&gt;",
])
def test_sanitising_order_an_encoded_tag_is_not_stored_as_a_tag(client, editor, own, typed):
    response = client.post("/manage/interventions/new", data=editor_form(own, title=typed, summary=typed))
    assert response.status_code == 302
    intervention = db.session.execute(db.select(Intervention)).scalar_one()
    for value in (intervention.title, intervention.summary):
        assert "<" not in value or plain_text(value) == value
        assert "<img" not in value and "<svg" not in value and "<script" not in value


def test_sanitising_order_plain_text_keeps_ordinary_text():
    assert plain_text("Kaffe & kaka, 3 < 5") == "Kaffe & kaka, 3 < 5"
    assert plain_text("<p>Hej</p>") == "Hej"


@settings(max_examples=200, derandomize=True, deadline=None, database=None)
@given(st.text(alphabet=st.sampled_from(list("<>&;/ab =\"'ltgmp#x0")), max_size=60))
def test_sanitising_order_what_is_stored_is_what_the_sanitiser_lets_through(typed):
    stored = plain_text(typed)
    assert plain_text(stored) == stored
