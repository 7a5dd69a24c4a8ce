"""The follow-up's own records: the region's targets and the follow-up prompts to case officers."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.booking.models import BookingRequest
from portal.catalogue.models import str_enum
from portal.extensions import db
from portal.timeutil import utcnow


class TargetMeasure(enum.StrEnum):
    PARTICIPANTS = "participants"
    WOMEN = "women"
    MEN = "men"
    TO_WORK = "to_work"
    TO_STUDIES = "to_studies"


class FollowUpAnswer(enum.StrEnum):
    IN_WORK = "in_work"
    IN_STUDIES = "in_studies"
    IN_INTERVENTION = "in_intervention"
    LOOKING_FOR_WORK = "looking_for_work"
    OTHER = "other"
    NOT_KNOWN = "not_known"


FOLLOW_UP_MONTHS = (3, 6)


class StatsTarget(db.Model):
    """A target the region administrator set for a period (e.g. 150 participants)."""

    __tablename__ = "stats_targets"
    __table_args__ = (
        UniqueConstraint("period_start", "period_end", "measure"),
        CheckConstraint("value >= 0", name="value_not_negative"),
        CheckConstraint("period_start <= period_end", name="period_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    measure: Mapped[TargetMeasure] = mapped_column(str_enum(TargetMeasure, "stats_target_measure"))
    value: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class FollowUpPrompt(db.Model):
    """"How is the participant doing now?", asked once 3 and once 6 months after a request closed."""

    __tablename__ = "follow_up_prompts"
    __table_args__ = (UniqueConstraint("request_id", "months"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("booking_requests.id", ondelete="CASCADE"), index=True)
    months: Mapped[int]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    answer: Mapped[FollowUpAnswer | None] = mapped_column(str_enum(FollowUpAnswer, "follow_up_answer"))
    answered_at: Mapped[datetime | None]

    request: Mapped[BookingRequest] = relationship()
