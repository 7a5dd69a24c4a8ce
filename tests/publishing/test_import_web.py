"""Bulk import through the web: dry run, confirmation, progress, and who may import what."""

from __future__ import annotations

import io
import json
import re
import time

import pytest

from portal.accounts.models import Role
from portal.accounts.services import create_user
from portal.audit.models import AuditEvent
from portal.catalogue.importer import import_records
from portal.catalogue.models import Intervention, Organisation
from portal.extensions import db
from portal.publishing import import_jobs, import_services
from portal.publishing.models import ImportJob, ImportStatus
from tests.queue_helpers import ConsumerThread

PASSWORD = "correct horse battery"


def html(response) -> str:
    return response.get_data(as_text=True)


def count(model) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def row(record_id: str, code: str = "1290", **values) -> dict:
    return {
        "id": record_id,
        "municipality_code": code,
        "municipality": "Kristianstad",
        "title": f"Arbetsträning {record_id}",
        "summary": "Arbetsträning med handledare.",
        "type": "arbetstraning",
        "target_groups": ["unga"],
        "capacity": 10,
        "places_available": 2,
    } | values


def json_file(records: list[dict], name: str = "insatser.json"):
    return io.BytesIO(json.dumps(records, ensure_ascii=False).encode("utf-8")), name


def upload(client, records: list[dict] | None = None, *, file=None, lang: str = ""):
    return client.post(
        f"{lang}/manage/import",
        data={"file": file or json_file(records)},
        content_type="multipart/form-data",
    )


def job_id_of(response) -> int:
    assert response.status_code == 302, html(response)[:3000]
    return int(re.search(r"/manage/import/(\d+)$", response.location).group(1))


def log_in(client, user) -> None:
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, html(response)[:500]


@pytest.fixture(autouse=True)
def csrf_off(app):
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def inline(app):
    """The queue runs the import where it is confirmed (the default in tests)."""
    assert app.config["QUEUE_IMMEDIATE"]


@pytest.fixture
def kristianstad(make):
    return make.organisation(
        name="Kristianstads kommun", municipality_code="1290", slug="kristianstad"
    )


@pytest.fixture
def osby(make):
    return make.organisation(name="Osby kommun", municipality_code="1273", slug="osby")


@pytest.fixture
def user_with(make, kristianstad):
    def create(
        role: Role, organisation: Organisation | None = kristianstad, email: str | None = None
    ):
        user = create_user(
            email or f"{role.value}@example.se",
            f"Test {role.value}",
            role,
            None if role == Role.ADMIN else organisation,
            password=PASSWORD,
        )
        db.session.commit()
        return user

    return create


@pytest.fixture
def editor(client, user_with):
    user = user_with(Role.EDITOR)
    log_in(client, user)
    return user


# ---------------------------------------------------------------------------- dry run


def test_dry_run_reports_each_row_and_writes_nothing(client, editor, kristianstad):
    import_records([row("K001"), row("K002")])  # already imported once
    before = db.session.execute(
        db.select(Intervention.external_id, Intervention.title, Intervention.version).order_by(
            Intervention.id
        )
    ).all()
    records = [row("K001"), row("K002", title="Ny titel"), row("K003")]

    response = upload(client, records, lang="/en")
    job_id = job_id_of(response)
    page = html(client.get(response.location))

    assert "Trial run: nothing has been saved yet" in page
    rows = re.findall(r'<tr class="outcome-(\w+)">\s*<td>(\d+)</td>\s*<td[^>]*>([^<]+)</td>', page)
    assert rows == [("unchanged", "1", "K001"), ("updated", "2", "K002"), ("created", "3", "K003")]
    assert "1 new" in page and "1 changed" in page and "1 unchanged" in page
    db.session.expire_all()
    assert (
        db.session.execute(
            db.select(Intervention.external_id, Intervention.title, Intervention.version).order_by(
                Intervention.id
            )
        ).all()
        == before
    )
    job = db.session.get(ImportJob, job_id)
    assert job.status == ImportStatus.PENDING and job.owner_id == editor.id
    assert job.organisation_id == kristianstad.id and job.total == 3
    assert json.loads(job.content) == records
    assert not db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "import")
    ).first()


def test_csv_files_are_read_like_the_command_line_import(client, editor):
    text = (
        "id,municipality_code,title,summary,type,target_groups,capacity,places_available\n"
        "C1,1290,Praktik i butik,Praktik med handledare.,praktik,unga;nyanlanda,4,1\n"
    )
    response = upload(client, file=(io.BytesIO(text.encode("utf-8")), "insatser.csv"))
    page = html(client.get(response.location))
    assert "C1" in page and "Praktik i butik" in page
    assert count(Intervention) == 0


def test_invalid_file_imports_nothing_and_names_row_and_field(client, editor):
    records = [
        row("K001"),
        row("K002", capacity="many"),
        row("K003", type="underwater_basketweaving"),
    ]
    response = upload(client, records, lang="/en")
    page = html(response)
    assert response.status_code == 422
    assert "nothing has been imported" in page
    errors = re.findall(
        r"<tr>\s*<td>(\d+)</td>\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>([^<]*)</td>\s*"
        r"<td[^>]*>([^<]*)</td>",
        page,
    )
    assert ("2", "K002", "capacity", "must be a whole number") in errors
    assert ("3", "K003", "type", "unknown code &#39;underwater_basketweaving&#39;") in errors
    assert count(ImportJob) == 0
    assert count(Intervention) == 0


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"[1, 2", "broken.json", "The file cannot be read"),
        (b"[]", "empty.json", "The file holds no interventions."),
        (b"id\nK1\n", "insatser.xlsx", "Choose a file whose name ends in .csv or .json."),
        ("[]".encode("utf-16"), "utf16.json", "The file must be saved as UTF-8 text."),
    ],
    ids=["not-json", "empty", "wrong-kind", "not-utf8"],
)
def test_unreadable_uploads_are_explained_next_to_the_field(client, editor, content, name, message):
    response = upload(client, file=(io.BytesIO(content), name), lang="/en")
    assert response.status_code == 422
    assert re.search(
        r'<p class="field-error" id="file-error">[^<]*' + re.escape(message), html(response)
    )
    assert count(ImportJob) == 0


def test_a_file_over_the_size_limit_gets_a_clear_message(client, editor, app):
    app.config["IMPORT_MAX_BYTES"] = 2000
    big = [row(f"K{number:03d}", description="x" * 200) for number in range(20)]
    response = upload(client, big, lang="/en")
    assert response.status_code == 422
    assert "The file is too large: at most" in html(response)
    # far over the limit: refused before the body is read, with the same message on the form
    huge = io.BytesIO(b"[" + b" " * (import_services.MULTIPART_ALLOWANCE + 10_000) + b"]")
    response = upload(client, file=(huge, "huge.json"), lang="/en")
    assert response.status_code == 413
    page = html(response)
    assert "The file is too large: at most" in page and 'type="file"' in page
    assert count(ImportJob) == 0


# ---------------------------------------------------------------------------- confirm


def test_confirming_imports_the_stored_file(client, editor, kristianstad, inline):
    job_id = job_id_of(upload(client, [row("K001"), row("K002")]))
    response = client.post(
        f"/manage/import/{job_id}/confirm",
        data={"content": json.dumps([row("EVIL", title="Injected")])},
    )
    assert response.status_code == 302
    db.session.expire_all()
    job = db.session.get(ImportJob, job_id)
    assert job.status == ImportStatus.DONE and job.done == job.total == 2
    titles = (
        db.session.execute(
            db.select(Intervention.external_id)
            .where(Intervention.organisation_id == kristianstad.id)
            .order_by(Intervention.external_id)
        )
        .scalars()
        .all()
    )
    assert titles == ["K001", "K002"]  # from the stored copy, not from anything sent again
    [event] = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "import")
    ).scalars()
    assert event.actor_id == editor.id and event.organisation_id == kristianstad.id
    assert event.record_type == "import_job" and event.record_id == str(job_id)
    assert event.changes == {
        "file": "insatser.json",
        "rows": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "organisations_created": [],
    }
    page = html(client.get(f"/en/manage/import/{job_id}"))
    assert "The import is finished: 2 of 2 rows." in page
    assert 'http-equiv="refresh"' not in page

    again = client.post(f"/manage/import/{job_id}/confirm")
    assert again.status_code == 302
    assert count(Intervention) == 2
    assert (
        len(db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "import")).all())
        == 1
    )


def test_import_runs_on_the_queue_and_the_page_follows_it(client, editor, app, real_queue):
    app.config["IMPORT_PROGRESS_EVERY"] = 5
    records = [row(f"K{number:03d}") for number in range(40)]
    job_id = job_id_of(upload(client, records))
    response = client.post(f"/manage/import/{job_id}/confirm")
    assert response.status_code == 302
    assert real_queue.pending_count() == 1  # answered at once; the import waits for a consumer
    page = html(client.get(f"/en/manage/import/{job_id}"))
    assert "Importing" in page and '<meta http-equiv="refresh" content="2">' in page
    assert re.search(r'<progress id="import-progress" max="40" value="\d+">', page)
    consumer = ConsumerThread()
    consumer.start()
    try:
        deadline = time.monotonic() + 60
        while "The import is finished" not in (page := html(client.get(f"/en/manage/import/{job_id}"))):
            assert "failed" not in page
            assert time.monotonic() < deadline, "the import did not finish"
            time.sleep(0.05)
    finally:
        consumer.stop()
    db.session.expire_all()
    assert count(Intervention) == 40
    job = db.session.get(ImportJob, job_id)
    assert job.status == ImportStatus.DONE and job.done == 40


def test_an_import_whose_consumer_died_is_marked_failed_and_says_so(client, editor, app, real_queue):
    from datetime import timedelta

    from portal.tasks.jobs import sweep_imports

    job_id = job_id_of(upload(client, [row("K001")]))
    client.post(f"/manage/import/{job_id}/confirm")
    real_queue.flush()  # the consumer that took the task died with it
    job = db.session.get(ImportJob, job_id)
    assert job.status == ImportStatus.RUNNING
    sweep_imports.job()
    db.session.expire_all()
    assert db.session.get(ImportJob, job_id).status == ImportStatus.RUNNING  # not yet stale
    job.started_at -= timedelta(minutes=app.config["IMPORT_STALE_MINUTES"] + 1)
    db.session.commit()
    sweep_imports.job()
    db.session.expire_all()
    job = db.session.get(ImportJob, job_id)
    assert job.status == ImportStatus.FAILED and job.finished_at is not None
    page = html(client.get(f"/en/manage/import/{job_id}"))
    assert "The import failed; nothing has been imported." in page and "interrupted" in page
    assert count(Intervention) == 0


def test_unconfirmed_uploads_are_removed_after_a_day(client, editor, app):
    from datetime import timedelta

    from portal.tasks.jobs import sweep_imports

    job_id = job_id_of(upload(client, [row("K001")]))
    job = db.session.get(ImportJob, job_id)
    job.created_at -= timedelta(days=2)
    db.session.commit()
    sweep_imports.job()
    db.session.expire_all()
    assert db.session.get(ImportJob, job_id) is None


def test_progress_is_visible_while_the_import_transaction_is_open(
    client, editor, app, inline, monkeypatch
):
    """Another connection sees the job's progress before the import commits."""
    app.config["IMPORT_PROGRESS_EVERY"] = 2
    job_id = job_id_of(upload(client, [row(f"K{number:03d}") for number in range(6)]))
    seen: list[tuple[int, int]] = []
    real_import = import_jobs.import_records

    def watching_import(records, **options):
        progress = options["progress"]

        def observe(done, total):
            progress(done, total)
            if db.engine.dialect.name == "sqlite":  # one writer: progress is kept in the process
                job = db.session.get(ImportJob, job_id)
                seen.append(import_jobs.live_progress(job))
            else:
                with db.engine.connect() as other:
                    seen.append(
                        tuple(
                            other.execute(
                                db.select(ImportJob.done, ImportJob.total).where(
                                    ImportJob.id == job_id
                                )
                            ).one()
                        )
                    )
            uncommitted = db.session.execute(db.select(db.func.count(Intervention.id))).scalar_one()
            assert uncommitted == done  # the import's own transaction is still open

        return real_import(records, **{**options, "progress": observe})

    monkeypatch.setattr(import_jobs, "import_records", watching_import)
    client.post(f"/manage/import/{job_id}/confirm")
    if db.engine.dialect.name == "sqlite":
        assert seen == [(n, 6) for n in range(1, 7)]
    else:
        assert seen == [(0, 6), (2, 6), (2, 6), (4, 6), (4, 6), (6, 6)]


def test_the_running_page_refreshes_itself_and_shows_progress(client, editor):
    job_id = job_id_of(upload(client, [row("K001"), row("K002")]))
    db.session.execute(
        db.update(ImportJob)
        .where(ImportJob.id == job_id)
        .values(status=ImportStatus.RUNNING, done=1, total=2)
    )
    db.session.commit()
    page = html(client.get(f"/en/manage/import/{job_id}"))
    assert '<meta http-equiv="refresh" content="2">' in page
    assert '<progress id="import-progress" max="2" value="1">' in page
    assert "1 of 2 rows" in page


def test_cancelling_throws_the_file_away(client, editor):
    job_id = job_id_of(upload(client, [row("K001")]))
    response = client.post(f"/manage/import/{job_id}/cancel")
    assert response.status_code == 302
    assert count(ImportJob) == 0 and count(Intervention) == 0


# ---------------------------------------------------------------------------- who may


def test_editor_cannot_import_rows_of_another_municipality(client, editor, osby, inline):
    response = upload(client, [row("K001"), row("O001", code="1273")], lang="/en")
    page = html(response)
    assert response.status_code == 422
    assert re.search(
        r"<td>2</td>\s*<td[^>]*>O001</td>\s*<td[^>]*>municipality_code</td>\s*"
        r"<td[^>]*>you may only import into Kristianstads kommun</td>",
        page,
    )
    assert count(ImportJob) == 0 and count(Intervention) == 0
    # nor may a new municipality be created through an editor's import
    response = upload(client, [row("N001", code="1266")])
    assert response.status_code == 422
    assert count(Organisation) == 2 and count(Intervention) == 0


def test_admin_imports_for_any_organisation(client, user_with, osby, inline):
    admin = user_with(Role.ADMIN)
    log_in(client, admin)
    response = upload(
        client,
        [row("K001"), row("O001", code="1273"), row("H001", code="1266", municipality="Hörby")],
        lang="/en",
    )
    job_id = job_id_of(response)
    assert "New organisations: Hörby kommun" in html(client.get(response.location))
    assert count(Organisation) == 2
    job = db.session.get(ImportJob, job_id)
    assert job.organisation_id is None
    client.post(f"/manage/import/{job_id}/confirm")
    db.session.expire_all()
    assert count(Intervention) == 3 and count(Organisation) == 3


def test_another_user_cannot_see_confirm_or_cancel_someone_elses_job(
    client, app, editor, user_with, inline
):
    job_id = job_id_of(upload(client, [row("K001")]))
    for role, email in ((Role.EDITOR, "colleague@example.se"), (Role.ADMIN, "admin@example.se")):
        other_user = user_with(role, email=email)
        other = app.test_client()
        with app.app_context():  # a context of its own: the tests' context remembers the owner
            log_in(other, other_user)
            assert other.get(f"/manage/import/{job_id}").status_code == 404
            assert other.post(f"/manage/import/{job_id}/confirm").status_code == 404
            assert other.post(f"/manage/import/{job_id}/cancel").status_code == 404
    db.session.expire_all()
    assert db.session.get(ImportJob, job_id).status == ImportStatus.PENDING
    assert count(Intervention) == 0


def test_an_owner_who_lost_the_editor_role_cannot_confirm(client, editor, inline):
    job_id = job_id_of(upload(client, [row("K001")]))
    editor.role = Role.CASEWORKER
    db.session.commit()
    assert client.post(f"/manage/import/{job_id}/confirm").status_code == 404
    assert count(Intervention) == 0


@pytest.mark.parametrize("role", [Role.CASEWORKER, None])
def test_caseworkers_and_visitors_may_not_import(client, user_with, role):
    if role is not None:
        log_in(client, user_with(role))
    for response in (client.get("/manage/import"), upload(client, [row("K001")])):
        if role is None:
            assert response.status_code == 302 and "/login" in response.location
        else:
            assert response.status_code == 403
    assert count(ImportJob) == 0 and count(Intervention) == 0


def test_an_upload_without_csrf_token_is_refused(client, app, user_with):
    app.config["WTF_CSRF_ENABLED"] = True
    login_page = html(client.get("/login"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    user = user_with(Role.EDITOR)
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    assert upload(client, [row("K001")]).status_code == 400
    assert count(ImportJob) == 0
