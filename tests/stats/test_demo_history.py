"""`flask portal demo` adds an 18-month history once, so that the dashboard shows something."""

from __future__ import annotations

from portal.accounts.models import Role
from portal.booking.models import BookingRequest, BookingStatus, Gender
from portal.extensions import db
from portal.stats.models import FollowUpPrompt, StatsTarget


def count(statement) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(statement.subquery())).scalar_one()


def test_the_history_is_added_once_and_has_everything(app, runner, make, client_for):
    result = runner.invoke(args=["portal", "demo"])
    assert result.exit_code == 0, result.output
    assert "booking requests of history added" in result.output
    total = count(db.select(BookingRequest))
    assert total >= 400
    homes = {home for (home,) in db.session.execute(db.select(BookingRequest.home_municipality).distinct())}
    owners = {owner for (owner,) in db.session.execute(db.select(BookingRequest.owner_organisation_id).distinct())}
    assert len(homes - {None, "other"}) == 6 and len(owners) == 6
    statuses = {status for (status,) in db.session.execute(db.select(BookingRequest.status).distinct())}
    assert {BookingStatus.DECLINED, BookingStatus.STARTED, BookingStatus.COMPLETED,
            BookingStatus.INTERRUPTED} <= statuses
    genders = {gender for (gender,) in db.session.execute(db.select(BookingRequest.gender).distinct())}
    assert {Gender.FEMALE, Gender.MALE} <= genders
    assert count(db.select(FollowUpPrompt).where(FollowUpPrompt.answer.is_not(None))) > 20
    assert count(db.select(StatsTarget)) == 5
    before = (total, count(db.select(FollowUpPrompt)))
    assert runner.invoke(args=["portal", "demo"]).exit_code == 0
    assert (count(db.select(BookingRequest)), count(db.select(FollowUpPrompt))) == before

    admin = make.user(Role.ADMIN, None)
    page = client_for(admin).get("/en/stats").get_data(as_text=True)
    assert "Targets and what was reached" in page and "fewer than 5" in page
    public = client_for(admin).get("/en/statistik").get_data(as_text=True)
    assert "Flows between municipalities" in public
