"""Organisations, units, taxonomy and interventions: what the region publishes."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.organisations import Organisation, OrganisationKind, Unit, str_enum  # noqa: F401  (re-exported)
from portal.timeutil import today, utcnow

OWN_APPLICATION = "egen_anmalan"  # the referrer code that lets a visitor apply


class InterventionStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    PAUSED = "paused"
    ARCHIVED = "archived"


class DeliveryFormat(enum.StrEnum):
    ON_SITE = "on_site"
    REMOTE = "remote"
    MIXED = "mixed"


class Intake(enum.StrEnum):
    ROLLING = "rolling"
    COHORTS = "cohorts"
    SINGLE = "single"


class OpenTo(enum.StrEnum):
    """Whose residents may take part."""

    OWN = "own"  # residents of the owner's municipality only
    AGREEMENT = "agreement"  # and residents of municipalities with an agreement with the owner
    REGION = "region"  # residents of any municipality in the region
    ANYONE = "anyone"


class ReferralRule(enum.StrEnum):
    """What happens to a request from an organisation outside "who may refer"."""

    REFUSE = "refuse"
    WARN = "warn"  # sent, marked as an exception for the owner to decide


class Vocabulary(enum.StrEnum):
    TYPE = "type"
    TARGET_GROUP = "target_group"
    REFERRER = "referrer"


def label_in(labels: dict[str, str], locale: str, code: str) -> str:
    """A term's label in ``locale``, else the Swedish one, else its code."""
    return labels.get(locale) or labels.get("sv") or code


class TaxonomyTerm(db.Model):
    """A type, target group or referrer: a code with a label per locale."""

    __tablename__ = "taxonomy_terms"
    __table_args__ = (UniqueConstraint("vocabulary", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vocabulary: Mapped[Vocabulary] = mapped_column(str_enum(Vocabulary, "vocabulary"))
    code: Mapped[str] = mapped_column(String(50))
    position: Mapped[int] = mapped_column(default=0)

    labels: Mapped[list[TaxonomyLabel]] = relationship(
        back_populates="term", cascade="all, delete-orphan", lazy="selectin"
    )

    def label(self, locale: str) -> str:
        return label_in({label.locale: label.label for label in self.labels}, locale, self.code)

    def __repr__(self) -> str:
        return f"<TaxonomyTerm {self.vocabulary}:{self.code}>"


class TaxonomyLabel(db.Model):
    __tablename__ = "taxonomy_labels"

    term_id: Mapped[int] = mapped_column(
        ForeignKey("taxonomy_terms.id", ondelete="CASCADE"), primary_key=True
    )
    locale: Mapped[str] = mapped_column(String(8), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))

    term: Mapped[TaxonomyTerm] = relationship(back_populates="labels")


intervention_target_groups = db.Table(
    "intervention_target_groups",
    db.Column("intervention_id", ForeignKey("interventions.id", ondelete="CASCADE"), primary_key=True),
    db.Column("term_id", ForeignKey("taxonomy_terms.id", ondelete="RESTRICT"), primary_key=True),
)

intervention_referrers = db.Table(
    "intervention_referrers",
    db.Column("intervention_id", ForeignKey("interventions.id", ondelete="CASCADE"), primary_key=True),
    db.Column("term_id", ForeignKey("taxonomy_terms.id", ondelete="RESTRICT"), primary_key=True),
)


class Intervention(db.Model):
    __tablename__ = "interventions"
    __table_args__ = (
        UniqueConstraint("organisation_id", "external_id"),
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        CheckConstraint(
            "places_available >= 0 AND places_available <= capacity",
            name="places_within_capacity",
        ),
        CheckConstraint("duration_weeks IS NULL OR duration_weeks > 0", name="duration_positive"),
        CheckConstraint(
            "hours_per_week IS NULL OR (hours_per_week >= 0 AND hours_per_week <= 60)",
            name="hours_per_week_range",
        ),
        CheckConstraint("price_per_week_sek >= 0", name="price_not_negative"),
        CheckConstraint("price_per_week_other_sek IS NULL OR price_per_week_other_sek >= 0",
                        name="other_price_not_negative"),
        CheckConstraint("wait_weeks IS NULL OR wait_weeks >= 0", name="wait_not_negative"),
        CheckConstraint(
            "valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from",
            name="valid_period_ordered",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    type_id: Mapped[int] = mapped_column(ForeignKey("taxonomy_terms.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(10))
    city: Mapped[str | None] = mapped_column(String(100))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    delivery_format: Mapped[DeliveryFormat] = mapped_column(
        str_enum(DeliveryFormat, "delivery_format"), default=DeliveryFormat.ON_SITE
    )
    intake: Mapped[Intake] = mapped_column(str_enum(Intake, "intake"), default=Intake.ROLLING)
    enrolment_open: Mapped[bool] = mapped_column(default=True)
    wait_weeks: Mapped[int | None]
    closed_periods: Mapped[str] = mapped_column(Text, default="")
    duration_weeks: Mapped[int | None]
    hours_per_week: Mapped[int | None]
    capacity: Mapped[int] = mapped_column(default=0)
    places_available: Mapped[int] = mapped_column(default=0)
    eligibility: Mapped[str] = mapped_column(Text, default="")
    price_per_week_sek: Mapped[int] = mapped_column(default=0)
    open_to: Mapped[OpenTo] = mapped_column(
        str_enum(OpenTo, "intervention_open_to"), default=OpenTo.ANYONE, server_default=OpenTo.ANYONE.value
    )
    # The price per week for residents of other municipalities where it differs from the agreement's.
    price_per_week_other_sek: Mapped[int | None]
    referral_rule: Mapped[ReferralRule] = mapped_column(
        str_enum(ReferralRule, "intervention_referral_rule"), default=ReferralRule.WARN,
        server_default=ReferralRule.WARN.value,
    )
    referral_instructions: Mapped[str] = mapped_column(Text, default="")
    accessibility: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[InterventionStatus] = mapped_column(
        str_enum(InterventionStatus, "intervention_status"),
        default=InterventionStatus.DRAFT,
        index=True,
    )
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None]
    confirmed_on: Mapped[date | None]
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Indexed: every API answer asks for the newest change (Last-Modified).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    organisation: Mapped[Organisation] = relationship(back_populates="interventions")
    unit: Mapped[Unit | None] = relationship()
    type: Mapped[TaxonomyTerm] = relationship()
    target_groups: Mapped[list[TaxonomyTerm]] = relationship(
        secondary=intervention_target_groups, order_by=TaxonomyTerm.position
    )
    referrers: Mapped[list[TaxonomyTerm]] = relationship(
        secondary=intervention_referrers, order_by=TaxonomyTerm.position
    )
    languages: Mapped[list[InterventionLanguage]] = relationship(
        cascade="all, delete-orphan", order_by="InterventionLanguage.code"
    )
    start_dates: Mapped[list[InterventionStart]] = relationship(
        cascade="all, delete-orphan", order_by="InterventionStart.starts_on"
    )
    translations: Mapped[list[InterventionTranslation]] = relationship(
        back_populates="intervention", cascade="all, delete-orphan"
    )

    @property
    def language_codes(self) -> list[str]:
        return [language.code for language in self.languages]

    @property
    def is_published(self) -> bool:
        return self.status == InterventionStatus.PUBLISHED

    @property
    def accepts_own_application(self) -> bool:
        """Whether a visitor may send an interest form themselves (the "own application" referrer)."""
        return any(term.code == OWN_APPLICATION for term in self.referrers)

    @property
    def has_places(self) -> bool:
        return self.places_available > 0

    @property
    def next_start(self) -> date | None:
        upcoming = [start.starts_on for start in self.start_dates if start.starts_on >= today()]
        return min(upcoming) if upcoming else None

    @property
    def stale_from(self) -> date:
        """The first day the record counts as stale: ``STALE_AFTER_MONTHS`` after its confirmation."""
        from dateutil.relativedelta import relativedelta
        from flask import current_app

        confirmed = self.confirmed_on or self.updated_at.date()
        return confirmed + relativedelta(months=current_app.config.get("STALE_AFTER_MONTHS", 6))

    @property
    def is_stale(self) -> bool:
        return today() >= self.stale_from

    @property
    def booking_email(self) -> str:
        return self.unit.effective_booking_email if self.unit else self.organisation.booking_email

    def translation(self, locale: str) -> InterventionTranslation | None:
        return next((t for t in self.translations if t.locale == locale), None)

    def __repr__(self) -> str:
        return f"<Intervention {self.id} {self.title!r}>"


class InterventionLanguage(db.Model):
    """A language (ISO 639-1) the intervention is delivered in."""

    __tablename__ = "intervention_languages"
    __table_args__ = (CheckConstraint("length(code) BETWEEN 2 AND 3", name="iso_code"),)

    intervention_id: Mapped[int] = mapped_column(
        ForeignKey("interventions.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(3), primary_key=True)


class InterventionStart(db.Model):
    """A fixed start date of a cohort."""

    __tablename__ = "intervention_starts"

    intervention_id: Mapped[int] = mapped_column(
        ForeignKey("interventions.id", ondelete="CASCADE"), primary_key=True
    )
    starts_on: Mapped[date] = mapped_column(primary_key=True)


class InterventionTranslation(db.Model):
    __tablename__ = "intervention_translations"
    __table_args__ = (
        UniqueConstraint("intervention_id", "locale"),
        CheckConstraint("locale != 'sv'", name="not_source_language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    intervention_id: Mapped[int] = mapped_column(
        ForeignKey("interventions.id", ondelete="CASCADE")
    )
    locale: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")

    intervention: Mapped[Intervention] = relationship(back_populates="translations")
