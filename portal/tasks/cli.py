"""``flask queue worker``: a consumer of the background queue (and of this node's own queue)."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import AppGroup

queue_cli = AppGroup("queue", help="The background queue: run a consumer.")


@queue_cli.command("worker")
@click.option("--workers", type=click.IntRange(min=1, max=64), default=None,
              help="Worker threads for the shared queue (default: QUEUE_WORKERS, 2).")
@click.option("--no-periodic", is_flag=True, help="Do not schedule the periodic jobs from this consumer.")
def worker_command(workers: int | None, no_periodic: bool) -> None:
    """Run a consumer until stopped (SIGINT stops it after the running tasks, SIGTERM at once).

    Run one or more on every node: periodic jobs run once per period whatever the number.
    """
    from portal.tasks import node_queue, queue

    if queue.immediate:
        raise click.ClickException("QUEUE_IMMEDIATE is set: tasks run where they are queued; nothing to consume")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    workers = workers or current_app.config["QUEUE_WORKERS"]
    node_consumer = node_queue.create_consumer(workers=1, periodic=False)
    consumer = queue.create_consumer(workers=workers, periodic=not no_periodic, worker_type="thread")
    node_consumer.start()
    from portal.tasks import jobs, wake

    wake(jobs.deliver_outbox)  # whatever waited while no consumer ran
    try:
        consumer.run()
    finally:
        node_consumer.stop(graceful=True)
