"""Bulk imports uploaded through the web: the file is kept here between dry run and import."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.catalogue.models import Organisation, str_enum
from portal.extensions import db
from portal.timeutil import utcnow


class ImportStatus(enum.StrEnum):
    PENDING = "pending"  # dry run done, waiting for the owner's confirmation
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ImportJob(db.Model):
    """An uploaded import file, its dry-run report and, once confirmed, its progress.

    ``organisation_id`` is the only organisation the file may touch (an editor's own);
    it is empty for a region administrator's import, which may touch any.
    """

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[ImportStatus] = mapped_column(
        str_enum(ImportStatus, "import_status"), default=ImportStatus.PENDING
    )
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    owner: Mapped[User] = relationship()
    organisation: Mapped[Organisation | None] = relationship()


    def __repr__(self) -> str:
        return f"<ImportJob {self.id} {self.filename!r} {self.status}>"


class ReminderLog(db.Model):
    """A reminder about an intervention that has been sent: each (kind, due date) only once."""

    __tablename__ = "reminder_log"
    __table_args__ = (UniqueConstraint("intervention_id", "kind", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    intervention_id: Mapped[int] = mapped_column(ForeignKey("interventions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # review, expiry-14, expiry-7, expiry-1
    due_on: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
