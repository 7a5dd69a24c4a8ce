import pytest

from portal import create_app
from portal.config import ConfigurationError


def test_production_refuses_the_development_secret_key(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError):
        create_app()


def test_production_starts_with_its_own_key_and_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-real-secret")
    monkeypatch.setenv("DATABASE_URL", "postgres://user@db.example/portal")
    monkeypatch.setenv("PORTAL_BASE_URL", "https://insatser.example.se")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://user@db.example/portal"


def test_development_defaults(monkeypatch):
    for name in ("PORTAL_ENV", "SECRET_KEY", "DATABASE_URL", "SEARCH_INDEX_DIR"):
        monkeypatch.delenv(name, raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SEARCH_INDEX_DIR"].endswith("search_index")
    assert app.config["MAIL_BACKEND"] == "log"


def test_bad_number_in_environment_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("MAIL_PORT", "twenty-five")
    with pytest.raises(ConfigurationError, match="MAIL_PORT"):
        create_app()
