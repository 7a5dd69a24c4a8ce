"""``/healthz`` and ``/api/v1/interventions`` as DESIGN.md's stable interfaces describe them."""

import pytest
from sqlalchemy.exc import OperationalError

from portal.catalogue.models import InterventionStatus
from portal.extensions import db


@pytest.fixture
def items(make):
    organisation = make.organisation(name="Hörby kommun", municipality_code="1266", slug="horby")
    published = make.intervention(organisation, title="Hälsoskola", type_code="halsa",
                                  price_per_week_sek=900, referral_instructions="Ring först.",
                                  translations={"en": {"title": "Health school", "summary": "Move more.",
                                                       "description": "Walks."}})
    draft = make.intervention(organisation, title="Utkast", status=InterventionStatus.DRAFT)
    return published, draft


def test_healthz_ok(client, app):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["queue"]["reachable"] is True
    assert body["outbox"] == {"undelivered": 0, "oldest_undelivered_seconds": 0}


def test_healthz_reports_the_age_of_the_oldest_undelivered_mail(client, app, real_queue):
    from datetime import timedelta

    from portal.notify.models import OutboxMessage
    from portal.tasks.jobs import deliver_outbox
    from portal.timeutil import utcnow

    db.session.add(OutboxMessage(recipient="a@example.se", subject="s", body="b", kind="test",
                                 created_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()
    real_queue.enqueue(deliver_outbox.s())
    body = client.get("/healthz").get_json()
    assert body["outbox"]["undelivered"] == 1 and body["outbox"]["oldest_undelivered_seconds"] >= 300
    assert body["queue"] == {"reachable": True, "pending": 1, "scheduled": 0}


def test_portal_status_prints_the_same_for_a_person(runner, app):
    result = runner.invoke(args=["portal", "status"])
    assert result.exit_code == 0, result.output
    assert "Database: answers" in result.output and "Queue: 0 task(s) waiting" in result.output
    assert "Outbox: 0 message(s) undelivered" in result.output


def test_healthz_503_when_database_does_not_answer(client, app, monkeypatch):
    def fail(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("down"))

    monkeypatch.setattr(db.session, "execute", fail)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] != "ok"


def test_list_returns_published_public_fields(client, items):
    published, _draft = items
    data = client.get("/api/v1/interventions").get_json()
    assert data["total"] == 1
    result = data["results"][0]
    assert result["id"] == published.id
    assert result["title"] == "Hälsoskola"
    assert result["organisation"]["municipality_code"] == "1266"
    assert result["type"] == {"code": "halsa", "label": "Hälsoinsats"}
    assert "internal" not in result
    assert result["url"].endswith(f"/interventions/{published.id}")


def test_list_in_english(client, items):
    result = client.get("/api/v1/interventions?lang=en").get_json()["results"][0]
    assert result["title"] == "Health school"
    assert result["type"]["label"] == "Health intervention"
    assert result["url"].endswith(f"/en/interventions/{items[0].id}")


def test_detail_and_404_as_json(client, items):
    published, draft = items
    assert client.get(f"/api/v1/interventions/{published.id}").get_json()["title"] == "Hälsoskola"
    for missing in (draft.id, 424242):
        response = client.get(f"/api/v1/interventions/{missing}")
        assert response.status_code == 404
        assert response.mimetype == "application/problem+json" and "detail" in response.get_json()


@pytest.mark.parametrize("query", ["page=0", "page=abc", "per_page=1000", "per_page=-3"])
def test_bad_paging_is_a_400_with_a_json_message(client, items, query):
    response = client.get(f"/api/v1/interventions?{query}")
    assert response.status_code == 400
    assert response.get_json()["status"] == 400 and "detail" in response.get_json()


def test_unknown_api_path_is_json(client, app):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404 and response.is_json
