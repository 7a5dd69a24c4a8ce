"""What every public API answer does: validators and 304, CORS, rate limit, problem details."""

from __future__ import annotations

import pytest

from portal.accounts.models import Role
from portal.extensions import db, limiter

PUBLIC_URLS = ["/api/v1/interventions", "/api/v1/search?q=snickeri", "/api/v1/openapi.json",
               "/hsds/", "/hsds/services", "/hsds/organizations", "/hsds/taxonomy_terms"]


@pytest.fixture
def items(make):
    organisation = make.organisation(name="Hörby kommun", municipality_code="1266", slug="horby")
    intervention = make.intervention(organisation, title="Snickeri", price_per_week_sek=700,
                                     referral_instructions="Ring först.")
    return organisation, intervention


def test_etag_gives_304(client, items):
    for url in PUBLIC_URLS:
        first = client.get(url)
        assert first.status_code == 200 and first.headers["ETag"], url
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b"", url


def test_last_modified_gives_304_until_the_catalogue_changes(client, items):
    _organisation, intervention = items
    first = client.get("/hsds/services")
    stamp = first.headers["Last-Modified"]
    assert client.get("/hsds/services", headers={"If-Modified-Since": stamp}).status_code == 304
    intervention.title = "Snickeri och trädgård"
    intervention.updated_at = intervention.updated_at.replace(year=intervention.updated_at.year + 1)
    db.session.commit()
    changed = client.get("/hsds/services", headers={"If-Modified-Since": stamp,
                                                    "If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    assert changed.get_json()["contents"][0]["name"] == "Snickeri och trädgård"


def test_cors_on_public_get_without_credentials(client, items):
    for url in PUBLIC_URLS:
        response = client.get(url, headers={"Origin": "https://kommun.example.se"})
        assert response.headers["Access-Control-Allow-Origin"] == "*", url
        assert "Access-Control-Allow-Credentials" not in response.headers, url
        assert "ETag" in response.headers["Access-Control-Expose-Headers"], url


def test_preflight_is_answered(client, items):
    response = client.options("/hsds/services", headers={
        "Origin": "https://kommun.example.se", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in response.headers["Access-Control-Allow-Headers"]


def test_no_cors_for_a_logged_in_user_or_on_pages(client, items, login, no_csrf, make):
    organisation, intervention = items
    for url in ("/", "/login", f"/interventions/{intervention.id}"):
        assert "Access-Control-Allow-Origin" not in client.get(url).headers, url
    login(make.user(Role.CASEWORKER, organisation))
    for url in [*PUBLIC_URLS, f"/api/v1/interventions/{intervention.id}", "/booking/mine", "/notifications"]:
        response = client.get(url, headers={"Origin": "https://elsewhere.example"})
        assert "Access-Control-Allow-Origin" not in response.headers, url
        assert "Access-Control-Allow-Credentials" not in response.headers, url
    answer = client.get(f"/api/v1/interventions/{intervention.id}")
    assert answer.get_json()["internal"]["price_per_week_sek"] == 700
    assert "private" in answer.headers["Cache-Control"]


def test_rate_limit_answers_429_with_retry_after(client, items, app):
    limiter.reset()
    app.config["API_RATE_LIMIT"] = "3 per minute"
    statuses = [client.get("/hsds/services").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    refused = client.get("/hsds/organizations")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.mimetype == "application/problem+json"
    assert refused.get_json()["status"] == 429
    assert client.get("/api/v1/interventions").status_code == 429  # one budget for the whole API
    assert client.get("/healthz").status_code == 200  # monitoring is not limited
    assert client.get("/").status_code == 200  # nor are the pages


ERRORS = [
    ("get", "/api/v1/interventions/424242", 404),
    ("get", "/api/v1/nothing", 404),
    ("get", "/hsds/nothing", 404),
    ("get", "/api/v1/interventions?page=0", 400),
    ("post", "/api/v1/interventions", 405),
    ("delete", "/hsds/services", 405),
]


def test_errors_are_problem_details(client, items):
    for method, url, status in ERRORS:
        response = getattr(client, method)(url)
        assert response.status_code == status, url
        assert response.mimetype == "application/problem+json", url
        body = response.get_json()
        assert set(body) == {"type", "title", "status", "detail"}, url
        assert body["status"] == status and body["type"] == "about:blank" and body["detail"], url
    assert client.get("/hsds/nothing?lang=en").get_json()["title"] == "Not Found"


def test_the_api_budget_is_shared_through_redis(items, app, tmp_path):
    """Several processes count against one budget when the counters are in Redis: a fresh
    application (as another process would be) sees the requests the first one counted."""
    import os
    import uuid

    import redis

    from portal import create_app
    from tests.settings import portal_settings

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI: {exc}", pytrace=False)
        pytest.skip(f"Redis not reachable: {exc}")
    # A window length of this test's own makes its counter key its own (the limiter's key
    # prefix cannot be changed once set, and other runs may share the Redis server).
    window = 3600 + uuid.uuid4().int % 3600
    settings = portal_settings(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path) | {
        "RATELIMIT_STORAGE_URI": url, "API_RATE_LIMIT": f"2 per {window} second"}
    apps = []
    try:
        apps.append(create_app(settings))
        assert [apps[0].test_client().get("/hsds/taxonomies").status_code for _ in range(2)] == [200, 200]
        apps.append(create_app(settings))
        refused = apps[1].test_client().get("/api/v1/openapi.json")
        assert refused.status_code == 429 and refused.headers["Retry-After"]
    finally:
        for other in apps:
            with other.app_context():
                db.engine.dispose()
        create_app(portal_settings(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path))  # the limiter back on memory://
