"""The background queue in tests: immediate by default; these give a real one where it matters."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

from portal import tasks


@contextmanager
def real_queue(app, directory: Path):
    """Both queues of ``app`` on SQLite files in ``directory``: tasks wait until consumed."""
    app.config.update(QUEUE_IMMEDIATE=False, QUEUE_URL=f"sqlite:///{directory / 'queue.db'}",
                      NODE_QUEUE_URL=f"sqlite:///{directory / 'node-queue.db'}")
    tasks.init_app(app)
    try:
        yield tasks.queue
    finally:
        app.config.update(QUEUE_IMMEDIATE=True)
        tasks.init_app(app)


def drain(huey=None) -> int:
    """Run every task waiting in ``huey`` (default: the shared queue) here, as a consumer would."""
    huey = huey or tasks.queue
    ran = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    return ran


class ConsumerThread(threading.Thread):
    """A consumer in a thread of the test process, polling the shared queue until stopped."""

    def __init__(self, huey=None) -> None:
        super().__init__(name="test-consumer", daemon=True)
        self.huey = huey or tasks.queue
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            task = self.huey.dequeue()
            if task is None:
                self.stopping.wait(0.02)
            else:
                self.huey.execute(task)

    def stop(self) -> None:
        self.stopping.set()
        self.join(30)
