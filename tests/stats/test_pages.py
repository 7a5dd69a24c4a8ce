"""The follow-up pages, CSV files and charts: every figure equals a count worked out from the
plan of the history, and who may see what."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import datetime

import pytest

from portal.accounts.models import Role
from tests.stats import history

START = datetime(2026, 1, 1)
PERIOD = {"from": "2026-01-01", "to": "2026-06-30"}




@pytest.fixture
def admin(make):
    return make.user(Role.ADMIN, None, name="Regionadministratör")


def text(response) -> str:
    return response.get_data(as_text=True)


def table_values(page: str, table_id: str) -> list[list[str]]:
    """The rows of one table of the page as text cells (tags stripped)."""
    match = re.search(rf'<table[^>]*id="{table_id}".*?</table>', page, re.S)
    assert match, f"no table {table_id}"
    rows = re.findall(r"<tr>(.*?)</tr>", match.group(0), re.S)
    return [[re.sub(r"<[^>]+>", "", cell).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]


def read_csv(response) -> list[list[str]]:
    data = response.get_data()
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def expected_cell(value: int, min_cell: int = 5) -> str:
    return "fewer than 5" if 0 < value < min_cell else str(value)


def test_the_dashboard_shows_the_independent_counts(planned, client_for, admin, app):
    app.config["STATS_MIN_CELL"] = 1
    page = text(client_for(admin).get("/en/stats", query_string=PERIOD))
    funnel = dict(table_values(page, "funnel")[1:])
    assert funnel["Requests sent"] == str(len(planned))
    assert funnel["Started"] == str(sum(plan.reached("started") for plan in planned))
    gender = table_values(page, "outcomes-gender")
    header, rows = gender[0], {row[0]: row[1:] for row in gender[1:]}
    expected = Counter((history.outcome_category(plan), history.gender_column(plan)) for plan in planned
                       if history.outcome_category(plan))
    women = header.index("Women") - 1
    assert rows["Completed: Work"][women] == str(expected[("completed:work", "female")])
    assert rows["Total"][-1] == str(sum(expected.values()))


def test_csv_opens_in_excel_with_swedish_settings(planned, client_for, admin, app):
    app.config["STATS_MIN_CELL"] = 1
    response = client_for(admin).get("/en/stats/flows-requests.csv", query_string=PERIOD)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert b"\r\n" in response.get_data()
    header = rows[0]
    counts = history.flow_counts(planned, "requests")
    by_name = {row[0]: row for row in rows[1:]}
    bromolla_column = header.index("Bromölla kommun")
    from portal.catalogue.models import Organisation
    from portal.extensions import db

    bromolla_id = db.session.execute(db.select(Organisation.id).where(Organisation.slug == "bromolla")).scalar_one()
    assert by_name["Osby kommun"][bromolla_column] == str(counts[("1273", bromolla_id)])
    assert by_name["Total"][-1] == str(len(planned))


def test_no_small_number_reaches_a_page_or_a_file(planned, client_for, admin, client):
    pages = [text(client_for(admin).get("/en/stats", query_string=PERIOD)),
             text(client.get("/en/statistik", query_string=PERIOD))]
    for page in pages:
        assert "To protect the participants" in page
        for table_id in ("flows-requests", "flows-accepted", "outcomes-gender", "funnel", "decline-reasons",
                         "months"):
            for row in table_values(page, table_id)[1:]:
                assert not [value for value in row[1:] if value in {"1", "2", "3", "4"}], (table_id, row)
    assert "fewer than 5" in pages[0]
    for name in ("flows-requests", "flows-accepted", "flows-started", "flows-completed", "outcomes-gender",
                 "outcomes-type", "funnel", "decline-reasons", "months", "capacity"):
        rows = read_csv(client_for(admin).get(f"/en/stats/{name}.csv", query_string=PERIOD))
        for row in rows[1:]:
            values = row[1:] if name != "capacity" else row[3:]
            assert not [value for value in values if value in {"1", "2", "3", "4"}], (name, row)


def test_charts_are_svg_without_script_and_have_their_table(planned, client_for, admin, client):
    page = text(client.get("/en/statistik", query_string=PERIOD))
    sources = re.findall(r'<img src="([^"]+\.svg[^"]*)" alt="([^"]+)"', page)
    assert len(sources) == 3
    for source, alt in sources:
        assert "table" in alt
        response = client.get(source.replace("&amp;", "&"))
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        svg = response.get_data(as_text=True)
        assert svg.startswith("<svg") and "<script" not in svg
        assert "http://" not in re.sub(r'xmlns(:\w+)?="[^"]+"|<!--.*?-->', "", svg)


def test_an_org_admin_sees_their_own_organisation_only(planned, client_for, make, region):
    org_admin = make.user(Role.ORG_ADMIN, region.osby)
    client = client_for(org_admin)
    page = text(client.get("/en/stats", query_string=PERIOD))
    assert "Osby kommun" in page
    own = sum(plan.owner_id == region.osby.id for plan in planned)
    assert own >= 5  # everything was sent by Bromölla: what Osby received
    funnel = dict(table_values(page, "funnel")[1:])
    assert funnel["Requests sent"] == str(own)
    assert client.get("/stats", query_string={"organisation": region.hassleholm.id}).status_code == 403
    assert client.get("/stats/funnel.csv", query_string={"organisation": region.hassleholm.id}).status_code == 403


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.EDITOR])
def test_other_roles_are_refused(planned, client_for, make, region, role):
    client = client_for(make.user(role, region.osby))
    for path in ("/stats", "/stats/funnel.csv", "/stats/charts/outcomes.svg"):
        assert client.get(path).status_code == 403


def test_visitors_see_the_public_page_only(planned, client, app):
    assert client.get("/stats").status_code == 302
    for language in ("", "/en", "/ar", "/uk"):
        assert client.get(f"{language}/statistik").status_code == 200
    assert client.get("/statistik/capacity.csv").status_code == 404
    app.config["STATS_PUBLIC"] = False
    assert client.get("/statistik").status_code == 404


@pytest.mark.parametrize("query", [{"from": "2026-13-01"}, {"from": "2026-06-01", "to": "2026-01-01"},
                                   {"municipality": "9999"}, {"type": "nope"}, {"organisation": "x"}])
def test_bad_parameters_get_a_clear_answer(planned, client_for, admin, query):
    response = client_for(admin).get("/en/stats", query_string=query)
    assert response.status_code == 400


def test_a_refused_request_changes_and_reveals_nothing(planned, client_for, make, region):
    from portal.audit.models import AuditEvent
    from portal.booking.models import BookingRequest
    from portal.extensions import db

    def state():
        return (db.session.execute(db.select(db.func.count(AuditEvent.id))).scalar_one(),
                db.session.execute(db.select(db.func.count(BookingRequest.id))).scalar_one())

    org_admin = client_for(make.user(Role.ORG_ADMIN, region.osby))
    before = state()  # after the login, which is audited
    for path in (f"/en/stats?organisation={region.hassleholm.id}",
                 f"/en/stats/flows-requests.csv?organisation={region.hassleholm.id}",
                 f"/en/stats/charts/flows.svg?organisation={region.hassleholm.id}"):
        response = org_admin.get(path)
        assert response.status_code == 403
        body = text(response)
        assert "Hässleholms kommun" not in body and "<table" not in body and "<svg" not in body
    assert state() == before
