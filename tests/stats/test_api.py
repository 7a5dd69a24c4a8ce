"""/api/v1/stats/{flows,outcomes,funnel}: the independent counts, null for a suppressed count."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.stats import history
from tests.stats.test_pages import PERIOD


def counts(value) -> list:
    """Every {"count", "suppressed"} object anywhere in an answer."""
    if isinstance(value, dict):
        found = [value] if set(value) >= {"count", "suppressed"} else []
        return found + [item for child in value.values() for item in counts(child)]
    if isinstance(value, list):
        return [item for child in value for item in counts(child)]
    return []


def test_flows_equal_the_independent_counts(planned, client, app):
    app.config["STATS_MIN_CELL"] = 1
    answer = client.get("/api/v1/stats/flows", query_string=PERIOD).get_json()
    expected = history.flow_counts(planned, "accepted")
    got = {(row["home_municipality"] or "", row["owner"]["name"]): row["accepted"]["count"]
           for row in answer["rows"] if row["accepted"]["count"]}
    from portal.catalogue.models import Organisation
    from portal.extensions import db

    names = dict(db.session.execute(db.select(Organisation.id, Organisation.name)).all())
    assert got == {(home, names[owner]): count for (home, owner), count in expected.items()}
    assert answer["totals"]["requests"] == {"count": len(planned), "suppressed": False}
    assert answer["period"] == {"from": "2026-01-01", "to": "2026-06-30"}


def test_outcomes_and_funnel(planned, client, app):
    app.config["STATS_MIN_CELL"] = 1
    outcomes = client.get("/api/v1/stats/outcomes", query_string=PERIOD).get_json()
    expected = Counter((plan.outcome.value, history.gender_column(plan)) for plan in planned
                       if plan.final == "completed")
    got = {(row["outcome"], row["gender"]): row["count"] for row in outcomes["by_gender"]
           if row["status"] == "completed" and row["count"]}
    assert got == dict(expected)
    funnel = client.get("/api/v1/stats/funnel", query_string=PERIOD).get_json()
    assert funnel["steps"]["started"]["count"] == sum(plan.reached("started") for plan in planned)
    decided = [plan.decision_days for plan in planned if plan.reached("accepted") or plan.final == "declined"]
    assert funnel["median_days"]["request_to_decision"] == history.median(decided)


@pytest.mark.parametrize("path", ["flows", "outcomes", "funnel"])
def test_a_suppressed_count_is_null_and_no_small_number_appears(planned, client, path):
    response = client.get(f"/api/v1/stats/{path}", query_string=PERIOD)
    assert response.status_code == 200
    assert response.headers.get("Access-Control-Allow-Origin") == "*"
    found = counts(response.get_json())
    assert found
    for item in found:
        assert (item["count"] is None) == item["suppressed"]
        assert item["count"] is None or not 1 <= item["count"] <= 4
    if path != "funnel":
        assert any(item["suppressed"] for item in found)


@pytest.mark.parametrize("query", [{"from": "1.1.2026"}, {"from": "2026-06-01", "to": "2026-01-01"},
                                   {"municipality": "0000"}, {"type": "<script>"}])
def test_bad_parameters_are_problems(planned, client, query):
    response = client.get("/api/v1/stats/funnel", query_string=query)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"]


def test_not_published_means_not_found(planned, client, app):
    app.config["STATS_PUBLIC"] = False
    assert client.get("/api/v1/stats/flows").status_code == 404
    assert client.get("/statistik").status_code == 404
