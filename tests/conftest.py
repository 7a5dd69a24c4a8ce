"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL tests use one database per xdist worker, created on the server at
``TEST_POSTGRES_URL`` (default: the local ``test`` database as ``postgres``). When the
server cannot be reached they are skipped on a developer machine and fail in CI.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.extensions import db
from tests import factories
from tests.isolated_client import RequestIsolatingClient
from tests.settings import portal_settings

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ["sqlite", "postgresql"]


def postgres_unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required in CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL not reachable: {reason}")


def postgres_url_for(database: str) -> str:
    return sa.make_url(POSTGRES_ADMIN_URL).set(database=database).render_as_string(
        hide_password=False
    )


def create_postgres_database(name: str) -> str:
    """(Re)create an empty database ``name`` and return its URL."""
    try:
        admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except sa.exc.OperationalError as exc:
        postgres_unavailable(str(exc).splitlines()[0])
    return postgres_url_for(name)


def drop_postgres_database(name: str) -> None:
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


RUN_ID = uuid.uuid4().hex[:8]  # concurrent test runs on one server must not drop each other's databases


def worker_database_name(worker_id: str, purpose: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", f"portal_{purpose}_{RUN_ID}_{worker_id}".lower())


@pytest.fixture(scope="session")
def postgres_session_database(worker_id):
    name = worker_database_name(worker_id, "test")
    url = create_postgres_database(name)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    yield url
    drop_postgres_database(name)


@pytest.fixture
def empty_postgres_database(worker_id):
    name = worker_database_name(worker_id, "empty")
    url = create_postgres_database(name)
    yield url
    drop_postgres_database(name)


@pytest.fixture(params=BACKENDS)
def empty_database_url(request, tmp_path) -> str:
    """An empty database on each backend, for what `flask db upgrade` builds (no schema yet)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return request.getfixturevalue("empty_postgres_database")


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def sqlite_schema_file(tmp_path_factory) -> Path:
    """An empty SQLite database with the models' schema, made once per worker and copied per test."""
    path = tmp_path_factory.mktemp("sqlite-schema") / "portal.db"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return path


@pytest.fixture
def database_url(backend, request, tmp_path) -> str:
    if backend == "sqlite":
        shutil.copyfile(request.getfixturevalue("sqlite_schema_file"), tmp_path / "portal.db")
        return f"sqlite:///{tmp_path / 'portal.db'}"
    return request.getfixturevalue("postgres_session_database")


@pytest.fixture
def app(backend, database_url, tmp_path):
    app = create_app(portal_settings(database_url, tmp_path))
    app.test_client_class = RequestIsolatingClient
    with app.app_context():
        app.extensions["search"].rebuild()  # an empty index; changes reach it through index jobs
        yield app
        db.session.remove()
        if backend == "postgresql":
            truncate_all_tables()
        db.engine.dispose()


def truncate_all_tables() -> None:
    tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def real_queue(app, tmp_path):
    """The queues on SQLite files of this test: tasks wait for `drain()` or a consumer."""
    from tests.queue_helpers import real_queue as use_real_queue

    with use_real_queue(app, tmp_path) as queue:
        yield queue


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def taxonomy(app):
    from portal.catalogue.taxonomy import load_taxonomy

    load_taxonomy()
    db.session.commit()


@pytest.fixture
def make(app, taxonomy):
    """Factories bound to the test's database: ``make.intervention(title=...)``."""
    return factories.Factories()


@pytest.fixture
def no_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def login(client):
    """``login(user)`` logs the test client in as ``user`` (CSRF must be off)."""

    def log_in(user, password: str = factories.PASSWORD):
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return log_in
