"""Read-side queries of the public catalogue, free of Flask request objects."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.orm import selectinload

from portal.catalogue.filters import apply as apply_filters
from portal.catalogue.models import (
    Intervention,
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


def list_published(filters: dict[str, list[str]], page: int, per_page: int):
    """A page of published interventions by title, narrowed by `portal.catalogue.filters`."""
    statement = apply_filters(published(), filters).order_by(Intervention.title, Intervention.id)
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
