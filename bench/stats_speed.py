"""Speed of the follow-up's statistics at 100 000 booking requests, on SQLite and PostgreSQL.

For each backend the script creates a throwaway database (the models' schema with every
index), loads the demo region, generates ``--requests`` booking requests with their events
(deterministically, over 18 months, every lifecycle path, women and men, six municipalities)
with bulk inserts, and then times

1. every statistics query of ``portal/stats/queries.py`` for the default period (the last
   12 months) and for one owning municipality (``--runs`` times each: median and p95);
2. the whole dashboard page (``GET /en/stats`` as the region administrator, through the
   Flask test client: every query, suppression and the template), warm (the figures cache
   of ``portal/stats/cache.py`` holds the data version's figures) and cold (emptied before
   each request), the public page and one chart (SVG).

It prints a markdown report. A benchmark measures; it never fails on a missed target
(dashboard p95 <= 300 ms on PostgreSQL at 100 000 requests).

    .venv/bin/python bench/stats_speed.py [--requests 100000] [--runs 10] [--skip-sqlite] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PATHS = {
    "submitted": [], "received": ["received"], "waitlisted": ["received", "waitlisted"],
    "declined": ["received", "declined"], "withdrawn": ["received", "withdrawn"],
    "accepted": ["received", "accepted"], "started": ["received", "accepted", "started"],
    "completed": ["received", "accepted", "started", "completed"],
    "interrupted": ["received", "accepted", "started", "interrupted"],
}
WEIGHTS = [2, 3, 3, 8, 3, 3, 8, 22, 7]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(function, runs: int) -> tuple[float, float]:
    function()  # warm-up (plans, caches)
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds) * 1000, percentile(seconds, 0.95) * 1000


def generate(count: int, seed: int = 100) -> None:
    """``count`` requests with their events, by bulk INSERT (the portal's tables, its enums)."""
    from portal.accounts.models import User
    from portal.booking.models import BookingEvent, BookingRequest, BookingStatus
    from portal.catalogue.models import Intervention, Organisation, OrganisationKind
    from portal.extensions import db
    from portal.timeutil import utcnow

    rng = random.Random(seed)
    interventions = db.session.execute(db.select(Intervention.id, Intervention.organisation_id)).all()
    codes = [code for (code,) in db.session.execute(
        db.select(Organisation.municipality_code).where(Organisation.kind == OrganisationKind.KOMMUN))]
    users = db.session.execute(db.select(User.id, User.organisation_id).where(User.organisation_id.is_not(None))).all()
    now = utcnow().replace(microsecond=0)
    first_id = (db.session.execute(db.select(sa.func.max(BookingRequest.id))).scalar() or 0) + 1
    finals = list(PATHS)
    requests_table, events_table = BookingRequest.__table__, BookingEvent.__table__
    batch_requests, batch_events = [], []
    for number in range(count):
        request_id = first_id + number
        intervention_id, owner = rng.choice(interventions)
        user_id, requester = rng.choice(users)
        final = rng.choices(finals, WEIGHTS)[0]
        created = now - timedelta(days=rng.randrange(548), minutes=rng.randrange(600))
        outcome = rng.choice(["work", "work", "studies", "other"]) if final == "completed" else None
        ended_early = final in ("declined", "interrupted")
        reason = rng.choice(["no_places", "ill", "other", "did_not_come"]) if ended_early else None
        moment, previous = created, "submitted"
        steps = BookingRequest()  # its `reach` keeps the step columns, as the portal's lifecycle does
        steps.reach(BookingStatus.SUBMITTED, created)
        batch_events.append({"request_id": request_id, "created_at": created, "action": "submit",
                             "from_status": None, "to_status": "submitted", "note": ""})
        for step in PATHS[final]:
            moment += timedelta(days=rng.randrange(1, 30))
            batch_events.append({"request_id": request_id, "created_at": moment, "action": step,
                                 "from_status": previous, "to_status": step, "note": "",
                                 "outcome": outcome if step == "completed" else None,
                                 "reason_code": reason if step in ("declined", "interrupted") else None})
            steps.reach(BookingStatus(step), moment)
            previous = step
        batch_requests.append({
            "id": request_id, "reference": f"BR-B-{request_id:08d}", "owner_mail_held": False,
            "source": "referral", "status": final, "intervention_id": intervention_id,
            "owner_organisation_id": owner, "requester_organisation_id": requester, "created_by_id": user_id,
            "locale": "sv", "gender": rng.choice(["female", "female", "male", "male", "other", None]),
            "home_municipality": rng.choice([*codes, *codes, "other", None]), "interpreter_needed": False,
            "adaptation_needs": "", "message": "", "holds_place": False, "outcome": outcome,
            "reason_code": reason, "reason_text": "", "created_at": created, "updated_at": moment,
            "closed_at": moment if final in ("declined", "withdrawn", "completed", "interrupted") else None,
            "version": 1, "reached_steps": steps.reached_steps, "accepted_at": steps.accepted_at,
            "decided_at": steps.decided_at, "started_at": steps.started_at,
        })
        if len(batch_requests) >= 5000:
            _flush(requests_table, events_table, batch_requests, batch_events)
    _flush(requests_table, events_table, batch_requests, batch_events)
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "SELECT setval('booking_requests_id_seq', (SELECT max(id) FROM booking_requests))"))
            connection.execute(sa.text("ANALYZE"))
    else:
        with db.engine.begin() as connection:
            connection.execute(sa.text("ANALYZE"))


def _flush(requests_table, events_table, batch_requests, batch_events) -> None:
    from portal.extensions import db

    if not batch_requests:
        return
    with db.engine.begin() as connection:
        connection.execute(requests_table.insert(), batch_requests)
        keys = {key for row in batch_events for key in row}
        connection.execute(events_table.insert(), [{key: row.get(key) for key in keys} for row in batch_events])
    batch_requests.clear()
    batch_events.clear()


def bench_backend(name: str, url: str, count: int, runs: int) -> list[tuple[str, float, float]]:
    from portal import create_app
    from portal.accounts.models import Role
    from portal.accounts.services import create_user
    from portal.demo import load_demo
    from portal.extensions import db
    from portal.stats import queries
    from portal.stats.services import default_period

    workdir = tempfile.mkdtemp(prefix="stats-bench-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SEARCH_INDEX_DIR": str(Path(workdir) / "index"),
                      "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "QUEUE_IMMEDIATE": True,
                      "RATELIMIT_ENABLED": False, "PORTAL_BASE_URL": "http://localhost"})
    rows = []
    with app.app_context():
        db.create_all()
        load_demo()
        started = time.perf_counter()
        generate(count)
        print(f"{name}: {count} requests generated in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        create_user("bench-admin@example.se", "Bench", Role.ADMIN, None, password="bench-password-123")
        db.session.commit()
        start, end = default_period()
        scopes = {"region": queries.Scope(start, end), "one municipality": queries.Scope(start, end, "1290")}
        for label, scope in scopes.items():
            for function in (queries.flows, queries.outcomes, queries.funnel, queries.decline_reasons,
                             queries.waiting, queries.requests_per_month, queries.capacity,
                             queries.participants, queries.follow_up_answers):
                median, p95 = timed(lambda function=function, scope=scope: (function(scope), db.session.rollback()),
                                    runs)
                rows.append((f"`{function.__name__}` ({label})", median, p95))
        client = app.test_client()
        assert client.post("/login", data={"email": "bench-admin@example.se",
                                           "password": "bench-password-123"}).status_code == 302
        page = lambda: client.get("/en/stats")  # noqa: E731
        assert page().status_code == 200
        rows.append(("**dashboard page** `GET /en/stats` (figures cached, data unchanged)", *timed(page, runs)))

        def cold_page():
            app.extensions.get("stats_figures", None) and app.extensions["stats_figures"].entries.clear()
            return page()

        rows.append(("dashboard page, cold (cache emptied before each request)", *timed(cold_page, max(3, runs // 2))))
        rows.append(("public page `GET /en/statistik`", *timed(lambda: client.get("/en/statistik"), runs)))
        rows.append(("one chart `GET /en/stats/charts/flows.svg`",
                     *timed(lambda: client.get("/en/stats/charts/flows.svg"), runs)))
        db.session.remove()
        db.engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    results = {}
    if not args.skip_sqlite:
        path = Path(tempfile.mkdtemp(prefix="stats-bench-")) / "bench.db"
        results["SQLite"] = bench_backend("SQLite", f"sqlite:///{path}", args.requests, args.runs)
    if not args.skip_postgres:
        database = f"portal_stats_bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{database}"'))
        try:
            url = sa.make_url(PG_ADMIN_URL).set(database=database).render_as_string(hide_password=False)
            results["PostgreSQL"] = bench_backend("PostgreSQL", url, args.requests, args.runs)
        finally:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            admin.dispose()
    print(f"Run {date.today().isoformat()} on {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; {args.requests} generated requests (+ the demo's), {args.runs} runs "
          "each after a warm-up; times in ms.\n")
    backends = list(results)
    print("| what | " + " | ".join(f"{name} median | {name} p95" for name in backends) + " |")
    print("|---|" + "---|---|" * len(backends))
    for index, (label, _median, _p95) in enumerate(results[backends[0]]):
        cells = " | ".join(f"{results[name][index][1]:.0f} | {results[name][index][2]:.0f}" for name in backends)
        print(f"| {label} | {cells} |")


if __name__ == "__main__":
    main()
