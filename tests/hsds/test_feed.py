"""``/hsds``: every endpoint's answers validate against the official HSDS 3.0 schemas."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from portal.accounts.models import Role
from portal.catalogue.models import InterventionStart, InterventionStatus, Unit
from portal.extensions import db
from portal.hsds.ids import organization_id, service_id, taxonomy_id, taxonomy_term_id
from portal.timeutil import utcnow


@pytest.fixture
def catalogue(make):
    kristianstad = make.organisation(name="Kristianstads kommun", municipality_code="1290",
                                     slug="kristianstad", website="https://www.kristianstad.se")
    horby = make.organisation(name="Hörby kommun", municipality_code="1266", slug="horby")
    unit = Unit(organisation=kristianstad, name="Verkstäderna", address="Fabriksgatan 9",
                postcode="291 54", city="Kristianstad")
    db.session.add(unit)
    workshop = make.intervention(
        kristianstad, title="Snickeriet", type_code="arbetstraning", target_groups=("unga", "nyanlanda"),
        referrers=("arbetsformedlingen", "socialtjansten"), languages=("sv", "ar"), unit=unit,
        external_id="K001", price_per_week_sek=1500, referral_instructions="Ring samordnaren först.",
        eligibility="Du är 18–29 år.", hours_per_week=20, duration_weeks=12, lat=56.03, lon=14.15,
        contact_name="Anna Andersson", contact_email="anna@kristianstad.example.se",
        contact_phone="044-13 50 00", confirmed_on=date(2026, 11, 1), accessibility="Ramp vid entrén.",
        translations={"en": {"title": "The carpentry", "summary": "Work training with wood.",
                             "description": "Four days a week."}},
    )
    workshop.start_dates = [InterventionStart(starts_on=date(2027, 1, 11))]
    closed = make.intervention(horby, title="Hälsoskola", type_code="halsa", enrolment_open=False,
                               external_id="H001", address="Storgatan 1", postcode="242 30", city="Hörby")
    paused = make.intervention(horby, title="Pausad kurs", status=InterventionStatus.PAUSED)
    archived = make.intervention(horby, title="Gammal kurs", status=InterventionStatus.ARCHIVED)
    draft = make.intervention(horby, title="Utkast", status=InterventionStatus.DRAFT)
    db.session.commit()
    return {"workshop": workshop, "closed": closed, "paused": paused, "archived": archived,
            "draft": draft, "kristianstad": kristianstad, "horby": horby}


LIST_PATHS = ["/services", "/organizations", "/taxonomies", "/taxonomy_terms", "/service_at_locations"]


def get_json(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_json()


def test_root_names_version_profile_and_openapi(client, app, hsds_schemas):
    data = get_json(client, "/hsds/")
    hsds_schemas.check_response("/", data)
    assert data["version"] == "3.0" and data["openapi_url"].startswith("https://")
    assert data["license"] == "CC0-1.0"


def test_every_list_validates(client, catalogue, hsds_schemas):
    # One test (not one per combination): building the catalogue is what takes the time.
    for path in LIST_PATHS:
        for query in ("", "?full=true", "?per_page=1&page=2", "?lang=en&full=1", "?full_service=true&lang=ar"):
            data = get_json(client, f"/hsds{path}{query}")
            hsds_schemas.check_response(path, data)
            assert set(data) >= {"total_items", "total_pages", "page_number", "size", "first_page",
                                 "last_page", "empty", "contents"}
            assert data["total_items"] > 0 and data["contents"], (path, query)


def test_every_detail_validates(client, catalogue, hsds_schemas):
    services = get_json(client, "/hsds/services?per_page=100")["contents"]
    for service in services:
        data = get_json(client, f"/hsds/services/{service['id']}")
        hsds_schemas.check_response("/services/{id}", data)
    for organization in get_json(client, "/hsds/organizations")["contents"]:
        for query in ("", "?full_service=true"):
            data = get_json(client, f"/hsds/organizations/{organization['id']}{query}")
            hsds_schemas.check_response("/organizations/{id}", data)
    for taxonomy in get_json(client, "/hsds/taxonomies")["contents"]:
        hsds_schemas.check_response("/taxonomies/{id}", get_json(client, f"/hsds/taxonomies/{taxonomy['id']}"))
    for term in get_json(client, "/hsds/taxonomy_terms?per_page=100")["contents"]:
        hsds_schemas.check_response("/taxonomy_terms/{id}", get_json(client, f"/hsds/taxonomy_terms/{term['id']}"))
    sals = get_json(client, "/hsds/service_at_locations")["contents"]
    assert sals
    for sal in sals:
        # The API reference points this answer at compiled/service.json, a slip in the
        # specification (a service_at_location has no name or status); the compiled
        # service_at_location schema is the one that describes it.
        hsds_schemas.check_file("compiled/service_at_location.json",
                                get_json(client, f"/hsds/service_at_locations/{sal['id']}"))


def test_service_mapping(client, catalogue, hsds_schemas):
    workshop = catalogue["workshop"]
    data = get_json(client, f"/hsds/services/{service_id(workshop)}")
    assert data["name"] == "Snickeriet"
    assert data["organization_id"] == organization_id(catalogue["kristianstad"])
    assert data["status"] == "active"
    assert data["assured_date"] == "2026-11-01"
    assert data["last_modified"].endswith("Z")
    assert data["eligibility_description"] == "Du är 18–29 år."
    assert [language["code"] for language in data["languages"]] == ["ar", "sv"]
    assert {a["value"] for a in data["attributes"]} == {"arbetstraning", "unga", "nyanlanda",
                                                        "arbetsformedlingen", "socialtjansten"}
    assert any(s.get("dtstart") == "2027-01-11" for s in data["schedules"])
    weekly = next(s for s in data["schedules"] if s.get("freq") == "WEEKLY")
    assert weekly["count"] == 12 and weekly["attributes"][0]["value"] == "20"
    assert data["service_areas"][0]["extent"] == "1290"
    location = data["service_at_locations"][0]["location"]
    assert location["name"] == "Verkstäderna"
    assert location["addresses"][0]["state_province"] == "Skåne län"
    assert data["contacts"][0]["phones"][0]["number"] == "044-13 50 00"
    statuses = {item["name"]: item["status"]
                for item in get_json(client, "/hsds/services?per_page=100")["contents"]}
    assert statuses == {"Snickeriet": "active", "Hälsoskola": "temporarily closed",
                        "Pausad kurs": "temporarily closed", "Gammal kurs": "inactive"}


def test_ids_are_uuids_that_stay_the_same(client, catalogue):
    first = get_json(client, "/hsds/services?full=true&per_page=100")["contents"]
    second = get_json(client, "/hsds/services?full=true&per_page=100")["contents"]
    assert [s["id"] for s in first] == [s["id"] for s in second]
    assert first[0]["id"] == service_id(catalogue["workshop"])
    assert taxonomy_term_id("type", "arbetstraning") in {a["taxonomy_term_id"] for a in first[0]["attributes"]}


def test_language_of_text_fields(client, catalogue):
    sid = service_id(catalogue["workshop"])
    english = get_json(client, f"/hsds/services/{sid}?lang=en")
    assert english["name"] == "The carpentry"
    assert english["description"].startswith("Work training with wood.")
    assert next(a for a in english["attributes"] if a["value"] == "unga")["taxonomy_term"]["name"] == "Young people"
    assert get_json(client, f"/hsds/services/{sid}?lang=sv")["name"] == "Snickeriet"


def test_internal_fields_only_for_a_case_officer(client, catalogue, login, no_csrf, make, hsds_schemas):
    sid = service_id(catalogue["workshop"])
    urls = [f"/hsds/services/{sid}", "/hsds/services?full=true", "/hsds/services?format=ndjson&full=true",
            f"/hsds/organizations/{organization_id(catalogue['kristianstad'])}?full_service=true"]
    for url in urls:
        text = client.get(url).get_data(as_text=True)
        assert "Ring samordnaren" not in text and "cost_options" not in text and "1500" not in text, url
    login(make.user(Role.CASEWORKER, catalogue["horby"]))
    data = get_json(client, f"/hsds/services/{sid}")
    hsds_schemas.check_response("/services/{id}", data)
    assert data["cost_options"][0]["amount"] == 1500 and data["cost_options"][0]["currency"] == "SEK"
    assert "Ring samordnaren först." in data["application_process"]
    for url in urls:
        assert "Ring samordnaren" in client.get(url).get_data(as_text=True), url


def test_drafts_are_never_in_the_feed(client, catalogue):
    text = client.get("/hsds/services?format=ndjson&full=true").get_data(as_text=True)
    assert "Utkast" not in text
    get_json(client, f"/hsds/services/{service_id(catalogue['draft'])}", 404)


def test_filters_are_cumulative(client, catalogue):
    def names(query: str) -> set[str]:
        return {s["name"] for s in get_json(client, f"/hsds/services?per_page=100&{query}")["contents"]}

    horby = organization_id(catalogue["horby"])
    halsa = taxonomy_term_id("type", "halsa")
    assert names(f"organization_id={horby}") == {"Hälsoskola", "Pausad kurs", "Gammal kurs"}
    assert names(f"taxonomy_term_id={halsa}") == {"Hälsoskola"}
    assert names(f"organization_id={horby}&taxonomy_term_id={halsa}") == {"Hälsoskola"}
    assert names(f"organization_id={horby}&search=snickeri") == set()
    assert names("search=SNICKERI") == {"Snickeriet"}
    assert names("search=carpentry") == {"Snickeriet"}
    assert names(f"taxonomy_id={taxonomy_id('type')}&search=kurs") == {"Pausad kurs", "Gammal kurs"}
    assert names("organization_id=00000000-0000-0000-0000-000000000000") == set()
    assert names("taxonomy_term_id=not-a-uuid") == set()


def test_modified_after(client, catalogue):
    catalogue["closed"].title = "Hälsoskola (ny)"
    db.session.commit()
    since = (catalogue["closed"].updated_at - timedelta(seconds=1)).isoformat() + "Z"
    future = (utcnow() + timedelta(days=1)).isoformat() + "%2B01:00"
    recent = get_json(client, f"/hsds/services?modified_after={since}")["contents"]
    assert "Hälsoskola (ny)" in {service["name"] for service in recent}
    assert get_json(client, f"/hsds/services?modified_after={future}")["empty"] is True
    problem = get_json(client, "/hsds/services?modified_after=yesterday", 400)
    assert problem["status"] == 400 and "modified_after" in problem["detail"]


def test_paging_is_stable_and_complete(client, catalogue):
    seen = []
    for page in (1, 2, 3, 4):
        data = get_json(client, f"/hsds/services?per_page=1&page={page}")
        assert data["page_number"] == page and data["total_items"] == 4 and data["total_pages"] == 4
        assert data["first_page"] is (page == 1) and data["last_page"] is (page == 4)
        seen += [s["id"] for s in data["contents"]]
    assert len(set(seen)) == 4
    beyond = get_json(client, "/hsds/services?per_page=1&page=9")
    assert beyond["empty"] is True and beyond["size"] == 0


def test_minimal_and_ndjson(client, catalogue, hsds_schemas):
    minimal = get_json(client, "/hsds/services?minimal=true")["contents"]
    assert all(set(item) <= {"id", "name", "status", "last_modified"} for item in minimal)
    response = client.get("/hsds/services?format=ndjson&per_page=1")
    assert response.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert len(lines) == 4  # every result, not one page
    for line in lines:
        hsds_schemas.check_file("compiled/service_list.json", line)
    for path in LIST_PATHS:
        assert client.get(f"/hsds{path}?format=ndjson").status_code == 200


def test_bad_parameters_are_problems(client, catalogue):
    for query in ("page=0", "per_page=abc", "per_page=100000", "full=maybe", "format=xml",
                  "page=99999999999999999999"):
        response = client.get(f"/hsds/services?{query}")
        assert response.status_code == 400, query
        assert response.mimetype == "application/problem+json"
        assert set(response.get_json()) == {"type", "title", "status", "detail"}


def test_unknown_ids_are_404_problems(client, catalogue):
    for path in ("services", "organizations", "taxonomies", "taxonomy_terms", "service_at_locations"):
        for value in ("00000000-0000-0000-0000-000000000000", "nope"):
            response = client.get(f"/hsds/{path}/{value}")
            assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_who_may_take_part_is_the_last_paragraph_of_the_eligibility(client, catalogue, hsds_schemas):
    from portal.catalogue.models import OpenTo
    from portal.hsds.importing import record_from_service
    from portal.hsds.mapping import split_eligibility_description

    workshop = catalogue["workshop"]
    sid = service_id(workshop)
    assert get_json(client, f"/hsds/services/{sid}")["eligibility_description"] == "Du är 18–29 år."  # anyone
    workshop.open_to = OpenTo.AGREEMENT
    db.session.commit()
    for lang, words in (("sv", "Invånare i"), ("en", "Residents of the owner's municipality and of municipalities "
                                                     "with an agreement"), ("ar", None)):
        data = get_json(client, f"/hsds/services/{sid}?lang={lang}")
        hsds_schemas.check_response("/services/{id}", data)
        text, last = data["eligibility_description"].split("\n\n")
        assert text == "Du är 18–29 år." and (words is None or last.startswith(words)), last
        assert split_eligibility_description(data["eligibility_description"]) == ("Du är 18–29 år.", "agreement")
        record = record_from_service(data)
        assert (record["eligibility"], record["open_to"]) == ("Du är 18–29 år.", "agreement")
    catalogue["closed"].open_to = OpenTo.OWN  # no eligibility text of its own: the openness alone
    db.session.commit()
    data = get_json(client, f"/hsds/services/{service_id(catalogue['closed'])}?lang=en")
    hsds_schemas.check_response("/services/{id}", data)
    assert data["eligibility_description"] == "Only residents of the owner's municipality"
    assert split_eligibility_description(data["eligibility_description"]) == ("", "own")
    assert split_eligibility_description("Du är 18–29 år.\n\nNågot annat") == ("Du är 18–29 år.\n\nNågot annat", None)
