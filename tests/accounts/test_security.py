"""What an attacker tries: poisoned reset links, replayed cookies, lock-outs, open redirects.

Each test is named after the attack it keeps closed.
"""

from __future__ import annotations

import re
import time

import pytest

from portal import create_app
from portal.accounts.models import Role, User
from portal.accounts.sessions import SEEN, STARTED
from portal.audit.models import AuditEvent
from portal.config import ConfigurationError, check_production_safety, served_worker_count
from portal.extensions import db, limiter
from portal.notify.models import OutboxMessage
from tests.factories import PASSWORD

PRIVATE_PAGE = "/booking/mine"
BASE_URL = "https://insatser.example.se"


@pytest.fixture(autouse=True)
def _csrf_off_and_fresh_counters(no_csrf, app):
    app.config["PORTAL_BASE_URL"] = BASE_URL
    limiter.reset()


@pytest.fixture
def organisation(make):
    return make.organisation(name="Osby kommun", municipality_code="1273", slug="osby")


@pytest.fixture
def officer(make, organisation):
    return make.user(Role.CASEWORKER, organisation, email="officer@osby.example.se")


@pytest.fixture
def org_admin(make, organisation):
    return make.user(Role.ORG_ADMIN, organisation, email="chef@osby.example.se")


def log_in(client, user, password=PASSWORD, address="192.0.2.10", **options):
    return client.post("/login", data={"email": user.email, "password": password},
                       environ_base={"REMOTE_ADDR": address}, **options)


def is_login_page(response) -> bool:
    return response.status_code == 302 and "/login" in response.location


def test_reset_requested_with_a_forged_host_mails_a_link_to_the_portal_base_url(client, officer):
    response = client.post("/password/forgot", data={"email": officer.email},
                           headers={"Host": "evil.example"}, base_url="http://evil.example")
    assert response.status_code == 302
    message = db.session.execute(db.select(OutboxMessage)).scalar_one()
    links = re.findall(r"https?://\S+", message.body)
    assert links and all(link.startswith(f"{BASE_URL}/password/set/") for link in links)
    assert "evil.example" not in message.body


def test_invitation_with_a_forged_host_mails_a_link_to_the_portal_base_url(client, org_admin):
    log_in(client, org_admin, headers={"Host": "evil.example"}, base_url="http://evil.example")
    response = client.post("/manage/users", data={"name": "Ny Person", "email": "ny@osby.example.se",
                                                  "role": "caseworker", "organisation": str(org_admin.organisation_id)},
                           headers={"Host": "evil.example"}, base_url="http://evil.example")
    assert response.location == "/manage/users", response.get_data(as_text=True)[:2000]
    messages = db.session.execute(db.select(OutboxMessage)).scalars().all()
    assert [m.recipient for m in messages] == ["ny@osby.example.se"]
    message = messages[0]
    assert f"{BASE_URL}/password/set/" in message.body and "evil.example" not in message.body


def test_replayed_cookie_after_logout_gets_the_login_page(client, officer):
    log_in(client, officer)
    assert client.get(PRIVATE_PAGE).status_code == 200
    stolen = client.get_cookie("session").value
    client.post("/logout")
    client.set_cookie("session", stolen)
    assert is_login_page(client.get(PRIVATE_PAGE))


def test_replayed_cookie_after_a_password_reset_gets_the_login_page(app, client, officer):
    log_in(client, officer)
    assert client.get(PRIVATE_PAGE).status_code == 200
    other_device = app.test_client()
    other_device.post("/password/forgot", data={"email": officer.email})
    body = db.session.execute(db.select(OutboxMessage)).scalar_one().body
    link = re.search(re.escape(BASE_URL) + r"(/password/set/\S+)", body).group(1)
    assert other_device.post(link, data={"password": "a brand new passphrase",
                                         "confirm": "a brand new passphrase"}).status_code == 302
    assert is_login_page(client.get(PRIVATE_PAGE))


def test_replayed_cookie_after_deactivation_gets_the_login_page(app, client, officer, org_admin):
    log_in(client, officer)
    admin_client = app.test_client()
    log_in(admin_client, org_admin)
    admin_client.post(f"/manage/users/{officer.id}/active", data={"active": "0"})
    assert is_login_page(client.get(PRIVATE_PAGE))


def test_role_change_ends_the_sessions_of_that_user(app, client, officer, org_admin):
    log_in(client, officer)
    admin_client = app.test_client()
    log_in(admin_client, org_admin)
    response = admin_client.post(f"/manage/users/{officer.id}/role",
                                 data={f"user-{officer.id}-role": "editor"})
    assert response.status_code == 302
    assert is_login_page(client.get(PRIVATE_PAGE))
    assert log_in(client, officer).status_code == 302  # and a new login works


def test_administrator_ends_every_session_of_a_user(app, client, officer, org_admin):
    log_in(client, officer)
    laptop = app.test_client()
    log_in(laptop, officer)
    admin_client = app.test_client()
    log_in(admin_client, org_admin)
    assert admin_client.post(f"/manage/users/{officer.id}/sessions").status_code == 302
    assert is_login_page(client.get(PRIVATE_PAGE))
    assert is_login_page(laptop.get(PRIVATE_PAGE))
    assert admin_client.get(PRIVATE_PAGE).status_code == 200  # the administrator's own session stays


def test_ending_sessions_of_another_organisations_user_is_refused(app, client, make, org_admin):
    stranger = make.user(Role.CASEWORKER, make.organisation())
    log_in(client, org_admin)
    generation = stranger.session_generation
    assert client.post(f"/manage/users/{stranger.id}/sessions").status_code == 404
    db.session.expire_all()
    assert db.session.get(User, stranger.id).session_generation == generation


def _age_session(client, *, idle_minutes=0, age_hours=0):
    now = int(time.time())
    with client.session_transaction() as session:
        session[SEEN] = now - idle_minutes * 60
        session[STARTED] = now - age_hours * 3600


def test_idle_session_expires(client, officer):
    log_in(client, officer)
    _age_session(client, idle_minutes=59)
    assert client.get(PRIVATE_PAGE).status_code == 200
    _age_session(client, idle_minutes=61)
    assert is_login_page(client.get(PRIVATE_PAGE))


def test_absolute_lifetime_ends_a_busy_session(client, officer):
    log_in(client, officer)
    _age_session(client, age_hours=13)
    assert is_login_page(client.get(PRIVATE_PAGE))


def test_typed_form_text_survives_an_expired_session_and_a_new_login(client, make, organisation):
    editor = make.user(Role.EDITOR, organisation)
    intervention = make.intervention(organisation, title="Arbetsträning i Returen")
    edit_page = f"/manage/interventions/{intervention.id}/edit"
    log_in(client, editor)
    _age_session(client, idle_minutes=90)
    typed = "En lång beskrivning som redaktören skrev i en timme och inte vill skriva igen"
    response = client.post(edit_page, data={"title": "Ny titel", "summary": typed, "password": "secret"})
    assert is_login_page(response)
    assert f"next={edit_page}" in response.location.replace("%2F", "/")
    db.session.expire_all()
    assert intervention.title == "Arbetsträning i Returen"  # nothing was saved

    after_login = client.post(response.location, data={"email": editor.email, "password": PASSWORD})
    assert after_login.location == edit_page
    page = client.get(edit_page).get_data(as_text=True)
    assert typed in page and 'value="Ny titel"' in page and "secret" not in page
    again = client.get(edit_page).get_data(as_text=True)
    assert typed not in again  # given back once


def test_another_user_never_gets_someone_elses_draft(client, make, organisation):
    first, second = make.user(Role.EDITOR, organisation), make.user(Role.EDITOR, organisation)
    intervention = make.intervention(organisation)
    edit_page = f"/manage/interventions/{intervention.id}/edit"
    log_in(client, first)
    _age_session(client, idle_minutes=90)
    client.post(edit_page, data={"summary": "Första redaktörens utkast"})
    log_in(client, second)
    assert "Första redaktörens utkast" not in client.get(edit_page).get_data(as_text=True)


HEADERS_ON_HTML = ["/", "/login", "/interventions", "/en/", "/no-such-page"]


@pytest.mark.parametrize("path", HEADERS_ON_HTML)
def test_every_html_response_carries_the_security_headers(client, path):
    response = client.get(path)
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # only in production


def test_production_sends_hsts(tmp_path, database_url):
    app = create_app({"TESTING": True, "PORTAL_ENV": "production", "SECRET_KEY": "a-real-secret",
                      "PORTAL_BASE_URL": BASE_URL, "SQLALCHEMY_DATABASE_URI": database_url,
                      "SEARCH_INDEX_DIR": str(tmp_path / "index"), "SESSION_COOKIE_SECURE": True})
    response = app.test_client().get("/healthz", base_url=BASE_URL)  # TLS ends at the proxy
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    dispose(app)


def dispose(app) -> None:
    with app.app_context():
        db.engine.dispose()


def test_an_attackers_wrong_passwords_do_not_lock_the_owner_out(client, officer):
    attacker = "203.0.113.66"
    for _ in range(20):
        log_in(client, officer, password="guessing again", address=attacker)
    assert log_in(client, officer, address=attacker).status_code == 429  # stopped where they hammer
    assert log_in(client, officer, address="198.51.100.7").status_code == 302  # the owner gets in


def test_security_events_are_audited_and_can_be_filtered(app, client, make, officer, org_admin):
    log_in(client, officer, password="wrong password")
    log_in(client, officer)
    client.post("/logout")
    client.post("/password/forgot", data={"email": officer.email})
    admin = make.user(Role.ADMIN, None)
    log_in(client, admin)
    client.post(f"/manage/users/{officer.id}/role", data={f"user-{officer.id}-role": "editor"})
    actions = set(db.session.execute(db.select(AuditEvent.action)).scalars())
    assert {"login_failed", "login", "end_sessions", "password_reset_requested", "change_role"} <= actions
    failed = db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "login_failed")).scalar_one()
    assert failed.record_id == str(officer.id) and failed.changes["address"] == "192.0.2.10"
    page = client.get("/admin/audit?kind=security").get_data(as_text=True)
    assert "login_failed" in page or "Misslyckad inloggning" in page


BYPASSES = ["//evil.example/", "/\\evil.example", "https:evil.example", "https://evil.example/",
            "/%2F/evil.example", "%2F%2Fevil.example", "/%5Cevil.example", "\\\\evil.example",
            "/\t/evil.example", "/\n/evil.example", " //evil.example", "javascript:alert(1)",
            "http:/\\evil.example", "/%09/evil.example", "//%65vil.example"]


@pytest.mark.parametrize("target", BYPASSES)
def test_no_route_redirects_off_site_for_a_known_bypass(client, make, organisation, target):
    editor = make.user(Role.EDITOR, organisation)
    intervention = make.intervention(organisation)
    response = client.post("/login", query_string={"next": target},
                           data={"email": editor.email, "password": PASSWORD})
    assert response.location == "/work"
    response = client.post(f"/manage/interventions/{intervention.id}/status",
                           data={"action": "pause", "next": target})
    assert response.location.startswith("/manage/interventions")


def test_a_path_on_this_site_is_kept_as_the_redirect(client, officer):
    response = log_in(client, officer)
    assert response.location == "/work"
    client.post("/logout")
    response = client.post("/login?next=/booking/mine%3Fpage%3D2",
                           data={"email": officer.email, "password": PASSWORD})
    assert response.location == "/booking/mine?page=2"


def test_production_refuses_to_start_without_a_base_url():
    config = {"PORTAL_ENV": "production", "SECRET_KEY": "real", "PORTAL_BASE_URL": "",
              "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"}
    with pytest.raises(ConfigurationError, match="PORTAL_BASE_URL"):
        check_production_safety(config, workers=1)


def test_production_refuses_several_workers_with_counters_in_memory():
    config = {"PORTAL_ENV": "production", "SECRET_KEY": "real", "PORTAL_BASE_URL": BASE_URL,
              "RATELIMIT_STORAGE_URI": "memory://"}
    check_production_safety(config, workers=1)
    with pytest.raises(ConfigurationError, match="RATELIMIT_STORAGE_URI"):
        check_production_safety(config, workers=4)
    check_production_safety(config | {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"}, workers=4)


@pytest.mark.parametrize("argv, environ, expected", [
    (["/venv/bin/gunicorn", "--workers", "4", "wsgi:app"], {}, 4),
    (["/venv/bin/gunicorn", "-w3", "wsgi:app"], {}, 3),
    (["/venv/bin/gunicorn", "--workers=2", "wsgi:app"], {}, 2),
    (["/venv/bin/gunicorn", "wsgi:app"], {"WEB_CONCURRENCY": "5"}, 5),
    (["/venv/bin/gunicorn", "wsgi:app"], {"GUNICORN_CMD_ARGS": "--workers 6"}, 6),
    (["/venv/bin/flask", "run"], {"WEB_CONCURRENCY": "5"}, 1),
])
def test_the_number_of_serving_workers_is_read_from_gunicorns_settings(argv, environ, expected):
    assert served_worker_count(argv, environ) == expected


def test_forwarded_for_is_ignored_unless_a_proxy_is_configured(app, client, officer):
    log_in(client, officer, password="wrong")
    event = db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "login_failed")).scalar_one()
    assert event.changes["address"] == "192.0.2.10"
    client.post("/login", data={"email": officer.email, "password": "wrong"},
                headers={"X-Forwarded-For": "198.51.100.99"}, environ_base={"REMOTE_ADDR": "192.0.2.10"})
    addresses = {e.changes["address"] for e in db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "login_failed")).scalars()}
    assert addresses == {"192.0.2.10"}


def test_a_configured_proxy_supplies_the_client_address(database_url, tmp_path, make, organisation):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": False,
                      "SEARCH_INDEX_DIR": str(tmp_path / "index2"), "PROXY_FIX_X_FOR": 1})
    user = make.user(Role.CASEWORKER, organisation)
    app.test_client().post("/login", data={"email": user.email, "password": "wrong"},
                           headers={"X-Forwarded-For": "198.51.100.99"}, environ_base={"REMOTE_ADDR": "10.1.1.1"})
    dispose(app)
    event = db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "login_failed")).scalar_one()
    assert event.changes["address"] == "198.51.100.99"


def test_logging_in_again_over_an_expired_session_just_logs_in(client, officer):
    log_in(client, officer)
    _age_session(client, idle_minutes=90)
    response = log_in(client, officer)
    assert response.status_code == 302 and response.location == "/work"
    assert client.get(PRIVATE_PAGE).status_code == 200
