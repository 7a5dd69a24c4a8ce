"""The follow-up's aggregate queries: every count is a GROUP BY in the database.

Each function takes a ``Scope`` (period, optional owning municipality, intervention type
and organisation) and returns plain counts keyed by the grouping columns; ``figures``
turns them into suppressed tables. A request is counted in the period it was sent in;
the steps it reached and when are kept on the request beside its events
(``BookingRequest.reach``), so no query aggregates events; anonymisation keeps both.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from sqlalchemy import and_, case, func, literal_column, or_

from portal.booking.models import STEP_BITS, BookingRequest, BookingStatus
from portal.catalogue.models import Intervention, Organisation, TaxonomyTerm
from portal.extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class Scope:
    start: date
    end: date  # inclusive
    municipality: str | None = None  # the owning municipality's SCB code
    type_code: str | None = None  # the intervention type
    organisation_id: int | None = None  # only requests this organisation sent or received

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min)

    @property
    def end_before(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min)


# The steps a request can reach, in the order of the funnel.
FUNNEL_STEPS = (BookingStatus.RECEIVED, BookingStatus.WAITLISTED, BookingStatus.ACCEPTED,
                BookingStatus.DECLINED, BookingStatus.STARTED, BookingStatus.COMPLETED,
                BookingStatus.INTERRUPTED, BookingStatus.WITHDRAWN, BookingStatus.CANCELLED)


_READING: ContextVar[dict | None] = ContextVar("stats_reading", default=None)


@contextmanager
def one_reading() -> Iterator[None]:
    """Within it each query runs once per scope: a report shows the same counts in several figures."""
    token = _READING.set({})
    try:
        yield
    finally:
        _READING.reset(token)


def _once(query: Callable[[Scope], T]) -> Callable[[Scope], T]:
    @functools.wraps(query)
    def read(scope: Scope) -> T:
        memo = _READING.get()
        if memo is None:
            return query(scope)
        if (query.__name__, scope) not in memo:
            memo[(query.__name__, scope)] = query(scope)
        return copy.deepcopy(memo[(query.__name__, scope)])  # callers may change what they get
    return read


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _in_scope(statement, scope: Scope):
    """Restrict a statement over ``BookingRequest`` to the scope (joins what the filters need)."""
    statement = statement.where(BookingRequest.created_at >= scope.start_at,
                                BookingRequest.created_at < scope.end_before)
    if scope.organisation_id is not None:
        statement = statement.where(or_(BookingRequest.owner_organisation_id == scope.organisation_id,
                                        BookingRequest.requester_organisation_id == scope.organisation_id))
    if scope.municipality:
        owners = db.select(Organisation.id).where(Organisation.municipality_code == scope.municipality)
        statement = statement.where(BookingRequest.owner_organisation_id.in_(owners.scalar_subquery()))
    if scope.type_code:
        types = (db.select(Intervention.id).join(TaxonomyTerm, TaxonomyTerm.id == Intervention.type_id)
                 .where(TaxonomyTerm.code == scope.type_code))
        statement = statement.where(BookingRequest.intervention_id.in_(types.scalar_subquery()))
    return statement


def _reached(status: BookingStatus):
    return BookingRequest.reached_steps.op("&")(STEP_BITS[status]) != 0


def _count_if(condition):
    return func.sum(case((condition, 1), else_=0))


@_once
def flows(scope: Scope) -> list[dict]:
    """Home municipality × owning organisation: requests, accepted, started, completed."""
    home = BookingRequest.home_municipality
    statement = _in_scope(
        db.select(home.label("home"), BookingRequest.owner_organisation_id.label("owner"),
                  func.count().label("requests"),
                  func.count(BookingRequest.accepted_at).label("accepted"),
                  func.count(BookingRequest.started_at).label("started"),
                  _count_if(BookingRequest.status == BookingStatus.COMPLETED).label("completed")),
        scope,
    ).group_by(home, BookingRequest.owner_organisation_id)
    return [dict(row._mapping) | {"home": row.home or ""} for row in db.session.execute(statement)]


@_once
def outcomes(scope: Scope) -> list[dict]:
    """Closed after starting: completed by outcome and interrupted by reason, by gender and type."""
    gender = BookingRequest.gender
    statement = _in_scope(
        db.select(gender.label("gender"), TaxonomyTerm.code.label("type"),
                  BookingRequest.status.label("status"), BookingRequest.outcome.label("outcome"),
                  BookingRequest.reason_code.label("reason"), func.count().label("count"))
        .select_from(BookingRequest)
        .join(Intervention, Intervention.id == BookingRequest.intervention_id)
        .join(TaxonomyTerm, TaxonomyTerm.id == Intervention.type_id)
        .where(BookingRequest.status.in_([BookingStatus.COMPLETED, BookingStatus.INTERRUPTED])),
        scope,
    ).group_by(gender, TaxonomyTerm.code, BookingRequest.status, BookingRequest.outcome,
               BookingRequest.reason_code)
    return [dict(row._mapping) | {"gender": _value(row.gender, "not_stated"), "status": _value(row.status),
                                  "outcome": _value(row.outcome), "reason": _value(row.reason)}
            for row in db.session.execute(statement)]


def _value(value, default=None):
    """An enum member's value (group keys come back as members), else ``default``."""
    if value is None:
        return default
    return getattr(value, "value", value)


@_once
def funnel(scope: Scope) -> dict[str, int]:
    """How many requests reached each step (``"requests"``: how many were sent)."""
    row = db.session.execute(_in_scope(
        db.select(func.count().label("requests"),
                  *[_count_if(_reached(status)).label(status.value) for status in FUNNEL_STEPS]),
        scope)).one()
    return {name: int(count or 0) for name, count in row._mapping.items() if count or name == "requests"}


@_once
def decline_reasons(scope: Scope) -> dict[str, int]:
    statement = _in_scope(
        db.select(BookingRequest.reason_code, func.count())
        .where(BookingRequest.status == BookingStatus.DECLINED), scope,
    ).group_by(BookingRequest.reason_code)
    counts: dict[str, int] = {}
    for reason, count in db.session.execute(statement):
        key = _value(reason, "other")
        counts[key] = counts.get(key, 0) + count
    return counts


def _days_between(later, earlier):
    if _dialect() == "postgresql":
        return func.extract("epoch", later - earlier) / 86400.0
    return func.julianday(later) - func.julianday(earlier)


def _median(days, scope: Scope, *, present) -> tuple[float | None, int]:
    """The median of ``days`` over the requests where ``present`` holds, and how many they are."""
    if _dialect() == "postgresql":
        median, size = db.session.execute(_in_scope(
            db.select(func.percentile_cont(0.5).within_group(days), func.count())
            .select_from(BookingRequest).where(present), scope)).one()
        return (None if median is None else round(float(median), 1)), int(size or 0)
    ranked = _in_scope(
        db.select(days.label("days"),
                  func.row_number().over(order_by=days).label("position"),
                  func.count().over().label("size"))
        .select_from(BookingRequest)
        .where(present),
        scope,
    ).subquery("ranked")
    middle = or_(ranked.c.position == (ranked.c.size + 1) // 2, ranked.c.position == (ranked.c.size + 2) // 2)
    median, size = db.session.execute(
        db.select(func.avg(case((middle, ranked.c.days))), func.max(ranked.c.size))
    ).one()
    return (None if median is None else round(float(median), 1)), int(size or 0)


@_once
def waiting(scope: Scope) -> dict[str, tuple[float | None, int]]:
    """Median days from request to decision and from acceptance to start (with their sizes)."""
    request = BookingRequest
    return {
        "request_to_decision": _median(_days_between(request.decided_at, request.created_at), scope,
                                       present=request.decided_at.is_not(None)),
        "acceptance_to_start": _median(_days_between(request.started_at, request.accepted_at), scope,
                                       present=and_(request.started_at.is_not(None),
                                                    request.accepted_at.is_not(None))),
    }


def _month(column):
    if _dialect() == "postgresql":
        return func.to_char(column, literal_column("'YYYY-MM'"))
    return func.strftime(literal_column("'%Y-%m'"), column)


@_once
def requests_per_month(scope: Scope) -> dict[str, int]:
    month = _month(BookingRequest.created_at)
    statement = _in_scope(db.select(month, func.count()).select_from(BookingRequest), scope).group_by(month)
    return {key: count for key, count in db.session.execute(statement)}


@_once
def capacity(scope: Scope) -> list[dict]:
    """Per owning organisation and type: places offered (published) and places taken in the period."""
    taken_rows = _in_scope(
        db.select(BookingRequest.owner_organisation_id.label("owner"), TaxonomyTerm.code.label("type"),
                  func.count().label("taken"))
        .select_from(BookingRequest)
        .join(Intervention, Intervention.id == BookingRequest.intervention_id)
        .join(TaxonomyTerm, TaxonomyTerm.id == Intervention.type_id)
        .where(BookingRequest.accepted_at.is_not(None)),
        scope,
    ).group_by(BookingRequest.owner_organisation_id, TaxonomyTerm.code)
    offered = (
        db.select(Intervention.organisation_id.label("owner"), TaxonomyTerm.code.label("type"),
                  func.sum(Intervention.capacity).label("offered"))
        .join(TaxonomyTerm, TaxonomyTerm.id == Intervention.type_id)
        .where(Intervention.status == "published")
        .group_by(Intervention.organisation_id, TaxonomyTerm.code)
    )
    if scope.organisation_id is not None:
        offered = offered.where(Intervention.organisation_id == scope.organisation_id)
    if scope.municipality:
        offered = offered.where(Intervention.organisation_id.in_(
            db.select(Organisation.id).where(Organisation.municipality_code == scope.municipality)
            .scalar_subquery()))
    if scope.type_code:
        offered = offered.where(TaxonomyTerm.code == scope.type_code)
    result: dict[tuple[int, str], dict] = {}
    for row in db.session.execute(offered):
        result[(row.owner, row.type)] = {"owner": row.owner, "type": row.type, "offered": int(row.offered or 0),
                                         "taken": 0}
    for row in db.session.execute(taken_rows):
        entry = result.setdefault((row.owner, row.type),
                                  {"owner": row.owner, "type": row.type, "offered": 0, "taken": 0})
        entry["taken"] = row.taken
    return list(result.values())


@_once
def participants(scope: Scope) -> dict[str, int]:
    """Participants (requests that started) by gender."""
    gender = BookingRequest.gender
    statement = _in_scope(
        db.select(gender, func.count()).select_from(BookingRequest)
        .where(BookingRequest.started_at.is_not(None)), scope,
    ).group_by(gender)
    counts: dict[str, int] = {}
    for key, count in db.session.execute(statement):
        key = _value(key, "not_stated")
        counts[key] = counts.get(key, 0) + count
    return counts


@_once
def follow_up_answers(scope: Scope) -> dict[tuple[str, int], int]:
    """Answered follow-up prompts of the scope's requests: (answer, months) → count."""
    from portal.stats.models import FollowUpPrompt

    statement = _in_scope(
        db.select(FollowUpPrompt.answer, FollowUpPrompt.months, func.count())
        .select_from(BookingRequest)
        .join(FollowUpPrompt, FollowUpPrompt.request_id == BookingRequest.id)
        .where(FollowUpPrompt.answer.is_not(None)), scope,
    ).group_by(FollowUpPrompt.answer, FollowUpPrompt.months)
    return {(_value(answer), months): count for answer, months, count in db.session.execute(statement)}


# The statuses of a place the home municipality is committed to pay for (the owner accepted it).
COMMITTED = (BookingStatus.ACCEPTED, BookingStatus.STARTED, BookingStatus.COMPLETED, BookingStatus.INTERRUPTED)


def agreement_flows(scope: Scope) -> list[dict]:
    """Home municipality × agreement of the requests sent to another organisation: requests,
    committed places and the sum of their weekly prices (an unknown price counts as 0).

    Counted from the terms each request was sent under, so a later change of an agreement
    does not rewrite the past; ``agreement`` is 0 for a request under no agreement."""
    home = BookingRequest.home_municipality
    agreement = BookingRequest.agreement_id
    committed = BookingRequest.status.in_(COMMITTED)
    statement = _in_scope(
        db.select(home.label("home"), agreement.label("agreement"), func.count().label("requests"),
                  _count_if(committed).label("committed"),
                  func.sum(case((committed, func.coalesce(BookingRequest.price_per_week_sek, 0)), else_=0))
                  .label("weekly"))
        .select_from(BookingRequest)
        .where(BookingRequest.requester_organisation_id.is_not(None),
               BookingRequest.owner_organisation_id != BookingRequest.requester_organisation_id),
        scope,
    ).group_by(home, agreement)
    return [{"home": row.home or "", "agreement": row.agreement or 0, "requests": int(row.requests),
             "committed": int(row.committed or 0), "weekly": int(row.weekly or 0)}
            for row in db.session.execute(statement)]
