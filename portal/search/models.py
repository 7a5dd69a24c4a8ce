"""The index job log: the database is the truth, every search index follows this log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.timeutil import utcnow


class IndexJob(db.Model):
    """"Intervention N changed": appended in the transaction that changed it."""

    __tablename__ = "index_jobs"
    __table_args__ = {"sqlite_autoincrement": True}  # ids must only grow, also after deletes

    id: Mapped[int] = mapped_column(primary_key=True)
    intervention_id: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
