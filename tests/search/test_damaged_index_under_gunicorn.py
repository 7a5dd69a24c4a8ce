"""A truncated or garbled index segment file under a running gunicorn (issue 19).

Whoosh used to map segment files into memory; truncating a mapped file killed the worker
that touched it with SIGBUS. Now segments are read into memory when opened: a worker that
has the index open keeps answering from its copy, and one that opens the damaged file
gets an ordinary error, answers from the database and rebuilds the index.

The portal is served by gunicorn with two workers on loopback (as in ``tests/browser``),
with the node's queue consumer that rebuilds a broken index, on a throwaway SQLite
database with 30 interventions. A change (an import through the command line) makes every
worker catch up with the index, and so open the damaged file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.processes import PROJECT_ROOT, flask, free_port, portal_environment, wait_until_up

WORKERS = 2
WAIT_SECONDS = 30


def search(base_url: str, query: str) -> list[str]:
    url = f"{base_url}/api/v1/search?" + urllib.parse.urlencode({"q": query, "per_page": 50})
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        return [result["title"] for result in json.load(response)["results"]]


def workers_of(master: int) -> set[int]:
    pids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            pids.add(int(stat.parent.name))
    return pids


def current_build(index_dir: Path) -> Path:
    return index_dir / (index_dir / "CURRENT").read_text().strip()


def import_one(env: dict, workdir: Path, record_id: str, title: str) -> None:
    path = workdir / f"{record_id}.json"
    path.write_text(json.dumps([{
        "id": record_id, "municipality_code": "1290", "title": title, "summary": f"{title} med handledare.",
        "type": "arbetstraning", "capacity": 4, "places_available": 2}]), encoding="utf-8")
    flask(env, "portal", "import", str(path))


def searches_answer_until(base_url: str, query: str, title: str, done) -> None:
    """Search every 0.2 s, each answer a 200, until ``title`` is found and ``done()`` holds."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = [search(base_url, query) for _ in range(WORKERS * 2)]
        if all(title in titles for titles in found) and done():
            return
        time.sleep(0.2)
    pytest.fail(f"{title!r} not found by every worker, or the index not rebuilt, within {WAIT_SECONDS} s")


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("damaged-index")
    port = free_port()
    env = portal_environment(workdir, port, "damaged-index-tests")
    catalogue = workdir / "catalogue.json"
    catalogue.write_text(json.dumps([{
        "id": f"G{number}", "municipality_code": "1290", "municipality": "Kristianstad",
        "title": f"Arbetsträning {number}", "summary": "Arbetsträning med handledare.", "type": "arbetstraning",
        "capacity": 4, "places_available": 2} for number in range(30)]), encoding="utf-8")
    for command in (("db", "upgrade"), ("portal", "import", str(catalogue)), ("search", "rebuild")):
        flask(env, *command)
    log_path = workdir / "gunicorn.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        env=env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    # The node's queue consumer: it rebuilds the index when a worker finds it broken.
    consumer = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "portal", "queue", "worker", "--workers", "1", "--no-periodic"],
        env=env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base_url, process)
        yield {"url": base_url, "env": env, "workdir": workdir, "index": workdir / "index",
               "master": process.pid, "log": log_path}
    finally:
        for child in (process, consumer):
            child.terminate()
        for child in (process, consumer):
            child.wait(timeout=10)
        log.close()


def test_truncated_and_garbled_segment_files_kill_no_worker_and_the_index_is_rebuilt(portal):
    base_url, index_dir = portal["url"], portal["index"]
    for _ in range(WORKERS * 4):  # every worker opens the index
        assert search(base_url, "arbetsträning")
    workers = workers_of(portal["master"])
    assert len(workers) == WORKERS

    damaged = current_build(index_dir)
    for segment in damaged.glob("*.seg"):
        with open(segment, "r+b") as file:
            file.truncate(segment.stat().st_size // 3)
    for _ in range(WORKERS * 4):  # workers with the index open answer from their copy
        assert search(base_url, "arbetsträning")
    import_one(portal["env"], portal["workdir"], "SIGBUS-1", "Cykelverkstad efter avbrottet")
    searches_answer_until(base_url, "cykelverkstad avbrottet", "Cykelverkstad efter avbrottet",
                          lambda: current_build(index_dir) != damaged)

    garbled = current_build(index_dir)
    for segment in garbled.glob("*.seg"):
        segment.write_bytes(os.urandom(segment.stat().st_size))
    import_one(portal["env"], portal["workdir"], "SIGBUS-2", "Snickeri efter förvanskningen")
    searches_answer_until(base_url, "snickeri förvanskningen", "Snickeri efter förvanskningen",
                          lambda: current_build(index_dir) != garbled)

    assert workers_of(portal["master"]) == workers, "a gunicorn worker died"
    log = portal["log"].read_text()
    assert "SIGBUS" not in log and "was sent" not in log and "exited" not in log.lower()
    assert search(base_url, "arbetsträning")
