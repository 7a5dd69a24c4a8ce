"""Flows by agreement and what home municipalities committed to pay other owners (admins only).

Counted from the terms a booking request was sent under (its home municipality, agreement
and weekly price), so a later change of an agreement does not rewrite the past. A place is
committed once the owner accepted it (accepted, started, completed or interrupted).

The counts go through the follow-up's suppression (``portal.stats.suppression``): no count of
1 to ``STATS_MIN_CELL - 1`` is shown nor can be worked out from the totals. A weekly sum is
hidden exactly where the count of the committed places it sums is hidden, so no sum over
fewer than ``STATS_MIN_CELL`` places shows, and since the hidden cells of the counts already
leave no line with a single hidden member, no hidden sum can be worked out from its totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.accounts.permissions import Action, require
from portal.agreements.models import Agreement
from portal.booking.models import HOME_OTHER
from portal.extensions import db
from portal.stats import figures, queries
from portal.stats.figures import NOT_STATED, Labelled
from portal.stats.queries import Scope
from portal.stats.suppression import Cell, Table, build_table

NO_AGREEMENT = 0
TABLES = ("agreements-requests", "agreements-committed", "agreements-weekly")
TABLE_CAPTIONS = {
    "agreements-requests": _l("Requests by home municipality and agreement"),
    "agreements-committed": _l("Committed places by home municipality and agreement"),
    "agreements-weekly": _l("Committed per week (kr) by home municipality and agreement"),
}


@dataclass
class AgreementFigures:
    requests: Labelled
    committed: Labelled
    weekly: Labelled  # sums in kr; a hidden sum is a suppressed cell

    def by_name(self, name: str) -> Labelled:
        return {"agreements-requests": self.requests, "agreements-committed": self.committed,
                "agreements-weekly": self.weekly}[name]


def agreement_figures(actor: Any, scope: Scope) -> AgreementFigures:
    """Requests and committed places per home municipality × agreement, and the weekly sums."""
    require(actor, Action.MANAGE_AGREEMENTS)
    rows = queries.agreement_flows(scope)
    homes = figures.home_labels()
    present_homes = {row["home"] for row in rows}
    home_keys = [key for key in homes if key in present_homes or key not in (HOME_OTHER, NOT_STATED)]
    home_keys += sorted(present_homes - set(home_keys))  # a code no longer in the region
    row_labels = {key: homes.get(key, key) for key in home_keys}
    names = dict(db.session.execute(db.select(Agreement.id, Agreement.name)).all())
    present_agreements = {row["agreement"] for row in rows} - {NO_AGREEMENT}
    agreement_keys = sorted(present_agreements, key=lambda key: (names.get(key, ""), key)) + [NO_AGREEMENT]
    column_labels = {key: names.get(key, "") for key in present_agreements} | {NO_AGREEMENT: _("No agreement")}
    min_cell = figures.min_cell()

    def table(measure: str) -> Table:
        counts = {(row["home"], row["agreement"]): row[measure] for row in rows}
        return build_table(counts, home_keys, agreement_keys, min_cell)

    committed = table("committed")
    weekly_values = {(row["home"], row["agreement"]): row["weekly"] for row in rows}
    weekly = _sums_hidden_like(committed, weekly_values)
    return AgreementFigures(Labelled(table("requests"), row_labels, column_labels),
                            Labelled(committed, row_labels, column_labels),
                            Labelled(weekly, row_labels, column_labels))


def _sums_hidden_like(sizes: Table, sums: dict) -> Table:
    """A table of ``sums`` with the shape of ``sizes`` (the counts summed), hidden where they are."""

    def like(size: Cell, value: int) -> Cell:
        return Cell(None, True) if size.suppressed else Cell(value)

    def row_sum(row) -> int:
        return sum(sums.get((row, column), 0) for column in sizes.columns)

    def column_sum(column) -> int:
        return sum(sums.get((row, column), 0) for row in sizes.rows)

    return Table(
        rows=sizes.rows, columns=sizes.columns,
        cells={key: like(cell, sums.get(key, 0)) for key, cell in sizes.cells.items()},
        row_totals={row: like(cell, row_sum(row)) for row, cell in sizes.row_totals.items()},
        column_totals={column: like(cell, column_sum(column)) for column, cell in sizes.column_totals.items()},
        total=like(sizes.total, sum(sums.values())),
    )


def table_rows(name: str, found: AgreementFigures) -> list[list]:
    """The rows of one table for a CSV file: a header row, then a label and cells.

    A hidden sum is written as the words the page shows for it ("not shown"), a hidden count
    as "fewer than 5" (``exports.csv_text``)."""
    labelled = found.by_name(name)
    table = labelled.table
    header = [_("Home municipality / agreement"), *[str(labelled.column_labels[column]) for column in table.columns],
              _("Total")]

    def shown(cell: Cell):
        return _("not shown") if name == "agreements-weekly" and cell.suppressed else cell

    rows = [header]
    for row in table.rows:
        rows.append([str(labelled.row_labels[row]), *[shown(table.cell(row, column)) for column in table.columns],
                     shown(table.row_totals[row])])
    rows.append([_("Total"), *[shown(table.column_totals[column]) for column in table.columns], shown(table.total)])
    return rows
