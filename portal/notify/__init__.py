"""Notifications: the outbox and its sender. Mail is delivered by the queue, never in a request."""

from __future__ import annotations

import logging

from flask import Flask, g

logger = logging.getLogger("portal.mail")


def mark_queued() -> None:
    """Note that this request queued mail, so the queue is woken when the request ends."""
    from flask import has_request_context

    if has_request_context():
        g.mail_queued = True


def init_app(app: Flask) -> None:
    @app.after_request
    def wake_the_outbox(response):
        # After the view committed; a rolled-back message is simply not found by the task.
        if g.pop("mail_queued", False):
            from portal.tasks import jobs, wake

            wake(jobs.deliver_outbox)
        return response
