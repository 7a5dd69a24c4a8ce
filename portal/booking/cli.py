"""``flask portal purge``: anonymise closed booking requests past the retention period."""

from __future__ import annotations

import click


@click.command("purge")
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
