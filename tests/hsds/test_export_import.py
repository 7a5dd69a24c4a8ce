"""``flask portal export-hsds`` and ``flask portal import --format hsds``."""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest

from portal import create_app
from portal.catalogue.models import Intervention, InterventionStatus
from portal.catalogue.taxonomy import load_taxonomy
from portal.demo import load_demo
from portal.extensions import db
from tests.settings import portal_settings

FILE_SCHEMAS = {
    "services": "compiled/service.json",
    "organizations": "compiled/organization.json",
    "service_at_locations": "compiled/service_at_location.json",
    "taxonomies": "taxonomy.json",
    "taxonomy_terms": "taxonomy_term.json",
}
# What the importing portal makes its own: its page of the service, the time it stored it,
# and the organisation's mailbox and web site (HSDS services carry no such fields for it).
OWN_FIELDS = ("url", "last_modified")


@pytest.fixture
def demo(app):
    load_demo()


def export(runner, directory) -> dict[str, list]:
    result = runner.invoke(args=["portal", "export-hsds", str(directory)])
    assert result.exit_code == 0, result.output
    return {name: json.loads((directory / f"{name}.json").read_text(encoding="utf-8")) for name in FILE_SCHEMAS}


def test_export_of_the_demo_validates(runner, demo, tmp_path, hsds_schemas):
    first = db.session.execute(db.select(Intervention).order_by(Intervention.id)).scalars().first()
    first.referral_instructions = "Ring samordnaren innan du skickar en förfrågan."
    db.session.commit()
    files = export(runner, tmp_path / "hsds")
    published = db.session.execute(
        db.select(db.func.count()).select_from(Intervention)
        .where(Intervention.status != InterventionStatus.DRAFT)).scalar_one()
    assert len(files["services"]) == published
    assert len(files["taxonomy_terms"]) == 24 and len(files["organizations"]) == 6
    for name, schema in FILE_SCHEMAS.items():
        assert files[name], name
        for record in files[name]:
            hsds_schemas.check_file(schema, record)
    text = (tmp_path / "hsds" / "services.json").read_text(encoding="utf-8")
    assert "cost_options" not in text  # the price for other organisations is internal
    assert "Ring samordnaren" not in text


def test_export_ids_stay_the_same(runner, demo, tmp_path):
    first = export(runner, tmp_path / "one")
    second = export(runner, tmp_path / "two")
    for name in FILE_SCHEMAS:
        assert [record["id"] for record in first[name]] == [record["id"] for record in second[name]]


@contextmanager
def empty_portal(backend, request, tmp_path):
    """A second portal with its own empty database (the taxonomy is reference data)."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'second.db'}"
    else:
        url = request.getfixturevalue("empty_postgres_database")
    other = create_app(portal_settings(url, tmp_path / "second"))
    with other.app_context():
        db.create_all()
        load_taxonomy()
        db.session.commit()
        try:
            yield other
        finally:
            other.extensions["search"].index.close()
            db.session.remove()
            db.engine.dispose()


def comparable(services: list[dict]) -> dict[str, dict]:
    result = {}
    for service in services:
        kept = {key: value for key, value in service.items() if key not in OWN_FIELDS}
        kept["organization"] = {key: service["organization"][key] for key in ("id", "name")}
        result[service["id"]] = kept
    return result


def test_round_trip_gives_the_same_services(runner, demo, tmp_path, backend, request):
    first = export(runner, tmp_path / "first")["services"]
    with empty_portal(backend, request, tmp_path) as other:
        other_runner = other.test_cli_runner()
        result = other_runner.invoke(args=["portal", "import", "--format", "hsds",
                                           str(tmp_path / "first" / "services.json")])
        assert result.exit_code == 0, result.output
        assert f"{len(first)} created" in result.output
        second = export(other_runner, tmp_path / "second-export")["services"]
        again = other_runner.invoke(args=["portal", "import", "--format", "hsds",
                                          str(tmp_path / "second-export" / "services.json")])
        assert again.exit_code == 0 and f"{len(first)} unchanged" in again.output, again.output
    assert comparable(second) == comparable(first)
    # Whose residents may take part goes out in the eligibility description and comes back.
    from portal.hsds.mapping import split_eligibility_description

    assert {split_eligibility_description(service.get("eligibility_description", ""))[1]
            for service in first} >= {"own", "agreement", "region"}


def test_dry_run_saves_nothing(runner, app, taxonomy, tmp_path, demo):
    path = tmp_path / "services.json"
    export(runner, tmp_path / "out")
    services = json.loads((tmp_path / "out" / "services.json").read_text(encoding="utf-8"))
    for service in services:
        service["id"] = service["id"][:-4] + "0000"  # new services, as from another region
    path.write_text(json.dumps({"contents": services}), encoding="utf-8")
    before = db.session.execute(db.select(db.func.count()).select_from(Intervention)).scalar_one()
    result = runner.invoke(args=["portal", "import", "--format", "hsds", "--dry-run", str(path)])
    assert result.exit_code == 0, result.output
    assert "Dry run, nothing saved" in result.output
    assert db.session.execute(db.select(db.func.count()).select_from(Intervention)).scalar_one() == before


def test_rows_with_errors_import_nothing(runner, app, taxonomy, tmp_path):
    services = [
        {"id": "2f1b6d3e-0c4a-4b7e-9d2f-5a6b7c8d9e0f", "name": "Språkcafé", "status": "active",
         "description": "Samtal på svenska.", "service_areas": [{"id": "0c3f0a0e-6f5b-4c0e-8d3f-1a2b3c4d5e6f",
                                                                "extent": "1290"}]},
        {"id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "name": "Utan kommun", "status": "active",
         "description": "Ingen kommunkod."},
        {"id": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "name": "", "status": "active",
         "description": "Inget namn.", "languages": [{"id": "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b", "code": "svenska"}],
         "service_areas": [{"id": "6f7a8b9c-0d1e-4f2a-8b3c-4d5e6f7a8b9c", "extent": "1290"}]},
    ]
    path = tmp_path / "services.ndjson"
    path.write_text("\n".join(json.dumps(service) for service in services), encoding="utf-8")
    result = runner.invoke(args=["portal", "import", "--format", "hsds", str(path)])
    assert result.exit_code != 0
    assert "row 2 (9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d): municipality_code: is required" in result.output
    assert "row 3 (1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d): title: is required" in result.output
    assert "languages" in result.output and "nothing was imported" in result.output
    assert db.session.execute(db.select(db.func.count()).select_from(Intervention)).scalar_one() == 0


@pytest.mark.parametrize("content", ["not json at all {", '{"services": 3}', "[1, 2]"])
def test_unreadable_files_are_one_line_errors(runner, app, taxonomy, tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(args=["portal", "import", "--format", "hsds", str(path)])
    assert result.exit_code != 0
    assert result.output.strip().startswith("Error:") and len(result.output.strip().splitlines()) == 1


def test_export_refuses_an_unknown_language(runner, app, tmp_path):
    result = runner.invoke(args=["portal", "export-hsds", str(tmp_path), "--lang", "xx"])
    assert result.exit_code != 0 and "--lang" in result.output
