"""The settings every test's portal starts from."""

from __future__ import annotations


def portal_settings(database_url: str, tmp_path) -> dict:
    """The settings of a test's portal: its own database and index, mail to the log, the queue immediate."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
        "PORTAL_BASE_URL": "http://localhost",
        "SERVER_NAME": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        # The limiter's counters outlive one test's app; tests of the limit set their own.
        "API_RATE_LIMIT": "100000 per minute",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # a scrypt hash takes 70 ms; the demo makes seven
        "QUEUE_IMMEDIATE": True,  # a task runs where it is enqueued; see the `real_queue` fixture
    }
