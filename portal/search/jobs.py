"""Append index jobs in the same transaction as every change that affects a document.

A session listener looks at what a flush writes: interventions and their translations,
languages and start dates, and the organisations, units and taxonomy labels that appear
in documents. Code that changes interventions with a Core UPDATE sends the catalogue's
``interventions_changed`` signal instead. Either way the job rows commit or roll back
together with the change, so the index can never miss one.
"""

from __future__ import annotations

from itertools import chain

from flask import g, has_request_context
from sqlalchemy import event, insert, or_, select
from sqlalchemy.orm import Session

from portal.catalogue.models import (
    Intervention,
    InterventionLanguage,
    InterventionStart,
    InterventionTranslation,
    Organisation,
    TaxonomyLabel,
    TaxonomyTerm,
    Unit,
    intervention_target_groups,
)
from portal.catalogue.signals import interventions_changed
from portal.extensions import db
from portal.search.models import IndexJob

_CHILD_TYPES = (InterventionTranslation, InterventionLanguage, InterventionStart)


def _affected_ids(session: Session) -> tuple[set[int], list]:
    """Intervention ids changed by this flush, plus conditions selecting more of them."""
    ids: set[int] = set()
    conditions = []
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Intervention):
            if obj.id is not None and (obj in session.new or obj in session.deleted
                                       or session.is_modified(obj)):
                ids.add(obj.id)
        elif isinstance(obj, _CHILD_TYPES):
            intervention_id = obj.intervention_id or getattr(getattr(obj, "intervention", None), "id", None)
            if intervention_id is not None:
                ids.add(intervention_id)
        elif isinstance(obj, Organisation) and _own_columns_changed(session, obj):
            conditions.append(Intervention.organisation_id == obj.id)
        elif isinstance(obj, Unit) and _own_columns_changed(session, obj):
            conditions.append(Intervention.unit_id == obj.id)
        elif isinstance(obj, (TaxonomyLabel, TaxonomyTerm)) and obj not in session.new:
            term_id = obj.term_id if isinstance(obj, TaxonomyLabel) else obj.id
            conditions.append(Intervention.type_id == term_id)
            conditions.append(Intervention.id.in_(
                select(intervention_target_groups.c.intervention_id)
                .where(intervention_target_groups.c.term_id == term_id)))
    return ids, conditions


def _own_columns_changed(session: Session, obj) -> bool:
    """A changed name or code, not merely a new intervention appended to its collection."""
    return obj in session.dirty and session.is_modified(obj, include_collections=False)


def _queue(session: Session, ids: set[int], conditions: list | None = None) -> None:
    connection = session.connection()
    if conditions:
        ids = ids | set(connection.execute(select(Intervention.id).where(or_(*conditions))).scalars())
    if not ids:
        return
    connection.execute(insert(IndexJob), [{"intervention_id": i} for i in sorted(ids)])
    session.info["index_jobs_queued"] = True


def _after_flush(session: Session, _flush_context) -> None:
    ids, conditions = _affected_ids(session)
    _queue(session, ids, conditions)


def _after_commit(session: Session) -> None:
    if session.info.pop("index_jobs_queued", False) and has_request_context():
        g.search_sync_needed = True


def _after_rollback(session: Session) -> None:
    session.info.pop("index_jobs_queued", None)


def _on_interventions_changed(_sender, intervention_ids: list[int]) -> None:
    _queue(db.session(), set(intervention_ids))


def install_listeners() -> None:
    """Listen on every SQLAlchemy session (idempotent)."""
    if event.contains(Session, "after_flush", _after_flush):
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_soft_rollback", lambda session, _tx: _after_rollback(session))
    interventions_changed.connect(_on_interventions_changed)
