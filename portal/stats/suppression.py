"""Small-number suppression: no count of 1 to ``min_cell - 1`` persons is ever shown.

Primary suppression hides every small count. Secondary suppression then makes sure none
of them can be worked out: the figures are tied together by additive relations ("a row's
cells add up to its total"), and a relation with exactly one hidden member gives that
member away, so another member of it (the smallest non-zero one) is hidden too, until no
relation has exactly one hidden member. Zero is shown as 0: it is not a person.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

Key = Hashable


@dataclass(frozen=True)
class Cell:
    """A shown count (``value``) or a hidden one (``value`` None, ``suppressed`` True)."""

    value: int | None
    suppressed: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"count": self.value, "suppressed": self.suppressed}


def is_small(value: int, min_cell: int) -> bool:
    return 0 < value < min_cell


def suppress(values: dict[Key, int], relations: Iterable[Sequence[Key]], min_cell: int) -> dict[Key, Cell]:
    """Cells for ``values`` with primary and secondary suppression over ``relations``."""
    hidden = {key for key, value in values.items() if is_small(value, min_cell)}
    lines = [list(line) for line in relations if line]
    changed = True
    while changed:
        changed = False
        for line in lines:
            members_hidden = [key for key in line if key in hidden]
            if len(members_hidden) != 1:
                continue
            candidates = [key for key in line if key not in hidden and values.get(key, 0) > 0]
            if not candidates:  # cannot happen for a true sum; hide nothing more than needed
                continue
            hidden.add(min(candidates, key=lambda key: (values[key], _is_margin(key))))
            changed = True
    return {key: Cell(None, True) if key in hidden else Cell(value) for key, value in values.items()}


def _is_margin(key: Key) -> bool:
    return isinstance(key, tuple) and bool(key) and key[0] != "cell"


@dataclass
class Table:
    """A two-way table of counts with its row and column totals, suppressed.

    ``extra_relations`` names further sums that a page shows (keys of ``extra``), so that
    they are suppressed together with the table.
    """

    rows: list[Key]
    columns: list[Key]
    cells: dict[tuple[Key, Key], Cell]
    row_totals: dict[Key, Cell]
    column_totals: dict[Key, Cell]
    total: Cell
    extra: dict[str, Cell] = field(default_factory=dict)

    def cell(self, row: Key, column: Key) -> Cell:
        return self.cells[(row, column)]

    @property
    def any_suppressed(self) -> bool:
        return any(cell.suppressed for cell in self.all_cells())

    def all_cells(self) -> list[Cell]:
        return [*self.cells.values(), *self.row_totals.values(), *self.column_totals.values(), self.total,
                *self.extra.values()]


def build_table(counts: dict[tuple[Key, Key], int], rows: Sequence[Key], columns: Sequence[Key],
                min_cell: int, *, extra: dict[str, tuple[int, Sequence[tuple[Key, Key]]]] | None = None,
                extra_relations: Sequence[Sequence[str]] = ()) -> Table:
    """Suppress ``counts`` (missing cells are 0) with their margins.

    ``extra`` maps a name to (its value, the cells it sums): each is a sum a page shows
    beside the table (for example the placements outside the home municipality).
    ``extra_relations`` ties extras and row totals together further (lists of keys such as
    ``"outside"`` or ``("row", r)``).
    """
    values: dict[Key, int] = {}
    relations: list[list[Key]] = []
    for row in rows:
        for column in columns:
            values[("cell", row, column)] = counts.get((row, column), 0)
    for row in rows:
        values[("row", row)] = sum(values[("cell", row, column)] for column in columns)
        relations.append([("cell", row, column) for column in columns] + [("row", row)])
    for column in columns:
        values[("column", column)] = sum(values[("cell", row, column)] for row in rows)
        relations.append([("cell", row, column) for row in rows] + [("column", column)])
    values[("total",)] = sum(values[("row", row)] for row in rows)
    relations.append([("row", row) for row in rows] + [("total",)])
    relations.append([("column", column) for column in columns] + [("total",)])
    for name, (value, members) in (extra or {}).items():
        values[("extra", name)] = value
        relations.append([("cell", *member) for member in members] + [("extra", name)])
    for relation in extra_relations:
        relations.append([("extra", key) if isinstance(key, str) else key for key in relation])
    cells = suppress(values, relations, min_cell)
    return Table(
        rows=list(rows), columns=list(columns),
        cells={(row, column): cells[("cell", row, column)] for row in rows for column in columns},
        row_totals={row: cells[("row", row)] for row in rows},
        column_totals={column: cells[("column", column)] for column in columns},
        total=cells[("total",)],
        extra={name: cells[("extra", name)] for name in (extra or {})},
    )


def build_list(counts: dict[Key, int], keys: Sequence[Key], min_cell: int, *,
               with_total: bool = True) -> tuple[dict[Key, Cell], Cell | None]:
    """A one-way list of counts (and its total, which ties them together), suppressed."""
    values: dict[Key, int] = {("cell", key): counts.get(key, 0) for key in keys}
    relations: list[list[Key]] = []
    if with_total:
        values[("total",)] = sum(values.values())
        relations.append(list(values))
    cells = suppress(values, relations, min_cell)
    return {key: cells[("cell", key)] for key in keys}, cells.get(("total",))


def share(numerator: Cell, denominator: Cell) -> float | None:
    """A share in per cent, or None when either count is hidden or the denominator is 0."""
    if numerator.suppressed or denominator.suppressed or not denominator.value:
        return None
    return round(100.0 * (numerator.value or 0) / denominator.value, 1)
