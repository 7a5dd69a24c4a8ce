"""``flask portal import``: bulk import of interventions."""

from __future__ import annotations

import sys

import click

from portal.catalogue.importer import ImportFileError, audit_import, import_records, read_file


@click.command("import")
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
