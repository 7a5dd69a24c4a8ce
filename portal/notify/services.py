"""Queue notifications in the caller's transaction; deliver them afterwards, exactly once.

``queue_mail`` only adds a row: it is committed (or rolled back) together with the change
it reports. ``deliver_pending`` claims due rows one at a time with a conditional update,
so two senders never send the same message; a message is marked sent in its own commit
right after the server accepted it, and a failure schedules a retry with back-off.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

from flask import current_app
from flask_babel import force_locale

from portal.extensions import db
from portal.notify import mark_queued
from portal.notify.models import OutboxMessage
from portal.timeutil import utcnow

logger = logging.getLogger("portal.mail")

CLAIM_SECONDS = 120
MAX_BACKOFF = timedelta(hours=1)


def queue_mail(recipient: str, template: str, locale: str, *, kind: str,
               context: Mapping[str, Any]) -> OutboxMessage:
    """Render ``templates/notify/<template>.txt`` in ``locale`` and queue it.

    The template's first line is the subject; the rest is the body. A mail is rendered from
    its own context alone, without the pages' context processors, so it renders the same in
    a request, a CLI command or a queue consumer.
    """
    with force_locale(locale):
        rendered = current_app.jinja_env.get_template(f"notify/{template}.txt").render(context).strip()
    subject, _, body = rendered.partition("\n")
    message = OutboxMessage(recipient=recipient, subject=subject.strip(), body=body.strip() + "\n",
                            kind=kind)
    db.session.add(message)
    mark_queued()
    return message


def backoff(attempts: int, base_seconds: int = 30) -> timedelta:
    """30 s, 1 min, 2 min, … at most an hour (``OUTBOX_RETRY_SECONDS`` is the first step)."""
    return min(timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0


def deliver_all_due(batch: int = 100) -> DeliveryReport:
    """Deliver every due message, batch by batch, until a batch leaves nothing due."""
    total = DeliveryReport()
    while True:
        report = deliver_pending(limit=batch)
        total.sent += report.sent
        total.failed += report.failed
        if report.sent + report.failed < batch:
            return total


def seconds_until_next_attempt() -> float | None:
    """How long until the earliest unsent message is due again (a retry, or a claim that lapses)."""
    row = db.session.execute(
        db.select(db.func.min(OutboxMessage.next_attempt_at), db.func.min(OutboxMessage.claimed_until))
        .where(OutboxMessage.sent_at.is_(None))
    ).one()
    moments = [moment for moment in row if moment is not None]
    if not moments:
        return None
    return max((min(moments) - utcnow()).total_seconds(), 0.0)


def deliver_pending(limit: int = 100) -> DeliveryReport:
    """Send due messages; returns how many were sent and how many failed this round."""
    report = DeliveryReport()
    for message_id in _due_ids(limit):
        if not _claim(message_id):
            continue
        message = db.session.get(OutboxMessage, message_id)
        try:
            send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            _record_failure(message, exc)
            report.failed += 1
        else:
            message.sent_at = utcnow()
            message.attempts += 1
            message.claimed_until = None
            db.session.commit()
            report.sent += 1
    return report


def _due_ids(limit: int) -> list[int]:
    now = utcnow()
    return list(
        db.session.execute(
            db.select(OutboxMessage.id)
            .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.id)
            .limit(limit)
        ).scalars()
    )


def _claim(message_id: int) -> bool:
    """Take a message for this sender; False when another sender holds or sent it."""
    now = utcnow()
    table = OutboxMessage.__table__
    result = db.session.execute(
        table.update()
        .where(
            table.c.id == message_id,
            table.c.sent_at.is_(None),
            (table.c.claimed_until.is_(None)) | (table.c.claimed_until < now),
        )
        .values(claimed_until=now + timedelta(seconds=current_app.config.get("OUTBOX_CLAIM_SECONDS",
                                                                                CLAIM_SECONDS)))
    )
    db.session.commit()
    return result.rowcount == 1


def _record_failure(message: OutboxMessage, error: Exception) -> None:
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:1000]
    message.next_attempt_at = utcnow() + backoff(message.attempts,
                                                 current_app.config.get("OUTBOX_RETRY_SECONDS", 30))
    message.claimed_until = None
    db.session.commit()
    logger.warning("mail %s to %s failed (attempt %s): %s", message.id, message.recipient,
                   message.attempts, message.last_error)


def send_message(message: OutboxMessage) -> None:
    config = current_app.config
    if config["MAIL_BACKEND"] == "log":
        logger.info("mail to %s\nSubject: %s\n\n%s", message.recipient, message.subject, message.body)
        return
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Message-ID"] = f"<outbox-{message.id}@insatsportalen>"
    email.set_content(message.body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)
