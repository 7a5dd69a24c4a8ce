"""``flask notify send``: deliver the outbox backlog, once or as a worker loop."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from portal.notify.services import deliver_pending

notify_cli = AppGroup("notify", help="Deliver queued notifications.")


@notify_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep running, checking for due messages.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between rounds with --loop.")
def send_command(loop: bool, interval: float) -> None:
    """Send every due message in the outbox."""
    while True:
        report = deliver_pending()
        if report.sent or report.failed or not loop:
            click.echo(f"{report.sent} sent, {report.failed} failed (will be retried)")
        if not loop:
            return
        time.sleep(interval)
