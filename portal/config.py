"""Configuration, read from the environment in one place.

Every setting has a safe development default so that a fresh checkout runs with SQLite,
the Whoosh index in ``search_index/`` and mail written to the log.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT_SECRET_KEY = "insatsportalen-development-key-do-not-use-in-production"


class ConfigurationError(RuntimeError):
    """Raised when the portal is started with settings it must refuse."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}") from exc


def _database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return f"sqlite:///{Path(instance_path) / 'portal.db'}"
    # Hosting platforms still hand out the old scheme; SQLAlchemy wants the driver named.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def from_environment(instance_path: str) -> dict:
    """Return the settings for this process, taken from environment variables."""
    environment = os.environ.get("PORTAL_ENV", "development")
    return {
        "PORTAL_ENV": environment,
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SEARCH_INDEX_DIR": os.environ.get(
            "SEARCH_INDEX_DIR", str(PROJECT_ROOT / "search_index")
        ),
        # Production has no default: every mailed link is built from this, never from a request.
        "PORTAL_BASE_URL": os.environ.get(
            "PORTAL_BASE_URL", "" if environment == "production" else "http://127.0.0.1:5000"
        ),
        # Proxies in front of the portal whose X-Forwarded-* headers are trusted (0 = none).
        "PROXY_FIX_X_FOR": _int("PROXY_FIX_X_FOR", 0),
        "PROXY_FIX_X_PROTO": _int("PROXY_FIX_X_PROTO", 0),
        "PROXY_FIX_X_HOST": _int("PROXY_FIX_X_HOST", 0),
        "PROXY_FIX_X_PREFIX": _int("PROXY_FIX_X_PREFIX", 0),
        "SESSION_IDLE_MINUTES": _int("SESSION_IDLE_MINUTES", 60),
        "SESSION_ABSOLUTE_HOURS": _int("SESSION_ABSOLUTE_HOURS", 12),
        # Werkzeug's method for new password hashes; a stored hash names its own method when checked.
        "PASSWORD_HASH_METHOD": os.environ.get("PASSWORD_HASH_METHOD", "scrypt"),
        "MAIL_BACKEND": os.environ.get("MAIL_BACKEND", "log"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool(os.environ.get("MAIL_USE_TLS")),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Insatsportalen <no-reply@insatsportalen.example.se>"),
        # The background queue: a redis:// URL in production; empty: a SQLite file in instance/.
        "QUEUE_URL": os.environ.get("QUEUE_URL", ""),
        "QUEUE_NAME": os.environ.get("QUEUE_NAME", "portal"),  # several portals may share one Redis
        "QUEUE_IMMEDIATE": _bool(os.environ.get("QUEUE_IMMEDIATE")),
        # This node's own queue (index rebuilds); empty: a SQLite file in instance/ per index directory.
        "NODE_QUEUE_URL": os.environ.get("NODE_QUEUE_URL", ""),
        "QUEUE_WORKERS": _int("QUEUE_WORKERS", 2),
        "IMPORT_STALE_MINUTES": _int("IMPORT_STALE_MINUTES", 30),
        "OUTBOX_RETRY_SECONDS": _int("OUTBOX_RETRY_SECONDS", 30),  # the first back-off step
        "OUTBOX_CLAIM_SECONDS": _int("OUTBOX_CLAIM_SECONDS", 120),  # a sender that died gives it back
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "API_RATE_LIMIT": os.environ.get("API_RATE_LIMIT", "300 per minute"),
        "OPEN_DATA_LICENSE": os.environ.get("OPEN_DATA_LICENSE", "CC0-1.0"),
        "OPEN_DATA_LICENSE_URL": os.environ.get(
            "OPEN_DATA_LICENSE_URL", "https://creativecommons.org/publicdomain/zero/1.0/"
        ),
        "BOOKING_RETENTION_MONTHS": _int("BOOKING_RETENTION_MONTHS", 12),
        "STALE_AFTER_MONTHS": _int("STALE_AFTER_MONTHS", 6),
        "STATS_MIN_CELL": max(1, _int("STATS_MIN_CELL", 5)),  # counts of 1 to this minus one are hidden
        "STATS_PUBLIC": _bool(os.environ.get("STATS_PUBLIC"), True),
        "REVIEW_REMINDER_DAYS": _int("REVIEW_REMINDER_DAYS", 14),
        "AUTO_PAUSE_AFTER_MONTHS": _int("AUTO_PAUSE_AFTER_MONTHS", 0),  # 0: never
        "PER_PAGE": _int("PER_PAGE", 20),
        "REGION_NAME": os.environ.get("REGION_NAME", "Skåne Nordost"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": environment == "production",
        "REMEMBER_COOKIE_SECURE": environment == "production",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "BABEL_DEFAULT_LOCALE": "sv",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
    }


def served_worker_count(argv: list[str] | None = None, environ: dict | None = None) -> int:
    """How many processes serve requests, as far as gunicorn's command line and settings say."""
    argv = sys.argv if argv is None else argv
    environ = os.environ if environ is None else environ
    if not argv or "gunicorn" not in Path(argv[0]).name:
        return 1
    words = list(argv[1:]) + environ.get("GUNICORN_CMD_ARGS", "").split()
    count = environ.get("WEB_CONCURRENCY", "1")
    for index, word in enumerate(words):
        if word in ("-w", "--workers") and index + 1 < len(words):
            count = words[index + 1]
        elif word.startswith("--workers="):
            count = word.partition("=")[2]
        elif word.startswith("-w") and word[2:].isdigit():
            count = word[2:]
    return int(count) if count.isascii() and count.isdigit() else 1


def check_production_safety(config: dict, workers: int | None = None) -> None:
    """Refuse a production start that would be unsafe: the development secret key, no base
    URL for mailed links, or login counters that each worker keeps to itself."""
    if config.get("PORTAL_ENV") != "production":
        return
    if not config.get("SECRET_KEY") or config["SECRET_KEY"] == DEVELOPMENT_SECRET_KEY:
        raise ConfigurationError(
            "PORTAL_ENV=production needs its own SECRET_KEY; refusing the development key."
        )
    if not config.get("PORTAL_BASE_URL", "").startswith(("https://", "http://")):
        raise ConfigurationError(
            "PORTAL_ENV=production needs PORTAL_BASE_URL (for example https://insatser.example.se)."
        )
    workers = served_worker_count() if workers is None else workers
    if workers > 1 and config.get("RATELIMIT_STORAGE_URI", "memory://").startswith("memory://"):
        raise ConfigurationError(
            f"{workers} workers with RATELIMIT_STORAGE_URI=memory:// would each count login attempts "
            "on their own; set RATELIMIT_STORAGE_URI=redis://…"
        )
