"""``flask portal …``: demo data and bulk import."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from portal.catalogue.demo import load_demo
from portal.catalogue.importer import ImportFileError, import_records, read_file

portal_cli = AppGroup("portal", help="Demo data, import and maintenance of the portal.")


@portal_cli.command("demo")
def demo_command() -> None:
    """Load the Skåne Nordost demo region (idempotent)."""
    report = load_demo()
    imported = report.interventions
    click.echo(
        f"Demo region ready: {report.organisations_created} organisations and "
        f"{report.units_created} units created; interventions: {len(imported.created)} created, "
        f"{len(imported.updated)} updated, {len(imported.unchanged)} unchanged."
    )


@portal_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Validate and report without saving anything.")
def import_command(file: str, dry_run: bool) -> None:
    """Import interventions from a JSON or CSV FILE (format: see README)."""
    try:
        records = read_file(file)
    except ImportFileError as exc:
        raise click.ClickException(str(exc)) from exc
    with click.progressbar(length=len(records), label="Importing", file=sys.stderr) as bar:
        report = import_records(records, dry_run=dry_run, progress=lambda done, _total: bar.update(1))
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
