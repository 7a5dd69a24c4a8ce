"""The official schemas are required: without them CI fails instead of skipping."""

from __future__ import annotations

import pytest

from tests.hsds.schemas import SCHEMA_DIR, load_schemas


def test_a_missing_schema_fails_in_ci(tmp_path, monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required in CI"):
        load_schemas(tmp_path)


def test_a_missing_schema_is_a_skip_on_a_developer_machine(tmp_path, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        load_schemas(tmp_path)


def test_the_schemas_catch_an_invalid_service(hsds_schemas):
    assert SCHEMA_DIR.is_dir()
    errors = hsds_schemas.errors(hsds_schemas.response_schema("/services/{id}"),
                                 {"id": "not-a-uuid", "name": "x", "status": "open", "email": "nobody"})
    assert any("uuid" in error for error in errors)
    assert any("open" in error for error in errors)
    assert any("email" in error for error in errors)
