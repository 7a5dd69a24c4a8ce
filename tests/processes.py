"""Helpers for tests that run the portal as real processes (gunicorn, flask commands) on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flask(env: dict, *args: str, input: str | None = None) -> str:  # noqa: A002  (subprocess's name)
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "portal", *args], env=env,
                            cwd=PROJECT_ROOT, capture_output=True, text=True, input=input)
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in time")


def portal_environment(workdir: Path, port: int, secret: str) -> dict[str, str]:
    """The environment of a portal process of its own: database and index in ``workdir``, mail to the log."""
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'portal.db'}",
        "SEARCH_INDEX_DIR": str(workdir / "index"),
        "SECRET_KEY": secret,
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        "MAIL_BACKEND": "log",
        "PYTHONWARNINGS": "ignore",
    }
