"""Region administration: organisations, units, taxonomy labels and the audit log."""

from __future__ import annotations

import re

import pytest

from portal import audit
from portal.accounts.models import Role
from portal.accounts.services import create_user
from portal.admin import services
from portal.audit.models import AuditEvent
from portal.catalogue.models import (
    Organisation,
    OrganisationKind,
    TaxonomyLabel,
    TaxonomyTerm,
    Unit,
    Vocabulary,
)
from portal.extensions import db
from portal.i18n import LANGUAGES

PASSWORD = "correct horse battery"


def html(response) -> str:
    return response.get_data(as_text=True)


def count(model) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def snapshot() -> tuple:
    """Everything the admin pages could change."""
    db.session.expire_all()
    organisations = db.session.execute(
        db.select(
            Organisation.id,
            Organisation.name,
            Organisation.kind,
            Organisation.municipality_code,
            Organisation.slug,
            Organisation.booking_email,
            Organisation.website,
            Organisation.lat,
            Organisation.lon,
        ).order_by(Organisation.id)
    ).all()
    units = db.session.execute(
        db.select(
            Unit.id, Unit.name, Unit.address, Unit.postcode, Unit.city, Unit.booking_email
        ).order_by(Unit.id)
    ).all()
    terms = db.session.execute(
        db.select(TaxonomyTerm.id, TaxonomyTerm.code, TaxonomyTerm.position).order_by(
            TaxonomyTerm.id
        )
    ).all()
    labels = db.session.execute(
        db.select(TaxonomyLabel.term_id, TaxonomyLabel.locale, TaxonomyLabel.label).order_by(
            TaxonomyLabel.term_id, TaxonomyLabel.locale
        )
    ).all()
    return tuple(organisations), tuple(units), tuple(terms), tuple(labels), count(AuditEvent)


def log_in(client, user) -> None:
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, html(response)[:500]


@pytest.fixture
def csrf_off(app):
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def kristianstad(make):
    return make.organisation(
        name="Kristianstads kommun",
        municipality_code="1290",
        slug="kristianstad",
        booking_email="arbetsmarknad@kristianstad.example.se",
    )


@pytest.fixture
def osby(make):
    return make.organisation(name="Osby kommun", municipality_code="1273", slug="osby")


@pytest.fixture
def user_with(make, kristianstad):
    """``user_with(role)``: an account (Kristianstad's, unless an admin) with the test password."""

    def create(role: Role):
        user = create_user(
            f"{role.value}@example.se",
            f"Test {role.value}",
            role,
            None if role == Role.ADMIN else kristianstad,
            password=PASSWORD,
        )
        db.session.commit()
        return user

    return create


@pytest.fixture
def admin(client, csrf_off, user_with):
    user = user_with(Role.ADMIN)
    log_in(client, user)
    return user


def organisation_form(**overrides) -> dict:
    values = {
        "name": "Hörby kommun",
        "kind": "kommun",
        "municipality_code": "1266",
        "slug": "horby",
        "booking_email": "Arbetsmarknad@Horby.example.se",
        "website": "https://www.horby.se",
        "lat": "55.85",
        "lon": "13.66",
    }
    return values | overrides


def events(action: str, record_type: str) -> list[AuditEvent]:
    return list(
        db.session.execute(
            db.select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.record_type == record_type)
            .order_by(AuditEvent.id)
        ).scalars()
    )


# ----------------------------------------------------------------------- organisations


def test_admin_creates_an_organisation(client, admin):
    response = client.post("/admin/organisations/new", data=organisation_form())
    assert response.status_code == 302, html(response)[:3000]
    organisation = db.session.execute(
        db.select(Organisation).where(Organisation.slug == "horby")
    ).scalar_one()
    assert organisation.kind == OrganisationKind.KOMMUN
    assert organisation.municipality_code == "1266"
    assert organisation.booking_email == "arbetsmarknad@horby.example.se"
    assert (organisation.lat, organisation.lon) == (55.85, 13.66)
    [event] = events("create", "organisation")
    assert event.actor_id == admin.id and event.record_id == str(organisation.id)
    assert event.changes["slug"] == "horby" and event.changes["municipality_code"] == "1266"
    listing = html(client.get(response.location))
    assert "Hörby kommun" in listing and "1266" in listing


def test_admin_edits_an_organisation(client, admin, kristianstad):
    page = html(client.get(f"/admin/organisations/{kristianstad.id}"))
    assert 'value="kristianstad"' in page and 'value="1290"' in page
    response = client.post(
        f"/admin/organisations/{kristianstad.id}",
        data=organisation_form(
            name="Kristianstads kommun",
            municipality_code="1290",
            slug="kristianstad",
            booking_email="insatser@kristianstad.example.se",
            website="",
            lat="",
            lon="",
        ),
    )
    assert response.status_code == 302, html(response)[:3000]
    db.session.expire_all()
    assert kristianstad.booking_email == "insatser@kristianstad.example.se"
    [event] = events("update", "organisation")
    assert event.changes == {
        "booking_email": [
            "arbetsmarknad@kristianstad.example.se",
            "insatser@kristianstad.example.se",
        ]
    }


def test_saving_an_unchanged_organisation_records_nothing(client, admin, kristianstad):
    before = snapshot()
    response = client.post(
        f"/admin/organisations/{kristianstad.id}",
        data=organisation_form(
            name=kristianstad.name,
            municipality_code="1290",
            slug="kristianstad",
            booking_email=kristianstad.booking_email,
            website="",
            lat="",
            lon="",
        ),
    )
    assert response.status_code == 302
    assert snapshot() == before


@pytest.mark.parametrize(
    "overrides, field_id, message",
    [
        (
            {"municipality_code": "1273"},
            "municipality_code",
            "Another organisation already has this municipality code.",
        ),
        ({"slug": "osby"}, "slug", "Another organisation already has this address name."),
        (
            {"municipality_code": ""},
            "municipality_code",
            "A municipality (kommun) needs its municipality code.",
        ),
        (
            {"municipality_code": "127"},
            "municipality_code",
            "The municipality code has four digits.",
        ),
        ({"slug": "Hörby kommun"}, "slug", "Use lower-case letters a–z, digits and hyphens."),
        ({"booking_email": "not-an-address"}, "booking_email", "Enter a valid e-mail address."),
        ({"lat": "north"}, "lat", "Give a number, such as 56.03."),
    ],
    ids=[
        "duplicate-code",
        "duplicate-slug",
        "kommun-without-code",
        "three-digit-code",
        "bad-slug",
        "bad-email",
        "bad-lat",
    ],
)
def test_invalid_new_organisation_is_shown_with_messages_and_saves_nothing(
    client, admin, osby, overrides, field_id, message
):
    before = snapshot()
    response = client.post(
        "/en/admin/organisations/new", data=organisation_form(name="Typed name", **overrides)
    )
    page = html(response)
    assert response.status_code == 200
    assert 'class="error-summary"' in page
    error = re.search(rf'<p class="field-error" id="{field_id}-error">([^<]*)</p>', page)
    assert error and error.group(1) == message
    assert 'value="Typed name"' in page  # what was typed is kept
    assert snapshot() == before


@pytest.mark.parametrize(
    "overrides, field_id",
    [
        ({"municipality_code": "1273"}, "municipality_code"),
        ({"slug": "osby"}, "slug"),
        ({"municipality_code": ""}, "municipality_code"),
    ],
)
def test_invalid_edit_changes_nothing(client, admin, kristianstad, osby, overrides, field_id):
    before = snapshot()
    data = (
        organisation_form(name="Nytt namn", municipality_code="1290", slug="kristianstad")
        | overrides
    )
    response = client.post(f"/admin/organisations/{kristianstad.id}", data=data)
    page = html(response)
    assert response.status_code == 200
    assert f'id="{field_id}-error"' in page
    assert 'value="Nytt namn"' in page
    assert snapshot() == before


def test_a_constraint_violation_the_checks_miss_is_a_form_error_not_a_500(
    client, admin, osby, monkeypatch
):
    """Two admins saving at the same moment: the database refuses, the user gets a message."""
    monkeypatch.setattr(services, "check_organisation", lambda values, organisation=None: None)
    before = snapshot()
    response = client.post("/admin/organisations/new", data=organisation_form(slug="osby"))
    assert response.status_code == 200
    assert 'id="slug-error"' in html(response)
    assert snapshot() == before
    response = client.post(
        "/admin/organisations/new", data=organisation_form(municipality_code="1273")
    )
    assert response.status_code == 200
    assert 'id="municipality_code-error"' in html(response)
    assert snapshot() == before


def test_a_non_municipality_needs_no_code(client, admin):
    response = client.post(
        "/admin/organisations/new",
        data=organisation_form(
            name="Arbetsförmedlingen Kristianstad",
            kind="arbetsformedlingen",
            municipality_code="",
            slug="af-kristianstad",
        ),
    )
    assert response.status_code == 302
    organisation = db.session.execute(
        db.select(Organisation).where(Organisation.slug == "af-kristianstad")
    ).scalar_one()
    assert organisation.municipality_code is None


# ------------------------------------------------------------------------------- units


def test_admin_creates_and_edits_a_unit(client, admin, kristianstad):
    response = client.post(
        f"/admin/organisations/{kristianstad.id}/units/new",
        data={
            "name": "Jobbcentrum",
            "address": "Västra Storgatan 1",
            "postcode": "291 31",
            "city": "Kristianstad",
            "booking_email": "",
        },
    )
    assert response.status_code == 302, html(response)[:3000]
    unit = db.session.execute(db.select(Unit).where(Unit.name == "Jobbcentrum")).scalar_one()
    assert unit.organisation_id == kristianstad.id and unit.booking_email is None
    assert unit.effective_booking_email == kristianstad.booking_email
    listing = html(client.get(f"/admin/organisations/{kristianstad.id}/units"))
    assert "Jobbcentrum" in listing and "Västra Storgatan 1" in listing

    response = client.post(
        f"/admin/units/{unit.id}",
        data={
            "name": "Jobbcentrum",
            "address": "Västra Storgatan 1",
            "postcode": "291 31",
            "city": "Kristianstad",
            "booking_email": "jobbcentrum@kristianstad.example.se",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert unit.booking_email == "jobbcentrum@kristianstad.example.se"
    [created] = events("create", "unit")
    [updated] = events("update", "unit")
    assert created.organisation_id == kristianstad.id and created.changes["name"] == "Jobbcentrum"
    assert updated.changes == {"booking_email": [None, "jobbcentrum@kristianstad.example.se"]}


def test_duplicate_unit_name_is_a_form_error(client, admin, make, kristianstad):
    make.unit(kristianstad, name="Jobbcentrum")
    other = make.unit(kristianstad, name="Verkstan")
    before = snapshot()
    response = client.post(
        f"/admin/organisations/{kristianstad.id}/units/new",
        data={"name": "Jobbcentrum", "city": "Åhus"},
    )
    assert response.status_code == 200
    assert 'id="name-error"' in html(response)
    assert 'value="Åhus"' in html(response)
    response = client.post(
        f"/admin/units/{other.id}", data={"name": "Jobbcentrum", "booking_email": "nope"}
    )
    assert response.status_code == 200
    assert 'id="booking_email-error"' in html(response)
    response = client.post(f"/en/admin/units/{other.id}", data={"name": "Jobbcentrum"})
    assert response.status_code == 200
    assert "The organisation already has a unit with this name." in html(response)
    assert snapshot() == before


def test_the_same_unit_name_in_another_organisation_is_fine(
    client, admin, make, kristianstad, osby
):
    make.unit(kristianstad, name="Jobbcentrum")
    response = client.post(
        f"/admin/organisations/{osby.id}/units/new", data={"name": "Jobbcentrum"}
    )
    assert response.status_code == 302


# ---------------------------------------------------------------------------- taxonomy


def test_taxonomy_lists_every_vocabulary_with_labels_in_every_language(client, admin):
    page = html(client.get("/en/admin/taxonomy"))
    for vocabulary in ("Types of intervention", "Target groups", "Who may refer"):
        assert vocabulary in page
    for language in LANGUAGES.values():
        assert language.native_name in page
    assert "arbetstraning" in page and "Arbetsträning" in page
    assert "Work training" in page


def test_admin_creates_a_term(client, admin):
    response = client.post(
        "/admin/taxonomy/new",
        data={
            "vocabulary": "type",
            "code": "friskvard",
            "position": "",
            "label_sv": "Friskvård",
            "label_en": "Keeping fit",
            "label_ar": "",
        },
    )
    assert response.status_code == 302, html(response)[:3000]
    term = db.session.execute(
        db.select(TaxonomyTerm).where(TaxonomyTerm.code == "friskvard")
    ).scalar_one()
    assert term.vocabulary == Vocabulary.TYPE
    assert {label.locale: label.label for label in term.labels} == {
        "sv": "Friskvård",
        "en": "Keeping fit",
    }
    last = max(
        t.position
        for t in db.session.execute(
            db.select(TaxonomyTerm).where(TaxonomyTerm.vocabulary == Vocabulary.TYPE)
        ).scalars()
    )
    assert term.position == last
    [event] = events("create", "taxonomy_term")
    assert event.changes["code"] == "friskvard" and event.changes["label_en"] == "Keeping fit"


@pytest.mark.parametrize(
    "data, field_id",
    [
        ({"vocabulary": "type", "code": "praktik", "label_sv": "Praktik igen"}, "code"),
        ({"vocabulary": "type", "code": "Ny kod!", "label_sv": "Ny"}, "code"),
        ({"vocabulary": "type", "code": "ny_kod", "label_sv": ""}, "label_sv"),
    ],
    ids=["duplicate-code", "bad-code", "no-swedish-label"],
)
def test_invalid_term_is_refused_with_a_message(client, admin, data, field_id):
    before = snapshot()
    response = client.post("/admin/taxonomy/new", data=data)
    assert response.status_code == 200
    assert f'id="{field_id}-error"' in html(response)
    assert snapshot() == before


def test_admin_edits_the_labels_of_a_term(client, admin):
    term = db.session.execute(
        db.select(TaxonomyTerm).where(
            TaxonomyTerm.vocabulary == Vocabulary.TYPE, TaxonomyTerm.code == "praktik"
        )
    ).scalar_one()
    labels = {label.locale: label.label for label in term.labels}
    page = html(client.get(f"/admin/taxonomy/{term.id}"))
    assert f'value="{labels["sv"]}"' in page
    data = {f"label_{locale}": text for locale, text in labels.items()} | {
        "position": str(term.position),
        "label_en": "Internship",
        "label_so": "Tababar",
        "label_uk": "",
    }
    response = client.post(f"/admin/taxonomy/{term.id}", data=data)
    assert response.status_code == 302, html(response)[:3000]
    db.session.expire_all()
    now = {label.locale: label.label for label in term.labels}
    assert now["en"] == "Internship" and now["so"] == "Tababar" and "uk" not in now
    assert now["sv"] == labels["sv"]
    [event] = events("update", "taxonomy_term")
    assert event.changes["label_en"] == ["Work placement", "Internship"]
    assert event.changes["code"] == "praktik"
    assert "Internship" in html(client.get("/en/admin/taxonomy"))


def test_the_swedish_label_cannot_be_removed(client, admin):
    term = db.session.execute(
        db.select(TaxonomyTerm).where(TaxonomyTerm.code == "praktik")
    ).scalar_one()
    before = snapshot()
    response = client.post(
        f"/admin/taxonomy/{term.id}", data={"label_sv": "", "label_en": "Changed"}
    )
    assert response.status_code == 200
    assert 'id="label_sv-error"' in html(response)
    assert 'value="Changed"' in html(response)
    assert snapshot() == before


# --------------------------------------------------------------------------- audit log


def test_audit_log_lists_events_newest_first_and_filters(client, admin, app, kristianstad, osby):
    audit.record(
        "update",
        "intervention",
        7,
        actor=admin,
        organisation_id=kristianstad.id,
        changes={"title": ["Gammal titel", "Ny titel"]},
    )
    audit.record(
        "publish",
        "intervention",
        8,
        actor=admin,
        organisation_id=osby.id,
        changes={"status": ["draft", "published"]},
    )
    db.session.commit()
    client.post("/admin/organisations/new", data=organisation_form())

    page = html(client.get("/admin/audit"))
    assert "Gammal titel → Ny titel" in page
    assert "draft → published" in page
    assert admin.name in page
    # newest first: the organisation created last comes before the older events
    assert page.index("horby") < page.index("draft → published") < page.index("Ny titel")

    only_publish = html(client.get("/admin/audit?action=publish"))
    assert "draft → published" in only_publish and "Ny titel" not in only_publish
    only_organisations = html(client.get("/admin/audit?record_type=organisation"))
    assert "horby" in only_organisations and "Ny titel" not in only_organisations
    only_osby = html(client.get(f"/admin/audit?organisation={osby.id}"))
    assert "draft → published" in only_osby and "Ny titel" not in only_osby
    assert "No events match the filter." in html(client.get("/en/admin/audit?action=nothing"))


def test_audit_log_is_paginated(client, admin, app):
    app.config["PER_PAGE"] = 3
    for number in range(7):
        audit.record(
            "update",
            "intervention",
            number,
            actor=admin,
            changes={"title": ["a", f"title-{number}"]},
        )
    db.session.commit()
    first = html(client.get("/admin/audit?record_type=intervention"))
    assert "title-6" in first and "title-4" in first and "title-3" not in first
    assert 'rel="next"' in first
    third = html(client.get("/admin/audit?record_type=intervention&page=3"))
    assert "title-0" in third and "title-1" not in third


# ------------------------------------------------------------------------- permissions

PAGES = [
    ("get", "/admin/organisations"),
    ("get", "/admin/organisations/new"),
    ("post", "/admin/organisations/new"),
    ("get", "/admin/organisations/{org}"),
    ("post", "/admin/organisations/{org}"),
    ("get", "/admin/organisations/{org}/units"),
    ("get", "/admin/organisations/{org}/units/new"),
    ("post", "/admin/organisations/{org}/units/new"),
    ("get", "/admin/units/{unit}"),
    ("post", "/admin/units/{unit}"),
    ("get", "/admin/taxonomy"),
    ("get", "/admin/taxonomy/new"),
    ("post", "/admin/taxonomy/new"),
    ("get", "/admin/taxonomy/{term}"),
    ("post", "/admin/taxonomy/{term}"),
    ("get", "/admin/audit"),
    ("get", "/en/admin/organisations"),
]

VALID_POSTS = {
    "/admin/organisations/new": organisation_form(),
    "/admin/organisations/{org}": organisation_form(
        name="Övertagen", municipality_code="1290", slug="kristianstad"
    ),
    "/admin/organisations/{org}/units/new": {"name": "Smygenheten"},
    "/admin/units/{unit}": {"name": "Omdöpt"},
    "/admin/taxonomy/new": {"vocabulary": "type", "code": "smyg", "label_sv": "Smyg"},
    "/admin/taxonomy/{term}": {"label_sv": "Ändrad", "position": "99"},
}


@pytest.fixture
def targets(make, kristianstad):
    unit = make.unit(kristianstad, name="Jobbcentrum")
    term = db.session.execute(
        db.select(TaxonomyTerm).where(TaxonomyTerm.code == "praktik")
    ).scalar_one()
    return {"org": kristianstad.id, "unit": unit.id, "term": term.id}


@pytest.mark.parametrize("role", [Role.EDITOR, Role.ORG_ADMIN, Role.CASEWORKER])
def test_other_roles_get_403_on_every_admin_page_and_change_nothing(
    client, csrf_off, user_with, targets, role
):
    log_in(client, user_with(role))
    before = snapshot()
    for method, path in PAGES:
        url = path.format(**targets)
        response = getattr(client, method)(
            url, data=VALID_POSTS.get(path) if method == "post" else None
        )
        assert response.status_code == 403, (role, method, url, response.status_code)
    assert snapshot() == before


def test_anonymous_visitors_are_sent_to_the_login_page(client, csrf_off, targets):
    before = snapshot()
    for method, path in PAGES:
        url = path.format(**targets)
        response = getattr(client, method)(
            url, data=VALID_POSTS.get(path) if method == "post" else None
        )
        assert response.status_code == 302 and "/login" in response.location, (method, url)
    assert snapshot() == before


def test_admin_sees_every_admin_page(client, admin, targets):
    for method, path in PAGES:
        if method == "get":
            assert client.get(path.format(**targets)).status_code == 200, path


def test_missing_records_answer_404(client, admin):
    for url in (
        "/admin/organisations/999999",
        "/admin/organisations/999999/units",
        "/admin/units/999999",
        "/admin/taxonomy/999999",
    ):
        assert client.get(url).status_code == 404, url


def test_a_post_without_csrf_token_is_refused(client, user_with):
    """CSRF protection stays on for the admin forms (this test does not switch it off)."""

    def token(page: str) -> str:
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    login_page = html(client.get("/login"))
    response = client.post(
        "/login",
        data={
            "email": user_with(Role.ADMIN).email,
            "password": PASSWORD,
            "csrf_token": token(login_page),
        },
    )
    assert response.status_code == 302
    before = snapshot()
    response = client.post("/admin/organisations/new", data=organisation_form())
    assert response.status_code == 400
    assert snapshot() == before
    form_page = html(client.get("/admin/organisations/new"))
    response = client.post(
        "/admin/organisations/new", data=organisation_form() | {"csrf_token": token(form_page)}
    )
    assert response.status_code == 302
    assert count(Organisation) == len(before[0]) + 1
