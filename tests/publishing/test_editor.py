"""Editor pages: an editor keeps their own organisation's offer up to date."""

import re

import pytest

from portal.audit.models import AuditEvent
from portal.catalogue.models import Intervention, InterventionStatus
from portal.extensions import db


@pytest.fixture(autouse=True)
def _csrf_off(no_csrf):
    pass


@pytest.fixture
def own(make):
    return make.organisation(name="Hässleholms kommun", municipality_code="1293", slug="hassleholm")


@pytest.fixture
def editor(make, own, login):
    user = make.user("editor", own)
    login(user)
    return user


def form_values(**overrides):
    values = {
        "organisation": "", "unit": "0", "title": "Arbetsträning i cykelverkstad",
        "summary": "Reparera cyklar med handledare.", "description": "Första stycket.\n\nAndra stycket.",
        "type": "arbetstraning", "target_groups": ["unga"], "referrers": ["socialtjansten"], "languages": ["sv"],
        "delivery_format": "on_site", "intake": "rolling", "start_dates": "", "enrolment_open": "y",
        "capacity": "8", "places_available": "3", "price_per_week_sek": "500",
    }
    values.update(overrides)
    return values


def html(response):
    return response.get_data(as_text=True)


def test_editor_creates_a_draft_and_publishes_it(client, editor, own):
    response = client.post("/manage/interventions/new", data=form_values(organisation=own.id))
    assert response.status_code == 302
    intervention = db.session.execute(db.select(Intervention)).scalar_one()
    assert intervention.status == InterventionStatus.DRAFT
    assert intervention.organisation_id == own.id
    assert client.get(f"/interventions/{intervention.id}").status_code == 404  # a draft is not public

    client.post(f"/manage/interventions/{intervention.id}/status", data={"action": "publish"})
    db.session.expire_all()
    assert intervention.status == InterventionStatus.PUBLISHED
    assert client.get(f"/interventions/{intervention.id}").status_code == 200
    actions = [e.action for e in db.session.execute(db.select(AuditEvent).order_by(AuditEvent.id)).scalars()]
    assert actions[-2:] == ["create", "publish"]


def test_invalid_form_keeps_what_was_typed_and_says_what_is_wrong(client, editor, own):
    response = client.post("/manage/interventions/new", data=form_values(
        organisation=own.id, title="", capacity="5", places_available="9",
        summary="Min noggrant skrivna sammanfattning"))
    assert response.status_code == 422
    page = html(response)
    assert "Min noggrant skrivna sammanfattning" in page
    assert 'id="places_available-error"' in page and 'id="title-error"' in page
    assert 'id="error-summary"' in page
    assert db.session.execute(db.select(db.func.count(Intervention.id))).scalar_one() == 0


def test_edit_with_translation_beside_swedish(client, editor, make, own):
    intervention = make.intervention(own, title="Språkstöd")
    page = html(client.get(f"/manage/interventions/{intervention.id}/edit"))
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    response = client.post(f"/manage/interventions/{intervention.id}/edit", data=form_values(
        organisation=own.id, version=version, title="Språkstöd på arbetsplatsen",
        **{"translation_en-title": "Language support at work", "translation_en-summary": "Swedish at work."}))
    assert response.status_code == 302, html(response)[:3000]
    db.session.expire_all()
    assert intervention.title == "Språkstöd på arbetsplatsen"
    assert intervention.translation("en").title == "Language support at work"
    assert intervention.version == int(version) + 1
    event = db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "update")).scalar_one()
    assert "title" in event.changes and "translations" in event.changes


def test_second_editor_saving_the_same_version_is_told_and_loses_nothing(client, editor, make, own):
    intervention = make.intervention(own, title="Gemensam text")
    first = form_values(organisation=own.id, version=str(intervention.version), title="Första redaktörens titel")
    second = form_values(organisation=own.id, version=str(intervention.version), title="Andra redaktörens titel",
                         summary="Andra redaktörens långa sammanfattning som inte får försvinna")
    assert client.post(f"/manage/interventions/{intervention.id}/edit", data=first).status_code == 302
    response = client.post(f"/manage/interventions/{intervention.id}/edit", data=second)
    assert response.status_code == 409
    page = html(response)
    assert "Andra redaktörens långa sammanfattning som inte får försvinna" in page
    assert "Andra redaktörens titel" in page
    db.session.expire_all()
    assert intervention.title == "Första redaktörens titel"
    # Saving again from the conflict page deliberately replaces the other version.
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    again = client.post(f"/manage/interventions/{intervention.id}/edit", data={**second, "version": version})
    assert again.status_code == 302
    db.session.expire_all()
    assert intervention.title == "Andra redaktörens titel"


def test_places_updated_in_one_click(client, editor, make, own):
    intervention = make.intervention(own, capacity=10, places_available=2)
    prefix = f"places-{intervention.id}"
    client.post(f"/manage/interventions/{intervention.id}/places", data={f"{prefix}-places_available": "7"})
    db.session.expire_all()
    assert intervention.places_available == 7
    client.post(f"/manage/interventions/{intervention.id}/places", data={f"{prefix}-places_available": "11"})
    db.session.expire_all()
    assert intervention.places_available == 7


def test_pause_archive_and_duplicate(client, editor, make, own):
    intervention = make.intervention(own, title="Lagerpraktik",
                                     translations={"en": {"title": "Warehouse", "summary": "", "description": ""}})
    client.post(f"/manage/interventions/{intervention.id}/status", data={"action": "pause"})
    db.session.expire_all()
    assert intervention.status == InterventionStatus.PAUSED
    assert client.get(f"/interventions/{intervention.id}").status_code == 404
    client.post(f"/manage/interventions/{intervention.id}/status", data={"action": "pause"})  # not from paused
    db.session.expire_all()
    assert intervention.status == InterventionStatus.PAUSED
    client.post(f"/manage/interventions/{intervention.id}/status", data={"action": "archive"})
    db.session.expire_all()
    assert intervention.status == InterventionStatus.ARCHIVED

    response = client.post(f"/manage/interventions/{intervention.id}/duplicate")
    assert response.status_code == 302
    copy = db.session.execute(db.select(Intervention).where(Intervention.id != intervention.id)).scalar_one()
    assert copy.status == InterventionStatus.DRAFT and copy.title.endswith("Lagerpraktik")
    assert copy.translation("en").title == "Warehouse"


def test_list_shows_status_last_change_and_missing_translations(client, editor, make, own):
    make.intervention(own, title="Synlig i listan", status=InterventionStatus.DRAFT)
    make.intervention(make.organisation(), title="Annan kommuns insats")
    page = html(client.get("/manage/interventions"))
    assert "Synlig i listan" in page and "Annan kommuns insats" not in page
    assert "Utkast" in page
    assert "missing-translation" in page


def test_preview_shows_a_draft_to_its_editor_only(client, editor, make, own):
    draft = make.intervention(own, status=InterventionStatus.DRAFT, title="Förhandsvisad")
    assert "Förhandsvisad" in html(client.get(f"/manage/interventions/{draft.id}/preview"))
    foreign = make.intervention(make.organisation(), status=InterventionStatus.DRAFT)
    assert client.get(f"/manage/interventions/{foreign.id}/preview").status_code == 404


XSS_PAYLOADS = [
    "<script>alert('x')</script>Text",
    '<img src=x onerror="alert(1)">Bild',
    "[klicka](javascript:alert(1))",
    '<svg onload="alert(1)"><script>alert(2)</script></svg>Svg',
    '<a href="javascript:alert(1)">länk</a>',
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_stored_xss_is_inert_on_public_page_editor_page_and_api(client, editor, own, payload):
    fields = {name: payload for name in ("title", "summary", "description", "eligibility", "accessibility",
                                         "closed_periods", "contact_name", "referral_instructions", "city")}
    translated = {f"translation_en-{name}": payload for name in ("title", "summary", "description")}
    response = client.post("/manage/interventions/new",
                           data=form_values(organisation=own.id, **fields, **translated))
    assert response.status_code == 302
    intervention = db.session.execute(db.select(Intervention)).scalar_one()
    client.post(f"/manage/interventions/{intervention.id}/status", data={"action": "publish"})

    pages = [
        html(client.get(f"/interventions/{intervention.id}")),
        html(client.get(f"/en/interventions/{intervention.id}")),
        html(client.get(f"/manage/interventions/{intervention.id}/edit")),
        html(client.get("/manage/interventions")),
        html(client.get("/interventions")),
    ]
    for page in pages:
        assert_inert(page)
    api = client.get(f"/api/v1/interventions/{intervention.id}")
    assert api.content_type.startswith("application/json")
    assert_inert(api.get_data(as_text=True))


def assert_inert(text: str) -> None:
    lowered = text.lower()
    assert "<script>alert" not in lowered
    assert "onerror=" not in lowered.replace("&#34;", '"') or "<img" not in lowered
    assert "<img" not in lowered
    assert "<svg" not in lowered
    assert 'href="javascript:' not in lowered
