"""``flask search rebuild`` and ``flask search sync``."""

from __future__ import annotations

import sys
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from portal.search.engine import IndexBusy, IndexUnavailable
from portal.search.services import prune_jobs, service

search_cli = AppGroup("search", help="Build and update the search index.")


@search_cli.command("rebuild")
def rebuild_command() -> None:
    """Build a fresh index from the database beside the old one and swap it in."""
    with click.progressbar(length=1, label="Indexing", file=sys.stderr, show_pos=True) as bar:
        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        count = service().rebuild(progress=progress)
    click.echo(f"Indexed {count} published interventions into {current_app.config['SEARCH_INDEX_DIR']}.")


@search_cli.command("sync")
@click.option("--prune-days", default=7, show_default=True, help="Delete applied jobs older than this.")
def sync_command(prune_days: int) -> None:
    """Apply pending index jobs (and prune old ones)."""
    try:
        applied = service().sync()
    except IndexUnavailable as exc:
        raise click.ClickException(f"no usable index ({exc}); run `flask search rebuild`") from exc
    except IndexBusy as exc:
        raise click.ClickException("the index is locked by another writer; try again") from exc
    pruned = prune_jobs(timedelta(days=prune_days))
    click.echo(f"Applied {applied} index jobs; pruned {pruned} old ones.")
