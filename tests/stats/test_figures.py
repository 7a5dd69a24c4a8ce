"""Every figure against a count worked out independently from the plan of the history,
on SQLite and PostgreSQL; then small numbers never show and cannot be worked out."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

import pytest

from portal.booking.services import purge_closed_requests
from portal.stats import figures
from portal.stats.queries import Scope
from portal.stats.suppression import Cell
from tests.stats import history

START = datetime(2026, 1, 1)
SCOPE = Scope(date(2026, 1, 1), date(2026, 6, 30))




@pytest.fixture
def exact(app):
    app.config["STATS_MIN_CELL"] = 1  # nothing suppressed: every figure must equal its count


def values(table) -> dict:
    return {key: cell.value for key, cell in table.cells.items() if cell.value}


def test_flows_equal_the_independent_counts(planned, exact):
    flows = figures.flows(SCOPE)
    for measure in figures.FLOW_MEASURES:
        expected = history.flow_counts(planned, measure)
        table = flows.by_measure[measure].table
        assert values(table) == {key: count for key, count in expected.items() if count}
        assert table.total.value == sum(expected.values())
    accepted = [plan for plan in planned if plan.reached("accepted") and plan.home]
    outside = [plan for plan in accepted if plan.home != plan.owner_code]
    assert flows.outside.value == len(outside)
    assert flows.outside_share == round(100 * len(outside) / len(accepted), 1)


def test_outcomes_by_gender_and_type(planned, exact):
    outcomes = figures.outcomes(SCOPE, "sv")
    by_gender, by_type = Counter(), Counter()
    for plan in planned:
        category = history.outcome_category(plan)
        if category:
            by_gender[(category, history.gender_column(plan))] += 1
            by_type[(category, plan.type_code)] += 1
    assert values(outcomes.by_gender.table) == dict(by_gender)
    assert values(outcomes.by_type.table) == dict(by_type)


def test_funnel_waiting_and_months(planned, exact):
    funnel = figures.funnel(SCOPE)
    for step in ("received", "waitlisted", "accepted", "declined", "started", "completed", "interrupted",
                 "withdrawn"):
        assert funnel.steps[step].value == sum(plan.reached(step) for plan in planned), step
    assert funnel.steps["requests"].value == len(planned)
    accepted = sum(plan.reached("accepted") for plan in planned)
    declined = sum(plan.final == "declined" for plan in planned)
    assert funnel.acceptance_rate == round(100 * accepted / (accepted + declined), 1)
    reasons = Counter(plan.reason.value for plan in planned if plan.final == "declined")
    assert {key: cell.value for key, cell in funnel.decline_reasons.items() if cell.value} == dict(reasons)
    decided = [plan.decision_days for plan in planned if plan.reached("accepted") or plan.final == "declined"]
    started = [plan.start_days for plan in planned if plan.reached("started")]
    assert funnel.waiting["request_to_decision"] == history.median(decided)
    assert funnel.waiting["acceptance_to_start"] == history.median(started)
    months = Counter(plan.created_at.strftime("%Y-%m") for plan in planned)
    assert {key: cell.value for key, cell in funnel.per_month.items()} == {
        f"2026-{month:02d}": months.get(f"2026-{month:02d}", 0) for month in range(1, 7)}


def test_filters_by_owning_municipality_and_type(planned, exact, region):
    osby = Scope(SCOPE.start, SCOPE.end, municipality="1273")
    assert figures.funnel(osby).steps["requests"].value == sum(plan.owner_code == "1273" for plan in planned)
    course = Scope(SCOPE.start, SCOPE.end, type_code="utbildning")
    assert figures.flows(course).by_measure["requests"].table.total.value == \
        sum(plan.type_code == "utbildning" for plan in planned)
    spring = Scope(date(2026, 2, 1), date(2026, 3, 31))
    assert figures.funnel(spring).steps["requests"].value == \
        sum(date(2026, 2, 1) <= plan.created_at.date() <= date(2026, 3, 31) for plan in planned)


def test_participants_headline(planned, exact):
    headline = figures.headline(SCOPE)
    started = [plan for plan in planned if plan.reached("started")]
    assert headline.participants.value == len(started)
    assert headline.women.value == sum(history.gender_column(plan) == "female" for plan in started)
    assert headline.men.value == sum(history.gender_column(plan) == "male" for plan in started)
    assert headline.to_work.value == sum(plan.final == "completed" and plan.outcome.value == "work"
                                         for plan in planned)


def test_capacity_offered_and_taken(planned, exact, app):
    from portal.catalogue.models import Intervention, Organisation, Vocabulary
    from portal.catalogue.taxonomy import label_of
    from portal.extensions import db

    names = dict(db.session.execute(db.select(Organisation.id, Organisation.name)).all())
    offered = Counter()
    for item in db.session.execute(db.select(Intervention).where(Intervention.status == "published")).scalars():
        offered[(names[item.organisation_id], item.type.code)] += item.capacity
    taken = Counter((names[plan.owner_id], plan.type_code) for plan in planned if plan.reached("accepted"))
    rows = figures.capacity(SCOPE, "en").rows
    shown = {(owner, label): (places, cell.value) for owner, label, places, cell in rows}
    assert shown == {(owner, label_of(Vocabulary.TYPE, code, "en")): (places, taken[(owner, code)])
                     for (owner, code), places in offered.items()}


def all_cells(report) -> list[Cell]:
    flows, outcomes, funnel, headline = report
    cells = [cell for labelled in flows.by_measure.values() for cell in labelled.table.all_cells()]
    cells += outcomes.by_gender.table.all_cells() + outcomes.by_type.table.all_cells()
    cells += [*funnel.steps.values(), *funnel.decline_reasons.values(), *funnel.per_month.values()]
    cells += [headline.requests, headline.participants, headline.women, headline.men, headline.to_work]
    return cells


def report():
    return (figures.flows(SCOPE), figures.outcomes(SCOPE, "sv"), figures.funnel(SCOPE), figures.headline(SCOPE))


def test_no_small_number_is_shown_and_none_can_be_worked_out(planned):
    flows, outcomes, funnel, headline = report()
    shown = [cell.value for cell in all_cells((flows, outcomes, funnel, headline)) if not cell.suppressed]
    assert not [value for value in shown if 1 <= value <= 4]
    assert any(cell.suppressed for cell in all_cells((flows, outcomes, funnel, headline)))
    tables = [labelled.table for labelled in flows.by_measure.values()]
    tables += [outcomes.by_gender.table, outcomes.by_type.table]
    for table in tables:
        lines = [[table.cells[(row, column)] for column in table.columns] + [table.row_totals[row]]
                 for row in table.rows]
        lines += [[table.cells[(row, column)] for row in table.rows] + [table.column_totals[column]]
                  for column in table.columns]
        lines += [[*table.row_totals.values(), table.total], [*table.column_totals.values(), table.total]]
        for line in lines:
            assert sum(cell.suppressed for cell in line) != 1  # one hidden member = derivable
    # Where the shown values of a line determine the hidden ones, they must add up to ≥ 5 each way.
    for table in tables:
        for row in table.rows:
            hidden = [table.cells[(row, column)] for column in table.columns if table.cells[(row, column)].suppressed]
            if table.row_totals[row].suppressed or not hidden:
                continue
            rest = table.row_totals[row].value - sum(table.cells[(row, column)].value or 0
                                                     for column in table.columns)
            assert rest >= 2  # at least two hidden persons share what is left


def test_anonymisation_keeps_every_figure(planned, exact):
    before = report()
    assert purge_closed_requests(0, now=datetime(2030, 1, 1)).anonymised > 0
    assert report() == before
