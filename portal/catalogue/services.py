"""Read-side queries of the public catalogue, free of Flask request objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlalchemy.orm import selectinload

from portal.catalogue.models import (
    Intervention,
    InterventionLanguage,
    InterventionStatus,
    Organisation,
    OrganisationKind,
    TaxonomyTerm,
    Vocabulary,
)
from portal.catalogue.taxonomy import terms
from portal.extensions import db
from portal.search.engine import MAX_PER_PAGE


def with_everything_shown(statement: db.Select) -> db.Select:
    """``statement`` with everything a list, a page or a feed shows of an intervention, loaded eagerly."""
    return statement.options(
        selectinload(Intervention.organisation),
        selectinload(Intervention.unit),
        selectinload(Intervention.type),
        selectinload(Intervention.target_groups),
        selectinload(Intervention.referrers),
        selectinload(Intervention.languages),
        selectinload(Intervention.start_dates),
        selectinload(Intervention.translations),
    )


def published() -> db.Select:
    """Published interventions with everything a list or page shows, loaded eagerly."""
    return with_everything_shown(db.select(Intervention).where(Intervention.status == InterventionStatus.PUBLISHED))


def get_published(intervention_id: int) -> Intervention | None:
    return db.session.execute(
        published().where(Intervention.id == intervention_id)
    ).scalar_one_or_none()


@dataclass
class CatalogueFilters:
    """Filters of the intervention list; unknown values are dropped, never an error."""

    municipality: list[str] = field(default_factory=list)
    type: list[str] = field(default_factory=list)
    target_group: list[str] = field(default_factory=list)
    language: list[str] = field(default_factory=list)
    places: bool = False

    @classmethod
    def from_args(cls, args: Mapping, options: FilterOptions) -> CatalogueFilters:
        def known(name: str, allowed: set[str]) -> list[str]:
            values = args.getlist(name) if hasattr(args, "getlist") else args.get(name, [])
            return [value for value in dict.fromkeys(values) if value in allowed]

        return cls(
            municipality=known("municipality", options.municipality_codes),
            type=known("type", options.codes(Vocabulary.TYPE)),
            target_group=known("target_group", options.codes(Vocabulary.TARGET_GROUP)),
            language=known("language", set(options.languages)),
            places=args.get("places") in {"1", "available", "true", "on"},
        )


    def apply(self, statement: db.Select) -> db.Select:
        if self.municipality:
            statement = statement.join(Intervention.organisation).where(
                Organisation.municipality_code.in_(self.municipality)
            )
        if self.type:
            statement = statement.where(
                Intervention.type.has(TaxonomyTerm.code.in_(self.type))
            )
        if self.target_group:
            statement = statement.where(
                Intervention.target_groups.any(TaxonomyTerm.code.in_(self.target_group))
            )
        if self.language:
            statement = statement.where(
                Intervention.languages.any(InterventionLanguage.code.in_(self.language))
            )
        if self.places:
            statement = statement.where(Intervention.places_available > 0)
        return statement


@dataclass
class FilterOptions:
    """What the filters offer: the region's municipalities, taxonomy and languages."""

    municipalities: list[Organisation]
    taxonomy: dict[Vocabulary, list[TaxonomyTerm]]
    languages: list[str]

    @property
    def municipality_codes(self) -> set[str]:
        return {org.municipality_code for org in self.municipalities if org.municipality_code}

    def codes(self, vocabulary: Vocabulary) -> set[str]:
        return {term.code for term in self.taxonomy[vocabulary]}


def filter_options() -> FilterOptions:
    languages = db.session.execute(
        db.select(InterventionLanguage.code)
        .join(Intervention)
        .where(Intervention.status == InterventionStatus.PUBLISHED)
        .distinct()
        .order_by(InterventionLanguage.code)
    ).scalars()
    return FilterOptions(
        municipalities=municipalities(),
        taxonomy={vocabulary: terms(vocabulary) for vocabulary in Vocabulary},
        languages=list(languages),
    )


def list_published(filters: CatalogueFilters, page: int, per_page: int):
    statement = filters.apply(published()).order_by(Intervention.title, Intervention.id)
    return db.paginate(
        statement, page=max(page, 1), per_page=min(max(per_page, 1), MAX_PER_PAGE),
        error_out=False, count=True,
    )


def municipalities() -> list[Organisation]:
    return list(
        db.session.execute(
            db.select(Organisation)
            .where(Organisation.kind == OrganisationKind.KOMMUN)
            .order_by(Organisation.name)
        ).scalars()
    )


def published_count_by_organisation() -> dict[int, int]:
    rows = db.session.execute(
        db.select(Intervention.organisation_id, func.count())
        .where(Intervention.status == InterventionStatus.PUBLISHED)
        .group_by(Intervention.organisation_id)
    )
    return dict(rows.all())


def published_count_by_type() -> list[tuple[TaxonomyTerm, int]]:
    counts = dict(
        db.session.execute(
            db.select(Intervention.type_id, func.count())
            .where(Intervention.status == InterventionStatus.PUBLISHED)
            .group_by(Intervention.type_id)
        ).all()
    )
    return [(term, counts.get(term.id, 0)) for term in terms(Vocabulary.TYPE)]


def get_organisation_by_slug(slug: str) -> Organisation | None:
    return db.session.execute(
        db.select(Organisation).where(Organisation.slug == slug)
    ).scalar_one_or_none()


def published_of(organisation: Organisation) -> list[Intervention]:
    return list(
        db.session.execute(
            published()
            .where(Intervention.organisation_id == organisation.id)
            .order_by(Intervention.title)
        ).scalars()
    )
