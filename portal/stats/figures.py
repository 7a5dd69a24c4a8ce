"""The follow-up's figures: the queries' counts as suppressed tables with their labels.

Everything a page, a CSV file or the API shows comes from here, so that suppression is
applied once and the same way everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.booking.labels import OUTCOME_LABELS, REASON_LABELS
from portal.booking.models import HOME_OTHER, Gender, ReasonCode
from portal.catalogue.models import Organisation, OrganisationKind, Vocabulary
from portal.catalogue.taxonomy import label_of
from portal.extensions import db
from portal.stats import queries
from portal.stats.queries import Scope
from portal.stats.suppression import Cell, Table, build_list, build_table, share

NOT_STATED = ""
GENDER_COLUMNS = ("female", "male", "other")  # "other": another gender or not stated
GENDER_COLUMN_LABELS = {"female": _l("Women"), "male": _l("Men"), "other": _l("Other or not stated")}
FLOW_MEASURES = ("requests", "accepted", "started", "completed")
FLOW_MEASURE_LABELS = {"requests": _l("Requests"), "accepted": _l("Accepted"), "started": _l("Started"),
                       "completed": _l("Completed")}
FUNNEL_LABELS = {
    "requests": _l("Requests sent"), "received": _l("Received"), "waitlisted": _l("Put on the waiting list"),
    "accepted": _l("Accepted"), "declined": _l("Declined"), "started": _l("Started"),
    "completed": _l("Completed"), "interrupted": _l("Interrupted"), "withdrawn": _l("Withdrawn"),
    "cancelled": _l("Cancelled"),
}


def min_cell() -> int:
    return int(current_app.config.get("STATS_MIN_CELL", 5))


@dataclass
class Labelled:
    """A table with the labels of its rows and columns."""

    table: Table
    row_labels: dict
    column_labels: dict


@dataclass
class Flows:
    by_measure: dict[str, Labelled]
    outside: Cell  # placements outside the participant's home municipality
    inside: Cell
    outside_share: float | None


@dataclass
class Outcomes:
    by_gender: Labelled
    by_type: Labelled
    follow_up: Labelled | None = None  # status 3 / 6 months after


@dataclass
class Funnel:
    steps: dict[str, Cell]
    acceptance_rate: float | None
    decline_reasons: dict[str, Cell]
    waiting: dict[str, float | None]
    per_month: dict[str, Cell]


@dataclass
class Capacity:
    rows: list[tuple[str, str, int, Cell]]  # owner name, type label, places offered, places taken


@dataclass
class Headline:
    requests: Cell
    participants: Cell
    women: Cell
    men: Cell
    to_work: Cell
    to_studies: Cell
    outside_share: float | None
    extra: dict = field(default_factory=dict)


# ------------------------------------------------------------------------------ labels


def home_labels() -> dict[str, str]:
    municipalities = db.session.execute(
        db.select(Organisation.municipality_code, Organisation.name)
        .where(Organisation.kind == OrganisationKind.KOMMUN).order_by(Organisation.name)).all()
    return {**{code: name for code, name in municipalities}, HOME_OTHER: str(_l("Another municipality")),
            NOT_STATED: str(_l("Not stated"))}


def _owners(ids) -> dict[int, tuple[str, str | None]]:
    rows = db.session.execute(db.select(Organisation.id, Organisation.name, Organisation.municipality_code)
                              .where(Organisation.id.in_(list(ids)))).all()
    return {row.id: (row.name, row.municipality_code) for row in rows}


def outcome_rows() -> dict[str, str]:
    """The outcome categories: completed by outcome, then interrupted by reason."""
    rows = {f"completed:{key}": str(_l("Completed: %(outcome)s", outcome=label))
            for key, label in OUTCOME_LABELS.items()}
    rows |= {f"interrupted:{reason.value}": str(_l("Interrupted: %(reason)s", reason=REASON_LABELS[reason.value]))
             for reason in ReasonCode}
    return rows


def _gender_column(value: str) -> str:
    return value if value in (Gender.FEMALE.value, Gender.MALE.value) else "other"


def _outcome_row(row: dict) -> str:
    if row["status"] == "completed":
        return f"completed:{row['outcome'] or 'other'}"
    return f"interrupted:{row['reason'] or 'other'}"


# ------------------------------------------------------------------------------ figures


def flows(scope: Scope) -> Flows:
    rows = queries.flows(scope)
    owners = _owners({row["owner"] for row in rows})
    homes = home_labels()
    present_homes = {row["home"] for row in rows}
    home_keys = [key for key in homes if key in present_homes or key not in (HOME_OTHER, NOT_STATED)]
    home_keys += sorted(present_homes - set(home_keys))  # a code no longer in the region
    owner_keys = sorted(owners, key=lambda owner: owners[owner][0])
    row_labels = {key: homes.get(key, key) for key in home_keys}
    column_labels = {owner: owners[owner][0] for owner in owner_keys}
    inside_cells = [(home, owner) for home in home_keys for owner in owner_keys
                    if home and owners[owner][1] == home]
    outside_cells = [(home, owner) for home in home_keys for owner in owner_keys
                     if home and owners[owner][1] != home]
    known_rows = [("row", home) for home in home_keys if home != NOT_STATED]
    by_measure: dict[str, Labelled] = {}
    for measure in FLOW_MEASURES:
        counts = {(row["home"], row["owner"]): int(row[measure] or 0) for row in rows}
        extra = None
        relations = ()
        if measure == "accepted":
            extra = {"outside": (sum(counts.get(key, 0) for key in outside_cells), outside_cells),
                     "inside": (sum(counts.get(key, 0) for key in inside_cells), inside_cells)}
            relations = [["outside", "inside", *known_rows]]
        table = build_table(counts, home_keys, owner_keys, min_cell(), extra=extra, extra_relations=relations)
        by_measure[measure] = Labelled(table, row_labels, column_labels)
    placements = by_measure["accepted"].table
    outside, inside = placements.extra["outside"], placements.extra["inside"]
    known = Cell(None, True) if outside.suppressed or inside.suppressed else Cell(outside.value + inside.value)
    return Flows(by_measure, outside, inside, share(outside, known))


def outcomes(scope: Scope, locale: str) -> Outcomes:
    rows = queries.outcomes(scope)
    categories = outcome_rows()
    by_gender: dict[tuple[str, str], int] = {}
    by_type: dict[tuple[str, str], int] = {}
    for row in rows:  # aggregated rows (a few dozen), regrouped for the two tables
        category = _outcome_row(row)
        key = (category, _gender_column(row["gender"]))
        by_gender[key] = by_gender.get(key, 0) + row["count"]
        key = (category, row["type"])
        by_type[key] = by_type.get(key, 0) + row["count"]
    types = sorted({row["type"] for row in rows})
    type_labels = {code: label_of(Vocabulary.TYPE, code, locale) for code in types}
    return Outcomes(
        follow_up=follow_up(scope),
        by_gender=Labelled(build_table(by_gender, list(categories), list(GENDER_COLUMNS), min_cell()), categories,
                 {key: str(label) for key, label in GENDER_COLUMN_LABELS.items()}),
        by_type=Labelled(build_table(by_type, list(categories), types, min_cell()), categories, type_labels),
    )


def follow_up(scope: Scope) -> Labelled:
    from portal.stats.follow_up import ANSWER_LABELS
    from portal.stats.models import FOLLOW_UP_MONTHS

    answers = {key.value: str(label) for key, label in ANSWER_LABELS.items()}
    columns = {months: str(_l("%(num)s months after", num=months)) for months in FOLLOW_UP_MONTHS}
    table = build_table(queries.follow_up_answers(scope), list(answers), list(columns), min_cell())
    return Labelled(table, answers, columns)


def funnel(scope: Scope) -> Funnel:
    counts = queries.funnel(scope)
    reasons, declined = build_list(queries.decline_reasons(scope), [reason.value for reason in ReasonCode],
                                   min_cell())
    months = queries.requests_per_month(scope)
    per_month, requests = build_list(months, _months(scope), min_cell())
    steps, _total = build_list({key: counts.get(key, 0) for key in FUNNEL_LABELS}, list(FUNNEL_LABELS),
                               min_cell(), with_total=False)
    steps["declined"], steps["requests"] = declined, requests  # the same cells as their breakdowns
    decided = _sum_cells(steps["accepted"], steps["declined"])
    waiting = {name: (median if size >= min_cell() else None)
               for name, (median, size) in queries.waiting(scope).items()}
    return Funnel(steps, share(steps["accepted"], decided), reasons, waiting, per_month)


def capacity(scope: Scope, locale: str) -> Capacity:
    rows = queries.capacity(scope)
    owners = _owners({row["owner"] for row in rows})
    owner_keys = sorted(owners, key=lambda owner: owners[owner][0])
    types = sorted({row["type"] for row in rows})
    taken = build_table({(row["owner"], row["type"]): row["taken"] for row in rows}, owner_keys, types,
                        min_cell())
    offered = {(row["owner"], row["type"]): row["offered"] for row in rows}
    return Capacity([
        (owners[owner][0], label_of(Vocabulary.TYPE, code, locale), offered.get((owner, code), 0),
         taken.cell(owner, code))
        for owner in owner_keys for code in types if (owner, code) in offered
    ])


def participants_by_gender(scope: Scope) -> tuple[dict[str, Cell], Cell]:
    """Participants (requests that started) by gender column, and all of them."""
    return build_list(
        {_gender_column(key): count for key, count in _merge_other(queries.participants(scope)).items()},
        list(GENDER_COLUMNS), min_cell())


def headline(scope: Scope, flows_figures: Flows | None = None) -> Headline:
    by_gender, participants = participants_by_gender(scope)
    outcome_counts = {
        row: cell for row, cell in outcomes_by_outcome(scope).items()
    }
    flow = flows_figures or flows(scope)
    return Headline(
        requests=funnel_requests(scope), participants=participants, women=by_gender["female"],
        men=by_gender["male"], to_work=outcome_counts["work"], to_studies=outcome_counts["studies"],
        outside_share=flow.outside_share,
    )


def outcomes_by_outcome(scope: Scope) -> dict[str, Cell]:
    """Completed by outcome, with the other closings as one more member of the sum."""
    counts: dict[str, int] = {}
    for row in queries.outcomes(scope):
        key = row["outcome"] if row["status"] == "completed" else "interrupted"
        key = key or "other"
        counts[key] = counts.get(key, 0) + row["count"]
    cells, _total = build_list(counts, [*OUTCOME_LABELS, "interrupted"], min_cell())
    return cells


def funnel_requests(scope: Scope) -> Cell:
    _cells, total = build_list(queries.requests_per_month(scope), _months(scope), min_cell())
    return total


def _merge_other(counts: dict[str, int]) -> dict[str, int]:
    merged: dict[str, int] = {}
    for key, count in counts.items():
        column = _gender_column(key)
        merged[column] = merged.get(column, 0) + count
    return merged


def _sum_cells(*cells: Cell) -> Cell:
    if any(cell.suppressed for cell in cells):
        return Cell(None, True)
    return Cell(sum(cell.value or 0 for cell in cells))


def _months(scope: Scope) -> list[str]:
    months, year, month = [], scope.start.year, scope.start.month
    while (year, month) <= (scope.end.year, scope.end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
