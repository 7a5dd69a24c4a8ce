"""Every role × every action × own / other organisation, through the HTTP layer.

The expectations are DESIGN.md's roles table. A refused cell answers 403/404 (a visitor is
sent to the login page) and leaves the database exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from portal.accounts.models import Role, User
from portal.agreements.models import Agreement, AgreementKind
from portal.audit.models import AuditEvent
from portal.booking.models import BookingRequest
from portal.booking.services import RequestData, submit_request
from portal.catalogue.models import Intervention, InterventionStatus, Organisation
from portal.extensions import db

ROLES = ["visitor", "caseworker", "editor", "org_admin", "admin"]
SCOPES = ["own", "other"]

ALL, OWN_ORG, NONE = "all", "own_org", "none"

# DESIGN.md, "Roles and what they may do"
EXPECTED = {
    "browse": {"visitor": ALL, "caseworker": ALL, "editor": ALL, "org_admin": ALL, "admin": ALL},
    "see_internal": {"visitor": NONE, "caseworker": ALL, "editor": ALL, "org_admin": ALL, "admin": ALL},
    "edit_intervention": {"visitor": NONE, "caseworker": NONE, "editor": OWN_ORG, "org_admin": OWN_ORG,
                          "admin": ALL},
    "manage_users": {"visitor": NONE, "caseworker": NONE, "editor": NONE, "org_admin": OWN_ORG, "admin": ALL},
    "send_booking": {"visitor": NONE, "caseworker": ALL, "editor": ALL, "org_admin": ALL, "admin": ALL},
    # A request owned by the scope's organisation, sent by a third organisation's case officer.
    "see_booking": {"visitor": NONE, "caseworker": NONE, "editor": OWN_ORG, "org_admin": OWN_ORG, "admin": ALL},
    "decide_booking": {"visitor": NONE, "caseworker": NONE, "editor": OWN_ORG, "org_admin": OWN_ORG,
                       "admin": ALL},
    "manage_region": {"visitor": NONE, "caseworker": NONE, "editor": NONE, "org_admin": NONE, "admin": ALL},
    # The follow-up figures of an organisation (what it sent and received); the region's for admins.
    "see_statistics": {"visitor": NONE, "caseworker": NONE, "editor": NONE, "org_admin": OWN_ORG,
                       "admin": ALL},
    # Cooperation agreements between organisations: only the region administrator changes them.
    "manage_agreements": {"visitor": NONE, "caseworker": NONE, "editor": NONE, "org_admin": NONE,
                          "admin": ALL},
}


@dataclass
class World:
    organisations: dict[str, Organisation]
    published: dict[str, Intervention]
    drafts: dict[str, Intervention]
    caseworkers: dict[str, User]
    users: dict[str, User]
    requests: dict[str, object]  # booking requests owned by each scope's organisation
    agreement: Agreement | None = None


@pytest.fixture
def world(make, no_csrf):
    organisations = {
        "own": make.organisation(name="Bromölla kommun", municipality_code="1272", slug="bromolla"),
        "other": make.organisation(name="Osby kommun", municipality_code="1273", slug="osby"),
    }
    published = {scope: make.intervention(org, title=f"Publicerad {scope}", capacity=10, places_available=4,
                                          price_per_week_sek=700)
                 for scope, org in organisations.items()}
    drafts = {scope: make.intervention(org, title=f"Utkast {scope}", status=InterventionStatus.DRAFT)
              for scope, org in organisations.items()}
    caseworkers = {scope: make.user(Role.CASEWORKER, org) for scope, org in organisations.items()}
    users = {role: make.user(role, None if role == "admin" else organisations["own"])
             for role in ROLES if role != "visitor"}
    third = make.user(Role.CASEWORKER, make.organisation(name="Hörby kommun", municipality_code="1266",
                                                         slug="horby"))
    requests = {scope: submit_request(third, item, RequestData(participant_reference=f"Ref {scope}")).request
                for scope, item in published.items()}
    agreement = Agreement(name="Avtal Bromölla–Osby", kind=AgreementKind.BILATERAL, price_per_week_sek=0,
                          members=list(organisations.values()))
    db.session.add(agreement)
    db.session.commit()
    return World(organisations, published, drafts, caseworkers, users, requests, agreement)


def fingerprint() -> tuple:
    """Everything the actions below could change."""
    interventions = db.session.execute(
        db.select(Intervention.id, Intervention.title, Intervention.status, Intervention.places_available,
                  Intervention.version).order_by(Intervention.id)
    ).all()
    users = db.session.execute(db.select(User.id, User.email, User.role, User.active).order_by(User.id)).all()
    audit_count = db.session.execute(db.select(db.func.count(AuditEvent.id))).scalar_one()
    bookings = db.session.execute(db.select(BookingRequest.id, BookingRequest.status).order_by(BookingRequest.id)).all()
    organisations = db.session.execute(db.select(Organisation.id, Organisation.name).order_by(Organisation.id)).all()
    agreements = db.session.execute(db.select(Agreement.id, Agreement.name, Agreement.price_per_week_sek)
                                    .order_by(Agreement.id)).all()
    return tuple(interventions), tuple(users), audit_count, tuple(bookings), tuple(organisations), tuple(agreements)


def intervention_form(world: World, scope: str, title: str) -> dict:
    return {
        "organisation": str(world.organisations[scope].id), "unit": "0", "title": title,
        "summary": "Sammanfattning.", "type": "praktik", "languages": ["sv"], "delivery_format": "on_site",
        "intake": "rolling", "capacity": "5", "places_available": "1", "price_per_week_sek": "0",
        "version": str(world.published[scope].version),
    }


# Each action: (HTTP call, check that it took effect). Read-only actions check the response.
Action = Callable[..., object]


def browse(client, world, scope):
    return client.get(f"/interventions/{world.published[scope].id}")


def see_internal(client, world, scope):
    return client.get(f"/api/v1/interventions/{world.published[scope].id}")


def create(client, world, scope):
    return client.post("/manage/interventions/new", data=intervention_form(world, scope, "Ny insats"))


def edit(client, world, scope):
    return client.post(f"/manage/interventions/{world.published[scope].id}/edit",
                       data=intervention_form(world, scope, "Ändrad titel"))


def publish(client, world, scope):
    return client.post(f"/manage/interventions/{world.drafts[scope].id}/status", data={"action": "publish"})


def pause(client, world, scope):
    return client.post(f"/manage/interventions/{world.published[scope].id}/status", data={"action": "pause"})


def archive(client, world, scope):
    return client.post(f"/manage/interventions/{world.published[scope].id}/status", data={"action": "archive"})


def set_places(client, world, scope):
    item = world.published[scope]
    return client.post(f"/manage/interventions/{item.id}/places", data={f"places-{item.id}-places_available": "2"})


def duplicate(client, world, scope):
    return client.post(f"/manage/interventions/{world.published[scope].id}/duplicate")


def preview_draft(client, world, scope):
    return client.get(f"/manage/interventions/{world.drafts[scope].id}/preview")


def invite_user(client, world, scope):
    return client.post("/manage/users", data={"name": "Ny Person", "email": f"ny.{scope}@example.se",
                                              "role": "caseworker",
                                              "organisation": str(world.organisations[scope].id)})


def change_role(client, world, scope):
    return client.post(f"/manage/users/{world.caseworkers[scope].id}/role", data={
        f"user-{world.caseworkers[scope].id}-role": "editor"})


def deactivate_user(client, world, scope):
    return client.post(f"/manage/users/{world.caseworkers[scope].id}/active", data={"active": "0"})


def send_booking(client, world, scope):
    return client.post(f"/interventions/{world.published[scope].id}/request",
                       data={"participant_reference": "Matrix", "gender": "not_stated"})


def decide_booking(client, world, scope):
    return client.post(f"/booking/requests/{world.requests[scope].id}/receive", data={})


def create_organisation(client, world, scope):
    return client.post("/admin/organisations/new", data={
        "name": f"Samordningsförbundet {scope}", "kind": "samordningsforbund", "municipality_code": "",
        "slug": f"samordning-{scope}", "booking_email": f"samordning.{scope}@example.se"})


def create_agreement(client, world, scope):
    return client.post("/admin/agreements/new", data={
        "name": f"Nytt avtal {scope}", "kind": "regional", "price_per_week_sek": "500",
        "members": [str(organisation.id) for organisation in world.organisations.values()]})


def edit_agreement(client, world, scope):
    return client.post(f"/admin/agreements/{world.agreement.id}", data={
        "name": world.agreement.name, "kind": "bilateral", "price_per_week_sek": "900",
        "members": [str(organisation.id) for organisation in world.organisations.values()]})


def see_agreements(client, world, scope):
    return client.get("/admin/agreements")


def see_agreement_figures(client, world, scope):
    return client.get("/admin/agreements/figures")


def see_booking(client, world, scope):
    return client.get(f"/booking/requests/{world.requests[scope].id}")


def see_taxonomy(client, world, scope):
    return client.get("/admin/taxonomy")


def see_statistics(client, world, scope):
    return client.get(f"/stats?organisation={world.organisations[scope].id}")


def download_statistics(client, world, scope):
    return client.get(f"/stats/flows-requests.csv?organisation={world.organisations[scope].id}")


def see_statistics_chart(client, world, scope):
    return client.get(f"/stats/charts/outcomes.svg?organisation={world.organisations[scope].id}")


CHANGING = {
    "edit_intervention": [create, edit, publish, pause, archive, set_places, duplicate],
    "manage_users": [invite_user, change_role, deactivate_user],
    "send_booking": [send_booking],
    "decide_booking": [decide_booking],
    "manage_region": [create_organisation],
    "manage_agreements": [create_agreement, edit_agreement],
}
READING = {"edit_intervention": [preview_draft], "see_booking": [see_booking], "manage_region": [see_taxonomy],
           "see_statistics": [see_statistics, download_statistics, see_statistics_chart],
           "manage_agreements": [see_agreements, see_agreement_figures]}

CASES = [
    pytest.param(permission, action, role, scope, id=f"{action.__name__}-{role}-{scope}")
    for permission, actions in CHANGING.items()
    for action in actions
    for role in ROLES
    for scope in SCOPES
]


def allowed(permission: str, role: str, scope: str) -> bool:
    rule = EXPECTED[permission][role]
    return rule == ALL or (rule == OWN_ORG and scope == "own")


def as_role(client, login, world, role):
    if role != "visitor":
        login(world.users[role])


def assert_refused(response, role):
    if role == "visitor":
        assert response.status_code == 302 and "/login" in response.location
    else:
        assert response.status_code in (403, 404), response.status_code


@pytest.mark.parametrize("permission, action, role, scope", CASES)
def test_changing_actions(client, login, world, permission, action, role, scope):
    as_role(client, login, world, role)
    before = fingerprint()
    response = action(client, world, scope)
    db.session.expire_all()
    if allowed(permission, role, scope):
        assert response.status_code in (200, 302), response.get_data(as_text=True)[:2000]
        assert fingerprint() != before, "an allowed action changed nothing"
    else:
        assert_refused(response, role)
        assert fingerprint() == before, "a refused action changed the database"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("scope", SCOPES)
def test_reading_actions(client, login, world, role, scope):
    as_role(client, login, world, role)
    assert browse(client, world, scope).status_code == 200
    api = see_internal(client, world, scope).get_json()
    assert ("internal" in api) == allowed("see_internal", role, scope)
    page = client.get(f"/interventions/{world.published[scope].id}").get_data(as_text=True)
    assert ("700 kr" in page) == allowed("see_internal", role, scope)
    for permission, actions in READING.items():
        for action in actions:
            response = action(client, world, scope)
            if allowed(permission, role, scope):
                assert response.status_code == 200, (permission, action.__name__)
            else:
                assert_refused(response, role)


@pytest.mark.parametrize("role", ROLES)
def test_user_list_shows_only_what_the_role_may_manage(client, login, world, role):
    as_role(client, login, world, role)
    response = client.get("/manage/users")
    if EXPECTED["manage_users"][role] == NONE:
        assert_refused(response, role)
        return
    page = response.get_data(as_text=True)
    assert world.caseworkers["own"].email in page
    assert (world.caseworkers["other"].email in page) == (EXPECTED["manage_users"][role] == ALL)


def test_org_admin_cannot_make_anyone_region_admin(client, login, world):
    login(world.users["org_admin"])
    before = fingerprint()
    target = world.caseworkers["own"]
    response = client.post(f"/manage/users/{target.id}/role", data={f"user-{target.id}-role": "admin"})
    assert response.status_code == 400
    assert fingerprint() == before
