"""Notifications: the outbox, its sender, and delivery after the request that queued mail."""

from __future__ import annotations

import logging

from flask import Flask, g

logger = logging.getLogger("portal.mail")


def mark_queued() -> None:
    """Note that this request queued mail, so it is delivered when the request ends."""
    from flask import has_request_context

    if has_request_context():
        g.mail_queued = True


def init_app(app: Flask) -> None:
    @app.after_request
    def deliver_queued_mail(response):
        if g.pop("mail_queued", False) and app.config["MAIL_SEND_ON_REQUEST"]:
            from portal.notify.services import deliver_pending

            try:
                deliver_pending(limit=20)
            except Exception:  # delivery must never break the request; the worker retries
                logger.exception("delivering queued mail after the request failed")
        return response
