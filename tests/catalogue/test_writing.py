"""One write path: what the importer stores is what the editor's form stores for the same record."""

from __future__ import annotations

import pytest

from portal.accounts.models import Role
from portal.audit.models import AuditEvent
from portal.catalogue.importer import import_records
from portal.catalogue.models import Intervention
from portal.catalogue.writing import snapshot
from portal.extensions import db
from tests.factories import PASSWORD

TITLE = "Arbetsträning <b>i cykelverkstad</b>"
DESCRIPTION = "Första stycket &lt;img src=x onerror=alert(1)&gt;.\n\n<script>alert(1)</script>Andra stycket."


@pytest.fixture
def owner(make):
    return make.organisation(name="Hörby kommun", municipality_code="1266", slug="horby")


def test_an_imported_record_and_the_same_record_typed_into_the_form_are_identical(client, no_csrf, make, owner):
    record = {
        "id": "W1", "municipality_code": "1266", "title": TITLE, "summary": "Reparera cyklar.",
        "description": DESCRIPTION, "type": "arbetstraning", "target_groups": ["unga"],
        "referrers": ["socialtjansten"], "languages": ["sv", "ar"], "intake": "rolling", "format": "on_site",
        "enrolment_open": True, "capacity": 8, "places_available": 3, "cost_per_week_sek": 500,
        "status": "draft", "contact_email": "Kontakt@Horby.example.se", "contact_phone": "",
        "translations": {"en": {"title": "Work <i>training</i>", "summary": "Bikes.", "description": ""}},
    }
    report = import_records([record])
    assert report.ok, report.errors
    imported = db.session.execute(db.select(Intervention).where(Intervention.external_id == "W1")).scalar_one()

    editor = make.user(Role.EDITOR, owner)
    client.post("/login", data={"email": editor.email, "password": PASSWORD})
    response = client.post("/manage/interventions/new", data={
        "organisation": owner.id, "unit": "0", "title": TITLE, "summary": "Reparera cyklar.",
        "description": DESCRIPTION, "type": "arbetstraning", "target_groups": ["unga"],
        "referrers": ["socialtjansten"], "languages": ["sv", "ar"], "delivery_format": "on_site",
        "intake": "rolling", "start_dates": "", "enrolment_open": "y", "capacity": "8", "places_available": "3",
        "price_per_week_sek": "500", "contact_email": "Kontakt@Horby.example.se", "contact_phone": "",
        "translation_en-title": "Work <i>training</i>", "translation_en-summary": "Bikes.",
        "translation_ar-title": "",
    })
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    typed = db.session.execute(db.select(Intervention).where(Intervention.external_id.is_(None))).scalar_one()

    assert snapshot(typed) == snapshot(imported)
    assert imported.title == "Arbetsträning i cykelverkstad"
    assert "<" not in imported.description and "onerror" not in imported.description.split("&")[0]
    assert imported.contact_phone is None and [t.locale for t in imported.translations] == ["en"]
    events = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.record_type == "intervention", AuditEvent.action == "create")
    ).scalars().all()
    assert {event.record_id for event in events} == {str(imported.id), str(typed.id)}
    assert all("title" in event.changes for event in events)


def test_a_second_import_of_the_same_record_changes_and_audits_nothing(app, owner, taxonomy):
    record = {"id": "W2", "municipality_code": "1266", "title": "Praktik", "summary": "Praktik.",
              "type": "praktik", "capacity": 2, "places_available": 1}
    import_records([record])
    version = db.session.execute(db.select(Intervention.version)).scalar_one()
    report = import_records([record])
    assert report.unchanged == ["W2"]
    assert db.session.execute(db.select(Intervention.version)).scalar_one() == version
    updates = db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "update")).scalars().all()
    assert updates == []


def test_the_importer_refuses_what_the_form_refuses(app, owner, taxonomy):
    report = import_records([{"id": "W3", "municipality_code": "1266", "title": "Praktik", "summary": "P.",
                              "type": "praktik", "capacity": 2, "places_available": 1,
                              "contact_email": "not an address@"}])
    assert not report.ok and report.errors[0].field == "contact_email"
