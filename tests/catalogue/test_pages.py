"""Public pages, without login."""

import re

import pytest

from portal.catalogue.models import InterventionStatus


def html(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def region(make):
    kristianstad = make.organisation(name="Kristianstads kommun", municipality_code="1290", slug="kristianstad")
    osby = make.organisation(name="Osby kommun", municipality_code="1273", slug="osby")
    unit = make.unit(kristianstad, name="Jobbtorget", address="Västra Storgatan 1", postcode="291 31",
                     city="Kristianstad")
    items = {
        "bike": make.intervention(kristianstad, unit=unit, title="Arbetsträning i cykelverkstad",
                                  type_code="arbetstraning", target_groups=("unga",), languages=("sv", "ar"),
                                  translations={"en": {"title": "Work training in a bicycle workshop",
                                                       "summary": "Repair bikes.", "description": "Long text."}}),
        "shop": make.intervention(osby, title="Praktik i butik", type_code="praktik",
                                  target_groups=("nyanlanda",), places_available=0),
        "draft": make.intervention(osby, title="Hemlig utkastinsats", status=InterventionStatus.DRAFT),
        "archived": make.intervention(osby, title="Arkiverad insats", status=InterventionStatus.ARCHIVED),
    }
    return items


def test_start_page_lists_municipalities_and_types(client, region):
    page = html(client.get("/"))
    assert "Kristianstads kommun" in page and "Osby kommun" in page
    assert "/municipalities/osby" in page
    assert "/interventions?type=praktik" in page


def test_list_shows_published_only(client, region):
    page = html(client.get("/interventions"))
    assert "Arbetsträning i cykelverkstad" in page
    assert "Praktik i butik" in page
    assert "Hemlig utkastinsats" not in page
    assert "Arkiverad insats" not in page


@pytest.mark.parametrize(
    "query, shown, hidden",
    [
        ("municipality=1273", "Praktik i butik", "Arbetsträning i cykelverkstad"),
        ("type=arbetstraning", "Arbetsträning i cykelverkstad", "Praktik i butik"),
        ("target_group=nyanlanda", "Praktik i butik", "Arbetsträning i cykelverkstad"),
        ("language=ar", "Arbetsträning i cykelverkstad", "Praktik i butik"),
        ("places=available", "Arbetsträning i cykelverkstad", "Praktik i butik"),
    ],
)
def test_list_filters(client, region, query, shown, hidden):
    page = html(client.get(f"/interventions?{query}"))
    assert shown in page and hidden not in page


@pytest.mark.parametrize(
    "query",
    ["page=-1", "page=abc", "page=0", "page=99999", "municipality=0000", "type=nonsense&language=xx",
     "places=maybe", "page=1e9", "type=%00%ff", "sort=sideways", "near=abcd", "q=%22unbalanced",
     "q=*", "q=AND%20OR", "q=" + "a" * 5000, "q=%01%02%1b", "q=%D8%B9%D9%85%D9%84"],
)
def test_malformed_query_strings_answer_sanely(client, region, query):
    response = client.get(f"/interventions?{query}")
    assert response.status_code == 200


def test_unknown_filter_values_are_ignored(client, region):
    page = html(client.get("/interventions?type=nonsense"))
    assert "Arbetsträning i cykelverkstad" in page and "Praktik i butik" in page


def test_pagination(client, make, region):
    organisation = region["bike"].organisation
    for number in range(25):
        make.intervention(organisation, title=f"Extra insats {number:02d}")
    first = html(client.get("/interventions"))
    second = html(client.get("/interventions?page=2"))
    assert 'rel="next"' in first and 'rel="prev"' in second
    titles = re.compile(r'class="card-title"><a [^>]*>([^<]+)</a>')
    on_first, on_second = titles.findall(first), titles.findall(second)
    assert len(on_first) == 20 and len(on_second) == 7
    assert not set(on_first) & set(on_second)


def test_intervention_page_shows_public_fields(client, region):
    item = region["bike"]
    page = html(client.get(f"/interventions/{item.id}"))
    assert "Arbetsträning i cykelverkstad" in page
    assert "Kristianstads kommun" in page and "Jobbtorget" in page
    assert "/municipalities/kristianstad" in page
    assert "Price per week" not in page and "Pris per vecka" not in page  # internal field hidden


@pytest.mark.parametrize("name", ["draft", "archived"])
def test_unpublished_intervention_is_not_found(client, region, name):
    response = client.get(f"/interventions/{region[name].id}")
    assert response.status_code == 404


def test_unknown_intervention_is_a_404_in_the_layout(client, region):
    response = client.get("/interventions/999999")
    assert response.status_code == 404
    page = html(response)
    assert 'class="site-header"' in page and "404" in page


def test_unknown_path_is_a_404_in_the_layout(client, app):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert 'class="site-header"' in html(response)


def test_municipality_page(client, region):
    page = html(client.get("/municipalities/kristianstad"))
    assert "Kristianstads kommun" in page and "Jobbtorget" in page
    assert "Arbetsträning i cykelverkstad" in page and "Praktik i butik" not in page
    assert client.get("/municipalities/atlantis").status_code == 404


def test_server_error_is_a_friendly_page(app, client, region, monkeypatch):
    from portal.catalogue import services

    def explode(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "get_published", explode)
    response = client.get(f"/interventions/{region['bike'].id}")
    assert response.status_code == 500
    page = html(response)
    assert "boom" not in page and "Traceback" not in page
    assert 'class="site-header"' in page
