"""A catalogue that keeps itself true, on a frozen clock.

Confirmed on 1 March, an intervention turns stale on 1 September (``STALE_AFTER_MONTHS`` 6);
its unit's digest goes out on 18 August, once, listing everything of that unit that needs
review; the stale flag shows on the page, the result card and in the API.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from portal.accounts.models import Role
from portal.audit.models import AuditEvent
from portal.catalogue.models import Intake, InterventionStart, InterventionStatus
from portal.extensions import db
from portal.notify.models import OutboxMessage
from portal.publishing import freshness
from tests.factories import PASSWORD

CONFIRMED = date(2026, 3, 1)
STALE = date(2026, 9, 1)


class Clock:
    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch
        self.set(CONFIRMED)

    def set(self, day: date) -> None:
        self.today = day
        for module in ("portal.publishing.freshness", "portal.catalogue.models"):
            self.monkeypatch.setattr(f"{module}.today", lambda: self.today)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def owner(make):
    return make.organisation(name="Kristianstads kommun", municipality_code="1290", slug="kristianstad")


@pytest.fixture
def returen(make, owner):
    return make.unit(owner, name="Returen", booking_email="returen@kristianstad.example.se")


@pytest.fixture
def items(make, owner, returen):
    in_unit = [make.intervention(owner, unit=returen, title=f"Returen {n}", confirmed_on=CONFIRMED) for n in (1, 2)]
    later = make.intervention(owner, unit=returen, title="Returen ny", confirmed_on=date(2026, 6, 1))
    without_unit = make.intervention(owner, title="Coachning i centrum", confirmed_on=CONFIRMED)
    return in_unit, later, without_unit


def digests() -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.execute(
        db.select(OutboxMessage).where(OutboxMessage.kind == "review_digest").order_by(OutboxMessage.id)
    ).scalars().all()


def test_one_digest_per_unit_fourteen_days_before_stale_and_never_again(app, clock, make, owner, items):
    editor = make.user(Role.EDITOR, owner, email="redaktor@kristianstad.example.se")
    clock.set(STALE - timedelta(days=15))
    assert freshness.run_daily(clock.today).digests == 0
    clock.set(STALE - timedelta(days=14))
    assert freshness.run_daily(clock.today).digests == 2
    sent = digests()
    by_recipient = {message.recipient: message for message in sent}
    assert set(by_recipient) == {"returen@kristianstad.example.se", editor.email}
    unit_digest = by_recipient["returen@kristianstad.example.se"].body
    assert "Returen 1" in unit_digest and "Returen 2" in unit_digest and "Returen ny" not in unit_digest
    assert "Coachning i centrum" in by_recipient[editor.email].body
    assert "/confirm/" in unit_digest and "http://localhost/manage/interventions/" in unit_digest
    for day in (STALE - timedelta(days=14), STALE - timedelta(days=13), STALE, STALE + timedelta(days=30)):
        clock.set(day)
        assert freshness.run_daily(clock.today).digests == 0
    assert len(digests()) == 2


def test_stale_flag_on_page_card_and_api(app, client, clock, items):
    (first, _second), _later, _other = items
    clock.set(STALE - timedelta(days=1))
    assert "stale-notice" not in client.get(f"/interventions/{first.id}").get_data(as_text=True)
    assert client.get(f"/api/v1/interventions/{first.id}").get_json()["stale"] is False
    clock.set(STALE)
    page = client.get(f"/interventions/{first.id}").get_data(as_text=True)
    assert "stale-notice" in page and "2026" in page
    assert client.get(f"/api/v1/interventions/{first.id}").get_json()["stale"] is True
    listing = client.get("/interventions", query_string={"q": "Returen"}).get_data(as_text=True)
    assert listing.count("badge-stale") == 2  # Returen 1 and 2; "Returen ny" was confirmed later


def test_the_reminders_link_confirms_for_an_editor_of_the_owner_only(app, client, clock, make, owner, items, no_csrf):
    (first, _second), _later, _other = items
    editor = make.user(Role.EDITOR, owner)
    stranger = make.user(Role.EDITOR, make.organisation())
    clock.set(STALE - timedelta(days=14))
    freshness.run_daily(clock.today)
    body = next(m.body for m in digests() if m.recipient == "returen@kristianstad.example.se")
    link = re.search(rf"http://localhost(/manage/interventions/{first.id}/confirm/\S+)", body).group(1)

    assert "/login" in client.get(link).location  # logged out: log in first
    client.post("/login", data={"email": stranger.email, "password": PASSWORD})
    assert client.get(link).status_code == 404  # another organisation's editor: nothing
    client.post("/logout")
    client.post("/login", data={"email": editor.email, "password": PASSWORD})
    assert client.get(link.replace(link.rsplit("/", 1)[1], "forged")).status_code == 404
    page = client.get(link).get_data(as_text=True)
    assert "Stämmer fortfarande" in page
    clock.set(STALE - timedelta(days=10))
    assert client.post(f"/manage/interventions/{first.id}/confirm").status_code == 302
    db.session.expire_all()
    assert first.confirmed_on == STALE - timedelta(days=10) and not first.is_stale
    assert db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "confirm")).scalar_one()


def test_the_editor_sees_what_needs_review_and_confirms_in_one_click(client, clock, make, owner, items, no_csrf):
    (first, second), later, other = items
    editor = make.user(Role.EDITOR, owner)
    client.post("/login", data={"email": editor.email, "password": PASSWORD})
    clock.set(STALE - timedelta(days=3))
    page = client.get("/en/manage/interventions").get_data(as_text=True)
    review = page.split('id="review-heading"', 1)[1].split("</section>", 1)[0]
    assert "Returen 1" in review and "Coachning i centrum" in review and "Returen ny" not in review
    client.post(f"/manage/interventions/{second.id}/confirm")
    review = client.get("/en/manage/interventions").get_data(as_text=True).split('id="review-heading"', 1)[1]
    assert "Returen 2" not in review.split("</section>", 1)[0]


def test_a_finished_cohort_closes_enrolment_by_itself(app, clock, make, owner):
    past = make.intervention(owner, intake=Intake.COHORTS, enrolment_open=True,
                             start_dates=[InterventionStart(starts_on=date(2026, 2, 1)),
                                          InterventionStart(starts_on=date(2026, 4, 1))])
    coming = make.intervention(owner, intake=Intake.COHORTS, enrolment_open=True,
                               start_dates=[InterventionStart(starts_on=date(2026, 5, 1))])
    clock.set(date(2026, 4, 1))
    assert freshness.run_daily(clock.today).closed_cohorts == []  # the last start is today
    clock.set(date(2026, 4, 2))
    assert freshness.run_daily(clock.today).closed_cohorts == [past.id]
    db.session.expire_all()
    assert past.enrolment_open is False and coming.enrolment_open is True


def test_the_owner_is_reminded_14_7_and_1_days_before_valid_until(app, clock, make, owner, returen):
    ends = date(2026, 12, 31)
    make.intervention(owner, unit=returen, title="Sommarjobb", valid_until=ends, confirmed_on=ends)
    sent_on = []
    day = ends - timedelta(days=20)
    while day <= ends:
        clock.set(day)
        if freshness.run_daily(day).expiry_reminders:
            sent_on.append((ends - day).days)
        day += timedelta(days=1)
    freshness.run_daily(ends - timedelta(days=7))  # a second run the same day sends nothing
    assert sent_on == [14, 7, 1]
    reminders = db.session.execute(
        db.select(OutboxMessage).where(OutboxMessage.kind == "expiry_reminder")).scalars().all()
    assert len(reminders) == 3 and all(m.recipient == "returen@kristianstad.example.se" for m in reminders)


def test_auto_pause_is_off_by_default_and_pauses_what_stays_stale(app, clock, items):
    (first, _second), _later, _other = items
    clock.set(STALE + timedelta(days=200))
    assert freshness.run_daily(clock.today).paused == []
    app.config["AUTO_PAUSE_AFTER_MONTHS"] = 12
    clock.set(date(2027, 3, 1))
    paused = freshness.run_daily(clock.today).paused
    db.session.expire_all()
    assert first.id in paused and first.status == InterventionStatus.PAUSED
