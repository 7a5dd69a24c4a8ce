"""Every table of the follow-up as CSV that opens correctly in Excel with Swedish settings and
in LibreOffice: UTF-8 with a byte order mark, ``;`` between fields, CRLF line ends. A hidden
count is written as the same words the page shows, never as its value."""

from __future__ import annotations

import csv
import io

from flask import Response
from flask_babel import gettext as _

from portal.exceptions import NotFound
from portal.i18n import current_locale_code
from portal.stats import figures
from portal.stats.figures import Labelled
from portal.stats.queries import Scope
from portal.stats.suppression import Cell

PUBLIC_TABLES = ("flows-requests", "flows-accepted", "flows-started", "flows-completed", "outcomes-gender",
                 "outcomes-type", "funnel", "decline-reasons", "months")
TABLES = PUBLIC_TABLES + ("capacity",)


def cell_text(cell: Cell) -> str:
    if cell.suppressed:
        return _("fewer than %(num)s", num=figures.min_cell())
    return str(cell.value)


def _labelled_rows(labelled: Labelled, corner: str) -> list[list]:
    table = labelled.table
    rows = [[corner, *[str(labelled.column_labels[column]) for column in table.columns], _("Total")]]
    for row in table.rows:
        rows.append([str(labelled.row_labels[row]), *[table.cell(row, column) for column in table.columns],
                     table.row_totals[row]])
    rows.append([_("Total"), *[table.column_totals[column] for column in table.columns], table.total])
    return rows


def table_rows(name: str, scope: Scope, *, public: bool) -> list[list]:
    """The rows of one table: a header row, then a label and cells (``Cell`` or numbers)."""
    if name not in (PUBLIC_TABLES if public else TABLES):
        raise NotFound()
    locale = current_locale_code()
    if name.startswith("flows-"):
        measure = name.removeprefix("flows-")
        return _labelled_rows(figures.flows(scope).by_measure[measure],
                              _("Home municipality / owner"))
    if name == "outcomes-gender":
        return _labelled_rows(figures.outcomes(scope, locale).by_gender, _("Outcome"))
    if name == "outcomes-type":
        return _labelled_rows(figures.outcomes(scope, locale).by_type, _("Outcome"))
    funnel = figures.funnel(scope)
    if name == "funnel":
        return [[_("Step"), _("Requests")]] + [[str(figures.FUNNEL_LABELS[key]), cell]
                                               for key, cell in funnel.steps.items()]
    if name == "decline-reasons":
        from portal.booking.labels import REASON_LABELS

        return [[_("Reason"), _("Declined")]] + [[str(REASON_LABELS[key]), cell]
                                                 for key, cell in funnel.decline_reasons.items()]
    if name == "months":
        return [[_("Month"), _("Requests")]] + [[month, cell] for month, cell in funnel.per_month.items()]
    capacity = figures.capacity(scope, locale)
    return [[_("Owner"), _("Type"), _("Places offered"), _("Places taken")]] + [
        [owner, type_label, offered, taken] for owner, type_label, offered, taken in capacity.rows]


def csv_text(rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in rows:
        writer.writerow([cell_text(value) if isinstance(value, Cell) else value for value in row])
    return "\ufeff" + buffer.getvalue()


def csv_response(name: str, scope: Scope, *, public: bool) -> Response:
    return rows_response(table_rows(name, scope, public=public), name, scope)


def rows_response(rows: list[list], name: str, scope: Scope) -> Response:
    """The CSV file of ``rows`` (a table of ``name`` over the scope's period) as a download."""
    text = csv_text(rows)
    filename = f"{name}_{scope.start.isoformat()}_{scope.end.isoformat()}.csv"
    response = Response(text.encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
