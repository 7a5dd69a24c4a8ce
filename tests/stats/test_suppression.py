"""Suppression alone: small counts hide, zero shows, and a hidden count cannot be worked out."""

from __future__ import annotations

import itertools
import random

from portal.stats.suppression import Cell, build_list, build_table, share


def test_small_counts_hide_and_zero_shows():
    table = build_table({("a", "x"): 3, ("a", "y"): 10, ("b", "x"): 0, ("b", "y"): 12}, ["a", "b"], ["x", "y"], 5)
    assert table.cell("a", "x") == Cell(None, True)
    assert table.cell("b", "x") == Cell(0)
    # Row a would give 3 away from its total; column x too: both get a second hidden member.
    assert table.row_totals["a"].suppressed or table.cell("a", "y").suppressed
    assert table.column_totals["x"].suppressed or table.cell("b", "x").suppressed


def test_a_list_with_one_small_member_hides_a_second():
    cells, total = build_list({"work": 2, "studies": 7, "other": 9}, ["work", "studies", "other"], 5)
    assert cells["work"].suppressed and cells["studies"].suppressed
    assert cells["other"] == Cell(9) and total == Cell(18)


def test_no_line_ever_has_exactly_one_hidden_member():
    rng = random.Random(5)
    for _ in range(200):
        rows, columns = range(rng.randrange(1, 5)), range(rng.randrange(1, 5))
        counts = {(row, column): rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 20])
                  for row, column in itertools.product(rows, columns)}
        table = build_table(counts, list(rows), list(columns), 5)
        shown = [cell.value for cell in table.all_cells() if not cell.suppressed]
        assert not [value for value in shown if 1 <= value <= 4]
        lines = [[table.cells[(r, c)] for c in columns] + [table.row_totals[r]] for r in rows]
        lines += [[table.cells[(r, c)] for r in rows] + [table.column_totals[c]] for c in columns]
        lines += [[*table.row_totals.values(), table.total], [*table.column_totals.values(), table.total]]
        assert all(sum(cell.suppressed for cell in line) != 1 for line in lines)


def test_a_share_of_a_hidden_count_is_hidden():
    assert share(Cell(None, True), Cell(20)) is None
    assert share(Cell(5), Cell(20)) == 25.0
    assert share(Cell(0), Cell(0)) is None
