"""Small-cell suppression: a 3 is hidden, and nothing shown lets anyone work it out."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from models.services.reports.suppression import CountTable, build_table


def _recoverable(table: CountTable) -> set[tuple[int, int]]:
    """Hidden cells whose value follows from the shown ones (linear algebra, independent of the code)."""
    grid = table.grid
    n_rows, n_cols = len(grid), len(grid[0])
    hidden = sorted(table.hidden)
    if not hidden:
        return set()
    index = {p: k for k, p in enumerate(hidden)}
    equations = []
    for i in range(n_rows):  # each row: inner cells minus the row total = 0
        equations.append({(i, j): (-1 if j == n_cols - 1 else 1) for j in range(n_cols)})
    for j in range(n_cols):
        equations.append({(i, j): (-1 if i == n_rows - 1 else 1) for i in range(n_rows)})
    matrix = np.array([[eq.get(p, 0) for p in hidden] for eq in equations], dtype=float)
    rank = np.linalg.matrix_rank(matrix)
    found = set()
    for p, k in index.items():
        if np.linalg.matrix_rank(np.delete(matrix, k, axis=1)) < rank:
            found.add(p)
    return found


def test_cell_of_three_is_suppressed_and_cannot_be_recovered():
    table = build_table(["A", "B", "C"], ["Female", "Male"], [[3, 40], [25, 30], [50, 60]])
    assert table.display(0, 0) == "*"
    assert (0, 0) in table.primary
    shown_row = [table.shown(0, j) for j in range(3)]
    shown_col = [table.shown(i, 0) for i in range(4)]
    assert shown_row.count(None) >= 2 and shown_col.count(None) >= 2
    assert _recoverable(table) == set()
    # Totals stay visible when inner complements can protect the cell.
    assert table.shown(3, 2) == 208


def test_single_small_cell_in_one_row_table_hides_its_column_total_too():
    table = build_table(["A"], ["x", "y", "z"], [[3, 20, 30]])
    assert table.display(0, 0) == "*" and table.display(1, 0) == "*"
    assert _recoverable(table) == set()


def test_zero_is_shown_and_threshold_is_configurable():
    table = build_table(["A", "B"], ["x", "y"], [[0, 12], [15, 20]], threshold=5)
    assert table.hidden == set()
    table = build_table(["A", "B"], ["x", "y"], [[0, 12], [15, 20]], threshold=13)
    assert (0, 1) in table.hidden


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 6).flatmap(lambda rows: st.integers(2, 5).flatmap(
    lambda cols: st.lists(st.lists(st.sampled_from([0, 1, 3, 9, 10, 14, 40]), min_size=cols, max_size=cols),
                          min_size=rows, max_size=rows))))
def test_no_suppressed_value_is_ever_recoverable(counts):
    table = build_table([str(i) for i in range(len(counts))], [str(j) for j in range(len(counts[0]))], counts)
    assert table.primary <= table.hidden
    assert _recoverable(table) == set()
    for i, row in enumerate(table.grid):  # every line holds zero or at least two hidden cells
        assert sum((i, j) in table.hidden for j in range(len(row))) != 1
