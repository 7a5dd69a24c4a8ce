"""Two application nodes on one PostgreSQL database, with the Redis queue and rate limiter.

Each node is its own gunicorn with its own search index directory; one queue consumer
serves both. Shown here, as the README's "Running on several nodes" promises:

- an intervention published on node A is found by a search on node B within 2 s;
- killing the consumer in the middle of a delivery loses nothing and sends nothing twice;
- with the SMTP server down for a while, every message arrives exactly once after it is back.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid

import pytest
import sqlalchemy as sa

from tests.processes import PROJECT_ROOT, flask, free_port, wait_until_up

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "a long password for the nodes"


def unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


class SlowMailbox:
    """An aiosmtpd handler that takes ``delay`` seconds to accept each message and counts only
    what it really acknowledged (a client that vanished mid-DATA was never told "250")."""

    def __init__(self, delay: float):
        self.delay = delay
        self.lock = threading.Lock()
        self.message_ids: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        if server.transport is None or server.transport.is_closing():
            return "421 closing"
        match = re.search(rb"Message-ID: <(outbox-\d+)@", envelope.content)
        with self.lock:
            self.message_ids.append(match.group(1).decode() if match else "?")
        return "250 accepted"


class Browser:
    """A person's session with one node: cookies, and the CSRF token of the last form."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.read().decode()

    def post(self, path: str, form_page: str, data: dict) -> int:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.get(form_page)).group(1)
        body = urllib.parse.urlencode({**data, "csrf_token": token}).encode()
        with self.opener.open(self.base + path, data=body, timeout=10) as response:
            return response.status


@pytest.fixture
def redis_available():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:
        unavailable(f"Redis is required: {exc}")


def start(command: list[str], env: dict, log_path) -> subprocess.Popen:
    log = open(log_path, "w")  # noqa: SIM115 - closed by stop()
    process = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    process.log = log
    return process


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    process.log.close()


def test_two_nodes_share_the_database_queue_and_limiter(empty_postgres_database, redis_available, tmp_path):
    from aiosmtpd.controller import Controller

    mailbox = SlowMailbox(delay=0.4)
    smtp_port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": empty_postgres_database,
        "SECRET_KEY": "several-nodes",
        "QUEUE_URL": REDIS_URL,
        "QUEUE_NAME": f"nodes-{uuid.uuid4().hex[:8]}",
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port),
        "OUTBOX_RETRY_SECONDS": "1", "OUTBOX_CLAIM_SECONDS": "3",
        "PYTHONWARNINGS": "ignore",
    }
    flask(env, "db", "upgrade")
    _create_people_and_a_draft(empty_postgres_database, tmp_path)
    nodes, processes = {}, []
    for name in ("a", "b"):
        port = free_port()
        node_env = {**env, "SEARCH_INDEX_DIR": str(tmp_path / f"index-{name}"),
                    "NODE_QUEUE_URL": f"sqlite:///{tmp_path / f'node-{name}.db'}",
                    "PORTAL_BASE_URL": f"http://127.0.0.1:{port}"}
        flask(node_env, "search", "rebuild")
        process = start([sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
                         "wsgi:app"], node_env, tmp_path / f"node-{name}.log")
        processes.append(process)
        nodes[name] = (f"http://127.0.0.1:{port}", process, node_env)
    consumer_env = {**nodes["a"][2]}
    consumer_command = [sys.executable, "-m", "flask", "--app", "portal", "queue", "worker", "--workers", "2"]
    consumer = start(consumer_command, consumer_env, tmp_path / "consumer-1.log")
    smtp = None
    try:
        for base, process, _env in nodes.values():
            wait_until_up(base, process)

        # Published on node A, found on node B.
        editor = Browser(nodes["a"][0])
        assert editor.post("/login", "/login", {"email": "editor@nodes.example.se", "password": PASSWORD}) == 200
        draft_id = _draft_id(empty_postgres_database)
        edit_page = f"/manage/interventions/{draft_id}/edit"
        assert editor.post(f"/manage/interventions/{draft_id}/status", edit_page, {"action": "publish"}) == 200
        published = time.monotonic()
        assert _status(empty_postgres_database, draft_id) == "published"
        while True:
            with urllib.request.urlopen(nodes["b"][0] + "/api/v1/search?q=kolonilottsodling", timeout=5) as response:
                found = b"Kolonilottsodling" in response.read()
            if found:
                break
            assert time.monotonic() - published < 2.0, "node B did not find node A's publication within 2 s"
            time.sleep(0.05)

        # The SMTP server is down: eight messages wait, retried with back-off.
        message_ids = _queue_mail(env, tmp_path, count=8)
        time.sleep(2.5)
        assert _unsent(empty_postgres_database) == 8
        # It comes back slow; the consumer is killed in the middle of a delivery.
        smtp = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
        smtp.start()
        deadline = time.monotonic() + 30
        while len(mailbox.message_ids) < 2:
            assert time.monotonic() < deadline, "delivery did not resume"
            time.sleep(0.05)
        time.sleep(0.2)  # inside the next message's DATA
        stop(consumer, signal.SIGKILL)
        delivered_before_the_kill = len(mailbox.message_ids)
        assert 0 < delivered_before_the_kill < 8
        consumer = start(consumer_command, consumer_env, tmp_path / "consumer-2.log")
        deadline = time.monotonic() + 60
        while _unsent(empty_postgres_database):
            assert time.monotonic() < deadline, "the restarted consumer did not deliver the rest"
            time.sleep(0.1)
        time.sleep(1.0)
        assert sorted(mailbox.message_ids) == sorted(message_ids)  # every message, each once
    finally:
        stop(consumer)
        for process in processes:
            stop(process)
        if smtp is not None:
            smtp.stop()


def _engine(url: str):
    return sa.create_engine(url)


def _create_people_and_a_draft(url: str, tmp_path) -> None:
    from portal import create_app
    from portal.catalogue.models import InterventionStatus
    from portal.extensions import db
    from tests.factories import Factories

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "QUEUE_IMMEDIATE": True, "TESTING": True,
                      "SEARCH_INDEX_DIR": str(tmp_path / "setup-index")})
    with app.app_context():
        make = Factories()
        organisation = make.organisation(name="Nodkommun", municipality_code="1273", slug="nodkommun")
        editor = make.user("editor", organisation, email="editor@nodes.example.se")
        from werkzeug.security import generate_password_hash

        editor.password_hash = generate_password_hash(PASSWORD)
        make.intervention(organisation, title="Kolonilottsodling", status=InterventionStatus.DRAFT)
        db.session.commit()
        db.engine.dispose()


def _draft_id(url: str) -> int:
    engine = _engine(url)
    with engine.connect() as connection:
        value = connection.execute(
            sa.text("SELECT id FROM interventions WHERE title = 'Kolonilottsodling'")).scalar_one()
    engine.dispose()
    return value


def _queue_mail(env: dict, tmp_path, count: int) -> list[str]:
    """Eight notifications queued by a process of the portal, as a request would queue them."""
    script = (
        "from portal import create_app\n"
        "from portal.extensions import db\n"
        "from portal.notify.models import OutboxMessage\n"
        "from portal.tasks import jobs\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        f"    rows = [OutboxMessage(recipient=f'p{{n}}@example.se', subject='s', body='b', kind='test')\n"
        f"            for n in range({count})]\n"
        "    db.session.add_all(rows)\n"
        "    db.session.commit()\n"
        "    jobs.deliver_outbox()\n"
        "    print(' '.join(f'outbox-{row.id}' for row in rows))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            env={**env, "SEARCH_INDEX_DIR": str(tmp_path / "mail-index")}, check=True)
    return result.stdout.split()


def _status(url: str, intervention_id: int) -> str:
    engine = _engine(url)
    with engine.connect() as connection:
        value = connection.execute(sa.text("SELECT status FROM interventions WHERE id = :id"),
                                   {"id": intervention_id}).scalar_one()
    engine.dispose()
    return value


def _unsent(url: str) -> int:
    engine = _engine(url)
    with engine.connect() as connection:
        value = connection.execute(sa.text("SELECT count(*) FROM outbox WHERE sent_at IS NULL")).scalar_one()
    engine.dispose()
    return value
