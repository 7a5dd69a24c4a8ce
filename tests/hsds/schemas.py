"""Validation against Open Referral's official HSDS 3.0 schemas in ``../shared/hsds-3.0/``.

The schemas are not copied into the repository. Their ``$ref``s are bare file names (and
the OpenAPI document's are raw GitHub URLs of the same files); both are resolved to the
local files with ``referencing``. Validation is Draft 2020-12 with the format checker.
Without the files the tests are skipped on a developer machine and fail when ``CI`` is set.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = PROJECT_ROOT.parent / "shared" / "hsds-3.0" / "schema"
RAW_BASE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
OPENAPI_URI = "urn:hsds:openapi"


def _missing(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"the HSDS 3.0 schemas are required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


class HsdsSchemas:
    """Validators for what the HSDS API reference says each endpoint answers."""

    def __init__(self, directory: Path) -> None:
        resources = []
        for path in sorted(directory.rglob("*.json")):
            relative = path.relative_to(directory).as_posix()
            contents = json.loads(path.read_text(encoding="utf-8"))
            if relative == "openapi.json":
                self.openapi = contents
                resources.append((OPENAPI_URI, Resource(contents, DRAFT202012)))
                continue
            resource = Resource(contents, DRAFT202012)
            resources += [(RAW_BASE + relative, resource), (relative, resource)]
        self.registry = Registry().with_resources(resources)

    def validator(self, schema: dict) -> Draft202012Validator:
        return Draft202012Validator(schema, registry=self.registry,
                                    format_checker=Draft202012Validator.FORMAT_CHECKER)

    def response_schema(self, path: str) -> dict:
        """The 200 answer's schema of ``path`` (as the API reference spells it) in openapi.json."""
        pointer = path.replace("~", "~0").replace("/", "~1")
        return {"$ref": f"{OPENAPI_URI}#/paths/{pointer}/get/responses/200/content/application~1json/schema"}

    def errors(self, schema: dict, data) -> list[str]:
        return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
                for error in self.validator(schema).iter_errors(data)]

    def check_response(self, path: str, data) -> None:
        errors = self.errors(self.response_schema(path), data)
        assert not errors, f"{path} does not conform to the HSDS API reference:\n" + "\n".join(errors[:20])

    def check_file(self, name: str, data) -> None:
        """``data`` against ``schema/<name>`` (e.g. ``compiled/service.json``)."""
        errors = self.errors({"$ref": RAW_BASE + name}, data)
        assert not errors, f"not a valid {name}:\n" + "\n".join(errors[:20])


REQUIRED = ["openapi.json", "service.json", "compiled/service.json", "compiled/service_list.json",
            "compiled/organization.json", "compiled/service_at_location.json", "taxonomy.json",
            "taxonomy_term.json"]


def load_schemas(directory: Path) -> HsdsSchemas:
    absent = [name for name in REQUIRED if not (directory / name).is_file()]
    if absent:
        _missing(f"{', '.join(absent)} not found in {directory}")
    return HsdsSchemas(directory)
