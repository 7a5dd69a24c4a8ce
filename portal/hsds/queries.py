"""What the HSDS feed reads: the interventions it holds, filtered and paged in a stable order."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, or_

from portal.catalogue.models import (
    Intervention,
    InterventionTranslation,
    Organisation,
    TaxonomyTerm,
    Vocabulary,
)
from portal.catalogue.services import with_everything_shown
from portal.catalogue.taxonomy import terms
from portal.extensions import db
from portal.hsds.ids import as_uuid, organization_id, service_id_of, taxonomy_id, taxonomy_term_id
from portal.hsds.mapping import FEED_STATUSES, place_of, service_at_location_id

BATCH = 200


def feed() -> db.Select:
    """Every intervention the feed holds, with what its records show, in a stable order."""
    return with_everything_shown(
        db.select(Intervention).where(Intervention.status.in_(FEED_STATUSES)).order_by(Intervention.id))


@dataclass
class ServiceFilters:
    """The cumulative filters of ``/services`` and ``/service_at_locations``."""

    search: str = ""
    taxonomy_term: TaxonomyTerm | None = None
    taxonomy: Vocabulary | None = None
    organisation: Organisation | None = None
    modified_after: datetime | None = None
    unknown: bool = False  # an id that names nothing: the answer is empty, not an error

    def apply(self, statement: db.Select) -> db.Select:
        if self.unknown:
            return statement.where(False)
        if self.search:
            needle = self.search.lower()
            statement = statement.where(or_(
                func.lower(Intervention.title).contains(needle, autoescape=True),
                func.lower(Intervention.summary).contains(needle, autoescape=True),
                func.lower(Intervention.description).contains(needle, autoescape=True),
                Intervention.translations.any(
                    func.lower(InterventionTranslation.title).contains(needle, autoescape=True)),
            ))
        if self.taxonomy_term is not None:
            term = self.taxonomy_term
            statement = statement.where({
                Vocabulary.TYPE: Intervention.type_id == term.id,
                Vocabulary.TARGET_GROUP: Intervention.target_groups.any(TaxonomyTerm.id == term.id),
                Vocabulary.REFERRER: Intervention.referrers.any(TaxonomyTerm.id == term.id),
            }[term.vocabulary])
        if self.taxonomy is not None and self.taxonomy != Vocabulary.TYPE:
            # every intervention has a type; target groups and referrers may be empty
            relation = (Intervention.target_groups if self.taxonomy == Vocabulary.TARGET_GROUP
                        else Intervention.referrers)
            statement = statement.where(relation.any())
        if self.organisation is not None:
            statement = statement.where(Intervention.organisation_id == self.organisation.id)
        if self.modified_after is not None:
            statement = statement.where(Intervention.updated_at >= self.modified_after)
        return statement


def term_by_hsds_id(value: str) -> TaxonomyTerm | None:
    wanted = as_uuid(value)
    return next((term for vocabulary in Vocabulary for term in terms(vocabulary)
                 if taxonomy_term_id(vocabulary, term.code) == wanted), None)


def vocabulary_by_hsds_id(value: str) -> Vocabulary | None:
    wanted = as_uuid(value)
    return next((vocabulary for vocabulary in Vocabulary if taxonomy_id(vocabulary) == wanted), None)


def organisations() -> list[Organisation]:
    return list(db.session.execute(
        db.select(Organisation).order_by(Organisation.id)).scalars())


def organisation_by_hsds_id(value: str) -> Organisation | None:
    wanted = as_uuid(value)
    return next((org for org in organisations() if organization_id(org) == wanted), None)


def count(statement: db.Select) -> int:
    return db.session.execute(
        db.select(func.count()).select_from(statement.order_by(None).subquery())).scalar_one()


def page_of(statement: db.Select, page: int, per_page: int) -> tuple[int, list[Intervention]]:
    total = count(statement)
    items = db.session.execute(statement.limit(per_page).offset((page - 1) * per_page)).scalars()
    return total, list(items)


def stream(statement: db.Select) -> Iterator[Intervention]:
    """Every row of ``statement``, loaded in batches (for ndjson, without paging)."""
    ids = list(db.session.execute(statement.with_only_columns(Intervention.id)).scalars())
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        yield from db.session.execute(feed().where(Intervention.id.in_(chunk))).scalars()


def find_service(value: str) -> Intervention | None:
    """The feed's intervention whose HSDS id is ``value``."""
    wanted = as_uuid(value)
    if wanted is None:
        return None
    rows = db.session.execute(
        db.select(Intervention.id, Intervention.external_id, Organisation.municipality_code,
                  Organisation.slug)
        .join(Intervention.organisation)
        .where(Intervention.status.in_(FEED_STATUSES))
    )
    for database_id, external_id, code, slug in rows:
        if service_id_of(database_id, external_id, code or slug) == wanted:
            return db.session.execute(feed().where(Intervention.id == database_id)).scalar_one()
    return None


def service_locations(statement: db.Select) -> Iterator[tuple[Intervention, object]]:
    for item in stream(statement):
        place = place_of(item)
        if place is not None:
            yield item, place


def find_service_at_location(value: str):
    wanted = as_uuid(value)
    if wanted is None:
        return None
    return next(((item, place) for item, place in service_locations(feed())
                 if service_at_location_id(item, place) == wanted), None)


def as_utc_naive(value: datetime) -> datetime:
    """The database keeps naive UTC; a filter with an offset is converted first."""
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
