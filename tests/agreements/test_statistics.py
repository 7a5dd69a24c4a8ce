"""Flows by agreement and the weekly prices a home municipality committed to other owners:
every figure against a count worked out in the test, on SQLite and PostgreSQL; small numbers
never show (nor sums over few places) and cannot be worked out; the period and the owning
municipality filter; CSV files; who may see them."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from portal.accounts.models import Role
from portal.agreements.models import Agreement, AgreementKind
from portal.agreements.statistics import agreement_figures
from portal.booking.models import HOME_OTHER, BookingRequest, BookingStatus, Outcome
from portal.booking.services import RequestData, submit_request
from portal.catalogue.models import OpenTo
from portal.extensions import db
from portal.stats.queries import Scope
from tests.agreements.test_verdict import build_world
from tests.booking.conftest import client_for, region  # noqa: F401  (fixtures)
from tests.stats.test_pages import read_csv, table_values

PERIOD = {"from": "2026-01-01", "to": "2026-06-30"}
SCOPE = Scope(date(2026, 1, 1), date(2026, 6, 30))
COMMITTED = {"accepted", "started", "completed", "interrupted"}
SMALL = {"1", "2", "3", "4"}
TABLES = ("agreements-requests", "agreements-committed", "agreements-weekly")


@dataclass
class Sent:
    home: str | None
    agreement: int | None
    owner_id: int
    owner_code: str
    requester_id: int | None
    status: str
    price: int | None
    created_at: datetime

    @property
    def counted(self) -> bool:
        """Sent to another organisation in the period (the figures' population)."""
        return (self.requester_id is not None and self.requester_id != self.owner_id
                and datetime(2026, 1, 1) <= self.created_at < datetime(2026, 7, 1))

    @property
    def key(self) -> tuple[str, int]:
        return (self.home or "", self.agreement or 0)


@pytest.fixture
def history(region, make):  # noqa: F811  (the region fixture, imported above)
    """260 requests between the three municipalities under two agreements, some outside the
    period, some sent by the owner itself or as an own application (neither counted)."""
    owners = [(region.intervention, region.hassleholm, "1293"),
              (make.intervention(region.bromolla, type_code="utbildning"), region.bromolla, "1272"),
              (make.intervention(region.osby, type_code="praktik"), region.osby, "1273")]
    nordost = Agreement(name="Skåne Nordost", kind=AgreementKind.REGIONAL, price_per_week_sek=0,
                        members=[region.bromolla, region.hassleholm, region.osby])
    bilateral = Agreement(name="Osby–Hässleholm", kind=AgreementKind.BILATERAL, price_per_week_sek=1200,
                          members=[region.osby, region.hassleholm])
    db.session.add_all([nordost, bilateral])
    db.session.commit()
    rng = random.Random(14)
    requesters = [region.bromolla.id, region.hassleholm.id, region.osby.id, region.osby.id, None]
    sent = []
    for number in range(260):
        intervention, owner, code = rng.choice(owners)
        plan = Sent(home=rng.choice(["1272", "1293", "1273", "1273", HOME_OTHER, None]),
                    agreement=rng.choice([nordost.id, nordost.id, bilateral.id, None]), owner_id=owner.id,
                    owner_code=code, requester_id=rng.choice(requesters),
                    status=rng.choice(list(BookingStatus)).value, price=rng.choice([0, 700, 1200, 1500, None]),
                    created_at=datetime(2025, 12, 1) + timedelta(days=rng.randrange(240), hours=9))
        sent.append(plan)
        db.session.add(BookingRequest(
            reference=f"BR-A-{number:05d}", intervention_id=intervention.id, owner_organisation_id=owner.id,
            requester_organisation_id=plan.requester_id, home_municipality=plan.home,
            agreement_id=plan.agreement, price_per_week_sek=plan.price, status=BookingStatus(plan.status),
            outcome=Outcome.WORK if plan.status == "completed" else None,
            created_at=plan.created_at, participant_reference=f"P-{number}"))
    db.session.commit()
    return sent


def expected(sent, *, owner_code: str | None = None) -> tuple[Counter, Counter, Counter]:
    requests, committed, weekly = Counter(), Counter(), Counter()
    for plan in sent:
        if not plan.counted or (owner_code and plan.owner_code != owner_code):
            continue
        requests[plan.key] += 1
        if plan.status in COMMITTED:
            committed[plan.key] += 1
            weekly[plan.key] += plan.price or 0
    return requests, committed, weekly


def shown(table) -> dict:
    return {key: cell.value for key, cell in table.cells.items() if cell.value}


@pytest.fixture
def admin(make):
    return make.user(Role.ADMIN, None, name="Regionadministratör")


def test_the_figures_equal_the_independent_counts(history, admin, app):
    app.config["STATS_MIN_CELL"] = 1  # nothing suppressed: every figure must equal its count
    found = agreement_figures(admin, SCOPE)
    requests, committed, weekly = expected(history)
    assert shown(found.requests.table) == dict(+requests)
    assert shown(found.committed.table) == dict(+committed)
    assert shown(found.weekly.table) == dict(+weekly)
    assert found.requests.table.total.value == sum(requests.values())
    assert found.weekly.table.total.value == sum(weekly.values())
    for home in found.weekly.table.rows:
        assert found.weekly.table.row_totals[home].value == sum(v for k, v in weekly.items() if k[0] == home)
    assert found.requests.column_labels[0] == "Inget avtal"  # the default language
    assert {"Skåne Nordost", "Osby–Hässleholm"} <= set(found.requests.column_labels.values())
    # The owning municipality and the period filter like the follow-up's.
    osby = agreement_figures(admin, Scope(SCOPE.start, SCOPE.end, municipality="1273"))
    requests, committed, weekly = expected(history, owner_code="1273")
    assert (shown(osby.requests.table), shown(osby.committed.table), shown(osby.weekly.table)) == (
        dict(+requests), dict(+committed), dict(+weekly))
    spring = agreement_figures(admin, Scope(date(2026, 2, 1), date(2026, 3, 31)))
    assert spring.requests.table.total.value == sum(
        plan.counted and date(2026, 2, 1) <= plan.created_at.date() <= date(2026, 3, 31) for plan in history)


def _lines(table) -> list[list]:
    """The sums the page shows: each row with its total, each column with its total, the totals."""
    lines = [[table.cell(row, column) for column in table.columns] + [table.row_totals[row]]
             for row in table.rows]
    lines += [[table.cell(row, column) for row in table.rows] + [table.column_totals[column]]
              for column in table.columns]
    lines += [[*table.row_totals.values(), table.total], [*table.column_totals.values(), table.total]]
    return lines


@pytest.mark.parametrize("owner_code", [None, "1273"])
def test_no_small_number_nor_a_sum_over_few_places_shows(history, admin, owner_code):
    found = agreement_figures(admin, Scope(SCOPE.start, SCOPE.end, municipality=owner_code))
    requests, committed, weekly = expected(history, owner_code=owner_code)
    for table, counts in ((found.requests.table, requests), (found.committed.table, committed)):
        assert table.any_suppressed
        for key, cell in table.cells.items():
            assert cell.suppressed == (0 < counts[key] < 5) or (cell.suppressed and counts[key] >= 5), key
            assert cell.suppressed or cell.value == counts[key]
        for line in _lines(table):  # a line with one hidden member would give it away
            assert sum(cell.suppressed for cell in line) != 1
    sums = found.weekly.table
    for key, cell in sums.cells.items():
        if 0 < committed[key] < 5:
            assert cell.suppressed, key
        assert cell.suppressed == found.committed.table.cells[key].suppressed
    for line in _lines(sums):
        assert sum(cell.suppressed for cell in line) != 1


def test_the_page_and_the_files_show_no_small_number(history, admin, client_for):  # noqa: F811
    client = client_for(admin)
    for query in (PERIOD, PERIOD | {"municipality": "1273"}):
        response = client.get("/en/admin/agreements/figures", query_string=query)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "fewer than 5" in page and "To protect the participants" in page
        for table_id in ("agreements-requests", "agreements-committed"):
            for row in table_values(page, table_id)[1:]:
                assert not SMALL & set(row[1:]), (table_id, row)
        weekly = table_values(page, "agreements-weekly")
        assert "not shown" in {value for row in weekly for value in row}
        for name in TABLES:
            file = client.get(f"/en/admin/agreements/figures/{name}.csv", query_string=query)
            assert file.headers["Content-Type"] == "text/csv; charset=utf-8"
            assert "attachment" in file.headers["Content-Disposition"] and b"\r\n" in file.get_data()
            rows = read_csv(file)
            assert rows[0][0] == "Home municipality / agreement" and rows[-1][0] == "Total"
            if name != "agreements-weekly":
                for row in rows[1:]:
                    assert not SMALL & set(row[1:]), (name, row)
            page_rows = table_values(page, name)
            assert [row[0] for row in rows] == [row[0] for row in page_rows]


def test_the_file_equals_the_independent_counts(history, admin, client_for, app):  # noqa: F811
    app.config["STATS_MIN_CELL"] = 1
    requests, committed, weekly = expected(history)
    names = {"Osby kommun": "1273", "Bromölla kommun": "1272", "Hässleholms kommun": "1293",
             "Another municipality": HOME_OTHER, "Not stated": ""}
    client = client_for(admin)
    for name, counts in (("agreements-requests", requests), ("agreements-weekly", weekly)):
        rows = read_csv(client.get(f"/en/admin/agreements/figures/{name}.csv", query_string=PERIOD))
        header = rows[0]
        column = header.index("Osby–Hässleholm")
        agreement = db.session.execute(db.select(Agreement.id).where(Agreement.name == "Osby–Hässleholm")).scalar()
        by_home = {row[0]: row for row in rows[1:]}
        for label, home in names.items():
            assert by_home[label][column] == str(counts[(home, agreement)]), (name, label)
            assert by_home[label][-1] == str(sum(v for k, v in counts.items() if k[0] == home))
        assert by_home["Total"][-1] == str(sum(counts.values()))


@pytest.mark.parametrize("query", [{"from": "2026-13-01"}, {"from": "2026-06-01", "to": "2026-01-01"},
                                   {"to": "01/06/2026"}, {"from": "1800-01-01"}, {"municipality": "9999"},
                                   {"municipality": "x" * 300}, {"type": "nope"}])
def test_bad_parameters_get_a_clear_answer(history, admin, client_for, query):  # noqa: F811
    client = client_for(admin)
    for path in ("/en/admin/agreements/figures", "/en/admin/agreements/figures/agreements-weekly.csv"):
        response = client.get(path, query_string=query)
        assert response.status_code == 400, (path, query)
        assert "<table" not in response.get_data(as_text=True)
    page = client.get("/en/admin/agreements/figures", query_string=query).get_data(as_text=True)
    assert any(words in page for words in ("YYYY-MM-DD", "before its end", "between the years",
                                            "from the list")), page[-2000:]
    assert client.get("/en/admin/agreements/figures/nope.csv").status_code == 404


@pytest.mark.parametrize("role", [Role.ORG_ADMIN, Role.CASEWORKER, Role.EDITOR])
def test_others_are_refused_and_see_no_link(history, client_for, make, region, role):  # noqa: F811
    client = client_for(make.user(role, region.osby))
    for path in ("/en/admin/agreements/figures", "/en/admin/agreements/figures/agreements-requests.csv",
                 "/en/admin/agreements/figures?from=nonsense"):
        response = client.get(path)
        assert response.status_code == 403, path
        body = response.get_data(as_text=True)
        assert "Osby–Hässleholm" not in body and "<table" not in body
    if role == Role.ORG_ADMIN:
        assert 'id="agreement-figures-link"' not in client.get("/en/stats").get_data(as_text=True)


def test_the_dashboard_links_the_figures_with_its_period(history, admin, client_for):  # noqa: F811
    page = client_for(admin).get("/en/stats", query_string=PERIOD | {"municipality": "1273"}).get_data(as_text=True)
    link = page.split('id="agreement-figures-link"')[0].rsplit('<a href="', 1)[1].split('"')[0]
    assert link.startswith("/en/admin/agreements/figures?")
    assert "from=2026-01-01" in link and "to=2026-06-30" in link and "municipality=1273" in link


def test_the_terms_a_request_was_sent_under_are_counted(client, login, make, no_csrf, app):
    """Through the booking form's own terms: the agreement and its price go into the figures."""
    app.config["STATS_MIN_CELL"] = 1
    world = build_world(make, "bilateral")  # Osby–Kristianstad at 1 200 kr a week
    officer = make.user(Role.CASEWORKER, world["osby"])
    requests = [submit_request(officer, world["items"][openness], RequestData(
        participant_reference=f"R{n}", home_municipality="1273")).request
        for n, openness in enumerate((OpenTo.AGREEMENT, OpenTo.ANYONE, OpenTo.REGION))]
    requests[0].status = requests[1].status = BookingStatus.ACCEPTED
    db.session.commit()
    admin = make.user(Role.ADMIN)
    found = agreement_figures(admin, Scope(date(2026, 1, 1), date.today() + timedelta(days=1)))
    agreement = requests[0].agreement_id
    assert agreement is not None and requests[1].agreement_id == agreement
    assert found.requests.table.cell("1273", agreement).value == 3
    assert found.committed.table.cell("1273", agreement).value == 2
    assert found.weekly.table.cell("1273", agreement).value == 2400
    login(admin)
    page = client.get("/en/admin/agreements/figures").get_data(as_text=True)
    assert "Osby–Kristianstad" in page and "2,400 kr" in page
