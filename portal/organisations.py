"""Organisations and their units, and the shared column helpers: what every domain may import.

Accounts, booking, catalogue and statistics all name organisations; keeping them here lets
each domain do so without importing another domain's models.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from portal.extensions import db
from portal.timeutil import utcnow

if TYPE_CHECKING:
    from portal.catalogue.models import Intervention


def str_enum(enum_class: type[enum.Enum], name: str) -> db.Enum:
    """A portable enum column: a VARCHAR with a named CHECK constraint."""
    return db.Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class OrganisationKind(enum.StrEnum):
    KOMMUN = "kommun"
    ARBETSFORMEDLINGEN = "arbetsformedlingen"
    FORSAKRINGSKASSAN = "forsakringskassan"
    REGION = "region"
    SAMORDNINGSFORBUND = "samordningsforbund"
    OTHER = "other"


class Organisation(db.Model):
    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint(
            "municipality_code IS NULL OR length(municipality_code) = 4",
            name="municipality_code_four_digits",
        ),
        CheckConstraint(
            "kind != 'kommun' OR municipality_code IS NOT NULL",
            name="kommun_has_municipality_code",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind, "organisation_kind"))
    municipality_code: Mapped[str | None] = mapped_column(String(4), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    booking_email: Mapped[str | None] = mapped_column(String(254))  # none yet: requests are held
    website: Mapped[str | None] = mapped_column(String(500))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    units: Mapped[list[Unit]] = relationship(
        back_populates="organisation", order_by="Unit.name", cascade="all, delete-orphan"
    )
    interventions: Mapped[list[Intervention]] = relationship(back_populates="organisation")

    @validates("municipality_code")
    def _check_municipality_code(self, _key: str, value: str | None) -> str | None:
        if value is not None and not (len(value) == 4 and value.isdigit()):
            raise ValueError("municipality_code must be four digits")
        return value

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


class Unit(db.Model):
    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(10))
    city: Mapped[str | None] = mapped_column(String(100))
    booking_email: Mapped[str | None] = mapped_column(String(254))

    organisation: Mapped[Organisation] = relationship(back_populates="units")

    @property
    def effective_booking_email(self) -> str:
        return self.booking_email or self.organisation.booking_email
