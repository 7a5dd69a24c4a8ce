"""Browser tests: the demo portal served by gunicorn on loopback, driven in Debian's Chromium.

Each xdist worker starts its own portal (a throwaway SQLite database and index with the
demo region) and its own browser. Without Chromium or Playwright the tests are skipped on
a developer machine and fail when ``CI`` is set.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser.helpers import OSBY_OFFICER, OSBY_PASSWORD
from tests.processes import flask, free_port, portal_environment, wait_until_up

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


def unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"browser tests must run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """Base URL of a demo portal served by gunicorn on 127.0.0.1."""
    workdir = tmp_path_factory.mktemp("live")
    port = free_port()
    env = portal_environment(workdir, port, "browser-tests")
    for command in (("db", "upgrade"), ("portal", "demo"), ("search", "rebuild")):
        flask(env, *command)
    flask(env, "users", "create", OSBY_OFFICER, "--org", "1273", "--role", "caseworker",
          input=f"{OSBY_PASSWORD}\n{OSBY_PASSWORD}\n")
    log = open(workdir / "gunicorn.log", "w")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        env=env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base_url, process)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        unavailable(f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def is_csp_violation(text: str) -> bool:
    return "Content Security Policy" in text or "Content-Security-Policy" in text


@pytest.fixture
def csp_violations():
    """What the browser reported as blocked by the Content-Security-Policy during the test."""
    return []


@pytest.fixture
def context_factory(browser, live_server, csp_violations):
    contexts = []

    def new_context(**options):
        context = browser.new_context(base_url=live_server, **options)
        context.set_default_timeout(10_000)
        context.on("console", lambda message: csp_violations.append(message.text)
                   if is_csp_violation(message.text) else None)
        contexts.append(context)
        return context

    yield new_context
    for context in contexts:
        context.close()
    assert not csp_violations, "the Content-Security-Policy blocked: " + "; ".join(csp_violations)


@pytest.fixture
def page(context_factory):
    return context_factory(viewport={"width": 1280, "height": 800}).new_page()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session", autouse=True)
def _no_leftover_artifacts():
    shutil.rmtree(ARTIFACTS / "screenshots", ignore_errors=True)
    yield
