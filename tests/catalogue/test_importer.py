"""``flask portal import``: the corpus format, all-or-nothing, idempotent."""

import copy
import json
from pathlib import Path

import pytest

from portal.catalogue.importer import import_records, parse_text
from portal.catalogue.models import Intervention, InterventionStatus, Organisation
from portal.extensions import db

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "eval" / "dev_corpus.json"


@pytest.fixture
def corpus_records():
    if not CORPUS.exists():
        pytest.skip("the shared evaluation corpus is not beside the checkout")
    return json.loads(CORPUS.read_text(encoding="utf-8"))


def count(model) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def test_cli_imports_the_corpus_and_a_second_run_changes_nothing(runner, taxonomy, corpus_records):
    result = runner.invoke(args=["portal", "import", str(CORPUS)])
    assert result.exit_code == 0, result.output
    assert "60 created" in result.output
    assert count(Intervention) == 60
    assert count(Organisation) == 8
    östersund = db.session.execute(
        db.select(Organisation).where(Organisation.municipality_code == "2380")
    ).scalar_one()
    assert östersund.name == "Östersunds kommun"
    versions = dict(db.session.execute(db.select(Intervention.external_id, Intervention.version)).all())

    again = runner.invoke(args=["portal", "import", str(CORPUS)])
    assert again.exit_code == 0, again.output
    assert "0 created, 0 updated, 60 unchanged" in again.output
    db.session.expire_all()
    assert count(Intervention) == 60
    assert dict(db.session.execute(db.select(Intervention.external_id, Intervention.version)).all()) == versions


def test_one_broken_row_imports_nothing_and_names_row_and_field(runner, taxonomy, corpus_records, tmp_path):
    broken = copy.deepcopy(corpus_records)
    broken[6]["capacity"] = "many"
    broken[41]["type"] = "underwater_basketweaving"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken), encoding="utf-8")

    result = runner.invoke(args=["portal", "import", str(path)])
    assert result.exit_code != 0
    assert "row 7 (D007): capacity: must be a whole number" in result.output
    assert "row 42 (D042): type: unknown code 'underwater_basketweaving'" in result.output
    assert "nothing was imported" in result.output
    assert count(Intervention) == 0
    assert count(Organisation) == 0


def test_dry_run_saves_nothing(runner, taxonomy, corpus_records):
    result = runner.invoke(args=["portal", "import", "--dry-run", str(CORPUS)])
    assert result.exit_code == 0, result.output
    assert "would have 60 created" in result.output
    assert count(Intervention) == 0


def test_unreadable_file_is_one_clear_line(runner, taxonomy, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json", encoding="utf-8")
    result = runner.invoke(args=["portal", "import", str(path)])
    assert result.exit_code != 0
    assert "not valid JSON" in result.output


def test_an_update_changes_the_record_instead_of_duplicating(app, taxonomy, corpus_records):
    import_records(corpus_records[:3])
    changed = copy.deepcopy(corpus_records[:3])
    changed[0]["title"] = "Ny titel"
    report = import_records(changed)
    assert report.updated == ["D001"] and len(report.unchanged) == 2
    assert db.session.execute(
        db.select(Intervention.title).where(Intervention.external_id == "D001")
    ).scalar_one() == "Ny titel"


def test_status_from_the_file_is_kept_else_published(app, taxonomy, corpus_records):
    records = copy.deepcopy(corpus_records[:2])
    records[1]["status"] = "draft"
    import_records(records)
    statuses = dict(db.session.execute(db.select(Intervention.external_id, Intervention.status)).all())
    assert statuses == {"D001": InterventionStatus.PUBLISHED, "D002": InterventionStatus.DRAFT}


def test_csv_import_with_lists_and_translations(app, taxonomy):
    text = (
        "id,municipality_code,municipality,unit,title,summary,description,type,target_groups,"
        "languages,capacity,places_available,start,translations.en.title,translations.en.summary\n"
        "C1,1290,Kristianstad,Jobbtorget,Praktik i lager,Praktik på ett lager.,Text.,praktik,"
        "unga;nyanlanda,sv;ar,8,2,2027-02-01,Warehouse placement,A placement in a warehouse.\n"
    )
    report = import_records(parse_text(text, ".csv"))
    assert report.ok, report.errors
    intervention = db.session.execute(db.select(Intervention)).scalar_one()
    assert sorted(t.code for t in intervention.target_groups) == ["nyanlanda", "unga"]
    assert intervention.language_codes == ["ar", "sv"]
    assert intervention.translation("en").title == "Warehouse placement"
    assert intervention.intake.value == "cohorts"
    assert intervention.organisation.name == "Kristianstads kommun"


def test_editor_import_is_limited_to_own_organisation(make, corpus_records):
    own = make.organisation(municipality_code="2380")
    report = import_records(corpus_records[:25], only_organisation=own)
    assert not report.ok
    assert all(error.field == "municipality_code" for error in report.errors)
    assert count(Intervention) == 0


def test_repeated_start_dates_are_one_start(app, taxonomy, corpus_records):
    record = copy.deepcopy(corpus_records[0])
    record.update(start="2027-03-01", start_dates=["2027-03-01", "2027-03-01", "2027-05-03"])
    assert import_records([record]).ok
    intervention = db.session.execute(db.select(Intervention)).scalar_one()
    assert [start.starts_on.isoformat() for start in intervention.start_dates] == ["2027-03-01", "2027-05-03"]
