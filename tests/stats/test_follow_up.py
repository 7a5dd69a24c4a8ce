"""Follow-up prompts with a frozen clock: one 3-month and one 6-month prompt per closed request,
none for an anonymised one; the answers in the outcome tables. And the region's targets."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from portal.accounts.models import Role
from portal.booking.models import BookingNotification, BookingStatus, Outcome, ReasonCode
from portal.booking.services import Decision, anonymise, transition
from portal.extensions import db
from portal.notify.models import OutboxMessage
from portal.stats import figures, follow_up, targets
from portal.stats.models import FollowUpPrompt, StatsTarget, TargetMeasure
from portal.stats.queries import Scope
from portal.tasks import jobs
from tests.stats.booking_helpers import new_request

CLOSED = datetime(2026, 3, 10, 9, 0)


class Clock:
    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch

    def set(self, moment: datetime) -> None:
        self.monkeypatch.setattr("portal.stats.follow_up.utcnow", lambda: moment)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def closed(region):
    """Two closed requests (completed, interrupted), one anonymised, one still open."""
    completed = new_request(region, status="completed")
    started = new_request(region, status="started")
    transition(region.hassleholm_editor, started, "interrupt", Decision(reason=ReasonCode.ILL))
    anonymised = new_request(region, status="completed")
    open_one = new_request(region, status="started")
    for booking in (completed, started, anonymised):
        booking.closed_at = CLOSED
    anonymise(anonymised)
    db.session.commit()
    return completed, started, anonymised, open_one


def prompts() -> list[tuple[int, int]]:
    return [tuple(row) for row in db.session.execute(
        db.select(FollowUpPrompt.request_id, FollowUpPrompt.months).order_by(FollowUpPrompt.request_id,
                                                                              FollowUpPrompt.months))]


def test_exactly_one_prompt_at_3_and_at_6_months(closed, clock, region):
    completed, interrupted, anonymised, _open = closed
    clock.set(CLOSED + timedelta(days=80))
    jobs.send_follow_up_prompts.job()
    assert prompts() == []
    clock.set(CLOSED + timedelta(days=93))
    jobs.send_follow_up_prompts.job()
    jobs.send_follow_up_prompts.job()  # again (a restart, a second node): nothing more
    assert prompts() == [(completed.id, 3), (interrupted.id, 3)]
    clock.set(CLOSED + timedelta(days=190))
    jobs.send_follow_up_prompts.job()
    clock.set(CLOSED + timedelta(days=400))
    jobs.send_follow_up_prompts.job()
    assert prompts() == [(completed.id, 3), (completed.id, 6), (interrupted.id, 3), (interrupted.id, 6)]
    assert anonymised.id not in {request_id for request_id, _months in prompts()}
    mails = db.session.execute(db.select(OutboxMessage).where(OutboxMessage.kind == "follow_up")).scalars().all()
    assert len(mails) == 4 and {mail.recipient for mail in mails} == {region.caseworker.email}
    assert "/follow-up/" in mails[0].body
    notifications = db.session.execute(db.select(BookingNotification).where(
        BookingNotification.kind == "follow_up")).scalars().all()
    assert len(notifications) == 4


def test_the_case_officer_answers_and_the_answer_is_counted(closed, clock, region, client_for, app):
    app.config["STATS_MIN_CELL"] = 1
    clock.set(CLOSED + timedelta(days=93))
    follow_up.send_due_prompts()
    caseworker = client_for(region.caseworker)
    page = caseworker.get("/en/follow-up").get_data(as_text=True)
    assert "3 months after" in page
    prompt = db.session.execute(db.select(FollowUpPrompt).order_by(FollowUpPrompt.id)).scalars().first()
    form = caseworker.get(f"/en/follow-up/{prompt.id}").get_data(as_text=True)
    assert "How is the participant doing now?" in form and "Looking for work" in form
    assert caseworker.post(f"/follow-up/{prompt.id}", data={"answer": "nonsense"}).status_code == 422
    assert caseworker.post(f"/follow-up/{prompt.id}", data={"answer": "in_work"}).status_code == 302
    other = client_for(region.osby_editor)
    assert other.get(f"/follow-up/{prompt.id}").status_code == 404
    assert other.post(f"/follow-up/{prompt.id}", data={"answer": "other"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(FollowUpPrompt, prompt.id).answer.value == "in_work"
    table = figures.outcomes(Scope(date(2026, 1, 1), date(2027, 12, 31)), "en").follow_up.table
    assert table.cell("in_work", 3).value == 1 and table.total.value == 1


@pytest.fixture
def admin(make):
    return make.user(Role.ADMIN, None)


def test_targets_are_shown_beside_what_was_reached(region, admin, client_for, app):
    app.config["STATS_MIN_CELL"] = 1
    for _ in range(3):
        new_request(region, status="completed", gender="female")
    client = client_for(admin)
    form = {"period_start": "2020-01-01", "period_end": "2029-12-31", "participants": "150", "women": "80",
            "men": "70", "to_work": "65", "to_studies": "10"}
    assert client.post("/stats/targets", data=form).status_code == 302
    assert db.session.execute(db.select(db.func.count(StatsTarget.id))).scalar_one() == 5
    page = client.get("/en/stats", query_string={"from": "2020-01-01", "to": "2029-12-31"}).get_data(as_text=True)
    assert "Targets and what was reached" in page
    periods = targets.target_periods()
    lines = {line.measure: (line.target, line.reached.value) for line in periods[0].lines}
    assert lines[TargetMeasure.PARTICIPANTS] == (150, 3)
    assert lines[TargetMeasure.WOMEN] == (80, 3)
    assert lines[TargetMeasure.TO_WORK] == (65, 3)


def test_only_the_region_administrator_sets_targets(region, client_for, make):
    org_admin = make.user(Role.ORG_ADMIN, region.osby)
    response = client_for(org_admin).post("/stats/targets", data={
        "period_start": "2026-01-01", "period_end": "2026-12-31", "participants": "1"})
    assert response.status_code == 403
    assert db.session.execute(db.select(db.func.count(StatsTarget.id))).scalar_one() == 0


def test_bad_target_values_change_nothing(admin, client_for):
    client = client_for(admin)
    for form in ({"period_start": "2026-13-01", "period_end": "2026-12-31"},
                 {"period_start": "2026-12-01", "period_end": "2026-01-31", "men": "4"},
                 {"period_start": "2026-01-01", "period_end": "2026-12-31", "men": "-4"}):
        assert client.post("/stats/targets", data=form).status_code == 422
    assert db.session.execute(db.select(db.func.count(StatsTarget.id))).scalar_one() == 0


def test_an_open_request_gets_no_prompt(region, clock):
    booking = new_request(region, status="started")
    assert booking.status == BookingStatus.STARTED
    clock.set(datetime(2035, 1, 1))
    assert follow_up.send_due_prompts() == 0
    assert Outcome.WORK  # the enum is the outcome vocabulary the prompts complement
