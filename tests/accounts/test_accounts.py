"""Login, logout, rate limits, one-time links, CSRF, and ``flask users create``."""

import re

import pytest

from portal.accounts.models import Role, TokenPurpose, User
from portal.accounts.services import issue_token
from portal.audit.models import AuditEvent
from portal.catalogue.models import Intervention
from portal.extensions import db, limiter
from portal.notify.models import OutboxMessage
from tests.factories import PASSWORD


def html(response):
    return response.get_data(as_text=True)


@pytest.fixture
def organisation(make):
    return make.organisation(name="Hörby kommun", municipality_code="1266", slug="horby")


@pytest.fixture
def editor(make, organisation):
    return make.user(Role.EDITOR, organisation, email="redaktor@horby.example.se")


def test_login_and_logout(client, no_csrf, editor):
    response = client.post("/login", data={"email": "Redaktor@Horby.example.se", "password": PASSWORD})
    assert response.status_code == 302
    assert "Logga ut" in html(client.get("/"))
    assert db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "login")).scalar_one()
    client.post("/logout")
    assert "Logga in" in html(client.get("/"))


def test_wrong_password_is_refused_with_a_message(client, no_csrf, editor):
    response = client.post("/login", data={"email": editor.email, "password": "wrong password!"})
    assert response.status_code == 200
    assert "fel" in html(response).lower()


def test_deactivated_user_cannot_log_in(client, no_csrf, editor):
    editor.active = False
    db.session.commit()
    response = client.post("/login", data={"email": editor.email, "password": PASSWORD})
    assert response.status_code == 200


def test_login_redirects_only_to_local_paths(client, no_csrf, editor):
    response = client.post("/login?next=https://evil.example/", data={"email": editor.email, "password": PASSWORD})
    assert response.location == "/work"


def test_login_attempts_are_rate_limited_per_account(client, no_csrf, editor, app):
    limiter.reset()
    for _ in range(5):
        client.post("/login", data={"email": editor.email, "password": "not the password"})
    response = client.post("/login", data={"email": editor.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "För många försök" in html(response)


def test_password_is_stored_hashed(app, editor):
    assert PASSWORD not in (editor.password_hash or "")


def test_session_cookie_flags(client, no_csrf, editor, app):
    app.config["SESSION_COOKIE_SECURE"] = True
    response = client.post("/login", data={"email": editor.email, "password": PASSWORD})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


def test_password_reset_by_one_time_link_through_the_outbox(client, no_csrf, editor, caplog):
    caplog.set_level("INFO", logger="portal.mail")
    response = client.post("/password/forgot", data={"email": editor.email})
    assert response.status_code == 302
    message = db.session.execute(db.select(OutboxMessage)).scalar_one()
    assert message.recipient == editor.email and message.sent_at is not None
    assert "http://localhost/password/set/" in caplog.text  # development mail goes to the log
    link = re.search(r"http://localhost(/password/set/\S+)", message.body).group(1)

    page = client.post(link, data={"password": "a brand new passphrase", "confirm": "a brand new passphrase"})
    assert page.status_code == 302
    assert client.post("/login", data={"email": editor.email, "password": "a brand new passphrase"}).status_code == 302
    assert client.get(link).status_code == 410  # used once


def test_unknown_address_gets_the_same_answer_and_no_mail(client, no_csrf, app):
    response = client.post("/password/forgot", data={"email": "nobody@example.se"})
    assert response.status_code == 302
    assert db.session.execute(db.select(db.func.count(OutboxMessage.id))).scalar_one() == 0


def test_expired_link_is_refused(client, no_csrf, editor):
    from datetime import timedelta

    from portal.accounts.models import UserToken

    token = issue_token(editor, TokenPurpose.PASSWORD_RESET)
    db.session.commit()
    stored = db.session.execute(db.select(UserToken)).scalar_one()
    stored.expires_at -= timedelta(days=1)
    db.session.commit()
    assert client.get(f"/password/set/{token}").status_code == 410


def test_org_admin_invites_a_user_who_sets_a_password(client, no_csrf, login, make, organisation):
    login(make.user(Role.ORG_ADMIN, organisation))
    response = client.post("/manage/users", data={"name": "Ny Handläggare", "email": "ny@horby.example.se",
                                                  "role": "caseworker", "organisation": organisation.id})
    assert response.status_code == 302
    user = db.session.execute(db.select(User).where(User.email == "ny@horby.example.se")).scalar_one()
    assert user.password_hash is None
    mail = db.session.execute(db.select(OutboxMessage).where(OutboxMessage.recipient == user.email)).scalar_one()
    link = re.search(r"http://localhost(/\S+)", mail.body).group(1)
    client.post("/logout")
    new_password = {"password": "my own long password", "confirm": "my own long password"}
    assert client.post(link, data=new_password).status_code == 302
    assert client.post("/login", data={"email": user.email, "password": "my own long password"}).status_code == 302


def test_post_without_csrf_token_is_refused(client, make, organisation, login, app):
    app.config["WTF_CSRF_ENABLED"] = False
    login(make.user(Role.EDITOR, organisation))
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/manage/interventions/new", data={"organisation": organisation.id, "title": "X"})
    assert response.status_code == 400
    assert db.session.execute(db.select(db.func.count(Intervention.id))).scalar_one() == 0


def test_anonymous_post_to_editor_page_redirects_to_login_and_changes_nothing(client, make, no_csrf):
    intervention = make.intervention(title="Orörd")
    for path, data in [
        ("/manage/interventions/new", {"title": "Intrång"}),
        (f"/manage/interventions/{intervention.id}/edit", {"title": "Intrång"}),
        (f"/manage/interventions/{intervention.id}/status", {"action": "archive"}),
        (f"/manage/interventions/{intervention.id}/places", {}),
    ]:
        response = client.post(path, data=data)
        assert response.status_code == 302 and "/login" in response.location
    db.session.expire_all()
    assert intervention.title == "Orörd" and intervention.status.value == "published"


def test_cli_creates_the_first_admin_with_a_prompted_password(runner, app):
    result = runner.invoke(args=["users", "create", "chef@example.se", "--role", "admin"],
                           input="a long admin password\na long admin password\n")
    assert result.exit_code == 0, result.output
    user = db.session.execute(db.select(User)).scalar_one()
    assert user.role == Role.ADMIN and user.password_hash


def test_cli_prints_an_invitation_link(runner, organisation):
    result = runner.invoke(args=["users", "create", "hl@horby.example.se", "--org", "1266",
                                 "--role", "caseworker", "--invite"])
    assert result.exit_code == 0, result.output
    assert "/password/set/" in result.output


@pytest.mark.parametrize("args, message", [
    (["users", "create", "x@example.se", "--org", "9999", "--role", "editor", "--invite"], "no organisation"),
    (["users", "create", "x@example.se", "--role", "editor", "--invite"], "belongs to an organisation"),
])
def test_cli_refuses_bad_input_with_one_line(runner, organisation, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.execute(db.select(db.func.count(User.id))).scalar_one() == 0


def test_demo_creates_one_account_per_role_in_two_municipalities(runner, app):
    from portal.accounts.services import authenticate
    from portal.demo import DEMO_PASSWORD, demo_accounts

    runner.invoke(args=["portal", "demo"])
    accounts = demo_accounts()
    roles = {(role, code) for _email, role, code in accounts}
    assert {(Role.CASEWORKER, "1290"), (Role.EDITOR, "1293"), (Role.ORG_ADMIN, "1290"), (Role.ADMIN, None)} <= roles
    assert all(authenticate(email, DEMO_PASSWORD) for email, _role, _code in accounts)
    again = runner.invoke(args=["portal", "demo"])
    assert "0 demo accounts created" in again.output
