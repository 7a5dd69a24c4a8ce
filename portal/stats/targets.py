"""The region's targets (set by the region administrator) and what was reached beside them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from portal import audit
from portal.accounts.permissions import Action, require
from portal.exceptions import InvalidInput
from portal.extensions import db
from portal.stats import figures
from portal.stats.models import StatsTarget, TargetMeasure
from portal.stats.queries import Scope
from portal.stats.suppression import Cell

MEASURE_LABELS = {
    TargetMeasure.PARTICIPANTS: _l("Participants"),
    TargetMeasure.WOMEN: _l("of whom women"),
    TargetMeasure.MEN: _l("of whom men"),
    TargetMeasure.TO_WORK: _l("Went on to work"),
    TargetMeasure.TO_STUDIES: _l("Went on to studies"),
}
# The SKNO application's own targets.
APPLICATION_TARGETS = {TargetMeasure.PARTICIPANTS: 150, TargetMeasure.WOMEN: 80, TargetMeasure.MEN: 70,
                       TargetMeasure.TO_WORK: 65, TargetMeasure.TO_STUDIES: 10}
MAX_TARGET = 1_000_000


@dataclass
class TargetLine:
    measure: TargetMeasure
    label: Any
    target: int
    reached: Cell


@dataclass
class TargetPeriod:
    start: date
    end: date
    lines: list[TargetLine]


def set_targets(actor: Any, start: date, end: date, values: dict[TargetMeasure, int | None]) -> None:
    """Set (or, with None, remove) the targets of one period."""
    require(actor, Action.MANAGE_REGION)
    if start > end:
        raise InvalidInput(_l("The start of the period must come before its end."), "period_start")
    for measure, value in values.items():
        if value is not None and not 0 <= value <= MAX_TARGET:
            raise InvalidInput(_l("Give a whole number from 0 to %(num)s.", num=MAX_TARGET), measure.value)
    existing = {target.measure: target for target in db.session.execute(
        db.select(StatsTarget).where(StatsTarget.period_start == start, StatsTarget.period_end == end)).scalars()}
    changes = {}
    for measure, value in values.items():
        target = existing.get(measure)
        if value is None:
            if target is not None:
                db.session.delete(target)
                changes[measure.value] = [target.value, None]
            continue
        if target is None:
            target = StatsTarget(period_start=start, period_end=end, measure=measure, value=value)
            db.session.add(target)
            changes[measure.value] = [None, value]
        elif target.value != value:
            changes[measure.value] = [target.value, value]
            target.value = value
        target.updated_by_id = getattr(actor, "id", None)
    if changes:
        audit.record("set_targets", "stats_target", None, actor=actor,
                     changes={"period": [start.isoformat(), end.isoformat()], **changes})
    db.session.commit()


def _reached(scope: Scope) -> dict[TargetMeasure, Cell]:
    by_gender, participants = figures.participants_by_gender(scope)
    outcomes = figures.outcomes_by_outcome(scope)
    return {TargetMeasure.PARTICIPANTS: participants, TargetMeasure.WOMEN: by_gender["female"],
            TargetMeasure.MEN: by_gender["male"], TargetMeasure.TO_WORK: outcomes["work"],
            TargetMeasure.TO_STUDIES: outcomes["studies"]}


def target_periods(scope: Scope | None = None) -> list[TargetPeriod]:
    """Every period with targets (overlapping ``scope``'s, if given), each target beside what
    the region reached in that period (filtered like ``scope``)."""
    statement = db.select(StatsTarget).order_by(StatsTarget.period_start.desc(), StatsTarget.period_end)
    if scope is not None:
        statement = statement.where(StatsTarget.period_start <= scope.end, StatsTarget.period_end >= scope.start)
    grouped: dict[tuple[date, date], dict[TargetMeasure, int]] = {}
    for target in db.session.execute(statement).scalars():
        grouped.setdefault((target.period_start, target.period_end), {})[target.measure] = target.value
    periods = []
    for (start, end), values in grouped.items():
        reached = _reached(Scope(start, end, scope.municipality if scope else None,
                                 scope.type_code if scope else None))
        periods.append(TargetPeriod(start, end, [
            TargetLine(measure, MEASURE_LABELS[measure], values[measure], reached[measure])
            for measure in TargetMeasure if measure in values]))
    return periods
