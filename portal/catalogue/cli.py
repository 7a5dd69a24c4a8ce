"""``flask portal …``: demo data and bulk import."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from portal.catalogue.demo import load_demo
from portal.catalogue.importer import ImportFileError, audit_import, import_records, read_file

portal_cli = AppGroup("portal", help="Demo data, import and maintenance of the portal.")


@portal_cli.command("demo")
def demo_command() -> None:
    """Load the Skåne Nordost demo region (idempotent)."""
    report = load_demo()
    imported = report.interventions
    click.echo(
        f"Demo region ready: {report.organisations_created} organisations and "
        f"{report.units_created} units created; interventions: {len(imported.created)} created, "
        f"{len(imported.updated)} updated, {len(imported.unchanged)} unchanged; "
        f"{report.users_created} demo accounts created."
    )


@portal_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Validate and report without saving anything.")
@click.option("--format", "file_format", type=click.Choice(["portal", "hsds"]), default="portal",
              show_default=True,
              help="portal: the import format (JSON or CSV, see README); hsds: an HSDS 3.0 services list.")
def import_command(file: str, dry_run: bool, file_format: str) -> None:
    """Import interventions from a JSON or CSV FILE, or an HSDS 3.0 services list."""
    try:
        if file_format == "hsds":
            from portal.hsds.importing import read_services, records_from_services

            records = records_from_services(read_services(file))
        else:
            records = read_file(file)
    except ImportFileError as exc:
        raise click.ClickException(str(exc)) from exc
    with click.progressbar(length=len(records), label="Importing", file=sys.stderr) as bar:
        report = import_records(
            records, dry_run=dry_run, progress=lambda done, _total: bar.update(1),
            before_commit=lambda report: audit_import(report, source=file),
        )
    if report.errors:
        for error in report.errors:
            click.echo(str(error), err=True)
        raise click.ClickException(
            f"{len(report.errors)} error(s) in {len({e.row for e in report.errors})} row(s); "
            "nothing was imported."
        )
    prefix = "Dry run, nothing saved: would have " if dry_run else ""
    click.echo(
        f"{prefix}{len(report.created)} created, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged"
        + (f"; new organisations: {', '.join(report.organisations_created)}"
           if report.organisations_created else "")
        + "."
    )


@portal_cli.command("export-hsds")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--lang", default="sv", show_default=True, help="Language of text fields.")
def export_hsds_command(directory: str, lang: str) -> None:
    """Write the open catalogue as HSDS 3.0 JSON files into DIRECTORY."""
    from portal.hsds.exporting import export_hsds
    from portal.i18n import LANGUAGES

    if lang not in LANGUAGES:
        raise click.ClickException(f"--lang must be one of {', '.join(LANGUAGES)}")
    try:
        report = export_hsds(directory, lang)
    except OSError as exc:
        raise click.ClickException(f"cannot write to {directory}: {exc.strerror or exc}") from exc
    click.echo(f"HSDS 3.0 written to {report.directory}: "
               + ", ".join(f"{count} {name}" for name, count in report.counts.items()) + ".")


@portal_cli.command("purge")
@click.option("--months", type=click.IntRange(min=0), default=None,
              help="Retention period in months (default: BOOKING_RETENTION_MONTHS, 12).")
def purge_command(months: int | None) -> None:
    """Anonymise closed booking requests older than the retention period."""
    from flask import current_app

    from portal.booking.services import purge_closed_requests

    if months is None:
        months = current_app.config.get("BOOKING_RETENTION_MONTHS", 12)
    report = purge_closed_requests(months)
    click.echo(f"{report.anonymised} closed booking request(s) closed before "
               f"{report.cutoff:%Y-%m-%d} anonymised (retention: {months} months).")


@portal_cli.command("status")
def status_command() -> None:
    """Database, queue, outbox and search index, in words; exits 1 when the database is down."""
    from portal.health import health_report
    from portal.tasks.jobs import PERIODIC_JOBS

    healthy, report = health_report()
    click.echo(f"Database: {'answers' if healthy else 'DOES NOT ANSWER'}")
    queue = report["queue"]
    click.echo(f"Queue: {queue['pending']} task(s) waiting, {queue['scheduled']} scheduled"
               if queue["reachable"] else f"Queue: NOT REACHABLE ({queue['error']})")
    if healthy:
        outbox = report["outbox"]
        click.echo(f"Outbox: {outbox['undelivered']} message(s) undelivered"
                   + (f", the oldest for {outbox['oldest_undelivered_seconds']} s" if outbox["undelivered"] else ""))
        index = report["search_index"]
        click.echo(f"Search index: {index['behind']} job(s) behind" if index["usable"]
                   else "Search index: NOT USABLE (searches answer from the database; run `flask search rebuild`)")
    click.echo("Periodic jobs: " + "; ".join(f"{name}: {what}" for name, what in PERIODIC_JOBS.items()))
    if not healthy:
        raise SystemExit(1)
