"""The README's production section, run as written, on an empty PostgreSQL database.

Only what cannot be the same on a test machine is replaced: the database URL, the mail
server, the port, the queue's name and the offer file (the shared evaluation corpus). Then
the portal must answer, search the imported offer and report a healthy queue.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.processes import free_port

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CORPUS = PROJECT_ROOT.parent / "shared" / "eval" / "dev_corpus.json"


def production_block() -> str:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Production: PostgreSQL, gunicorn and the queue", 1)[1]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def shared_data_missing(reason: str):
    if os.environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def test_the_production_section_works_on_an_empty_database(empty_postgres_database, tmp_path):
    if not CORPUS.exists():
        shared_data_missing(f"{CORPUS} is missing")
    port = free_port()
    block = production_block()
    database = empty_postgres_database.replace("postgresql+psycopg://", "postgresql://")
    replacements = {
        "postgresql://portal@db.internal/portal": database,
        "MAIL_SERVER=smtp.internal": f"MAIL_SERVER=127.0.0.1 MAIL_PORT={free_port()}",
        "our-offer.json": str(CORPUS),
        "127.0.0.1:8000": f"127.0.0.1:{port}",
    }
    for old, new in replacements.items():
        assert old in block, f"the README's production section no longer says {old!r}"
        block = block.replace(old, new)
    script = (f"set -e\nexport QUEUE_NAME=install-{uuid.uuid4().hex[:8]} SEARCH_INDEX_DIR={tmp_path / 'index'}\n"
              + block)
    log = open(tmp_path / "install.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(["bash", "-c", script], cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            assert process.poll() is None, (tmp_path / "install.log").read_text()[-3000:]
            try:
                health = get_json(f"{base}/healthz")
                break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "install.log").read_text()[-3000:]
                time.sleep(0.5)
        assert health["status"] == "ok" and health["queue"]["reachable"] is True
        output = (tmp_path / "install.log").read_text()
        assert "60 created" in output and "error" not in output.lower().split("60 created")[0][-2000:]
        result = get_json(f"{base}/api/v1/search?q=arbetstr%C3%A4ning")
        assert result["total"] > 0
        listing = get_json(f"{base}/api/v1/interventions")
        assert listing["total"] == 60
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
