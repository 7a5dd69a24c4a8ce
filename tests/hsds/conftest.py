"""Fixtures of the HSDS tests: the official schemas, loaded once (see ``schemas.py``)."""

from __future__ import annotations

import pytest

from tests.hsds.schemas import SCHEMA_DIR, HsdsSchemas, load_schemas  # noqa: F401


@pytest.fixture(scope="session")
def hsds_schemas() -> HsdsSchemas:
    return load_schemas(SCHEMA_DIR)
