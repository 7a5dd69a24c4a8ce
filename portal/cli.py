"""``flask portal …``: the portal's own commands, each from the domain it belongs to."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.booking.cli import purge_command
from portal.catalogue.cli import import_command
from portal.demo import load_demo
from portal.hsds.cli import export_hsds_command

portal_cli = AppGroup("portal", help="Demo data, import, export and maintenance of the portal.")
for command in (import_command, export_hsds_command, purge_command):
    portal_cli.add_command(command)


@portal_cli.command("demo")
def demo_command() -> None:
    """Load the Skåne Nordost demo region (idempotent)."""
    report = load_demo()
    imported = report.interventions
    click.echo(
        f"Demo region ready: {report.organisations_created} organisations and "
        f"{report.units_created} units created; interventions: {len(imported.created)} created, "
        f"{len(imported.updated)} updated, {len(imported.unchanged)} unchanged; "
        f"{report.users_created} demo accounts created; "
        f"{report.history_requests} booking requests of history added."
    )


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
