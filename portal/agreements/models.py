"""Cooperation agreements: which organisations' residents may use each other's interventions.

An agreement has members (organisations), a default price per week that the participant's
home municipality pays the owner (0 = free) and a period of validity. An agreement outside
its period counts for nothing.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.organisations import Organisation, str_enum
from portal.timeutil import utcnow


class AgreementKind(enum.StrEnum):
    REGIONAL = "regional"  # several municipalities (the Skåne Nordost agreement)
    BILATERAL = "bilateral"  # two organisations


agreement_members = db.Table(
    "agreement_members",
    db.Column("agreement_id", ForeignKey("agreements.id", ondelete="CASCADE"), primary_key=True),
    db.Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
)


class Agreement(db.Model):
    __tablename__ = "agreements"
    __table_args__ = (
        CheckConstraint("price_per_week_sek >= 0", name="price_not_negative"),
        CheckConstraint(
            "valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from",
            name="valid_period_ordered",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[AgreementKind] = mapped_column(str_enum(AgreementKind, "agreement_kind"))
    price_per_week_sek: Mapped[int] = mapped_column(default=0)
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    members: Mapped[list[Organisation]] = relationship(secondary=agreement_members, order_by=Organisation.name)

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until)

    @property
    def member_ids(self) -> set[int]:
        return {organisation.id for organisation in self.members}

    def __repr__(self) -> str:
        return f"<Agreement {self.name!r}>"
