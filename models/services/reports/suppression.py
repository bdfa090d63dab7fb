"""Small-cell suppression for count tables with totals, with complementary suppression.

A table of counts is shown with row totals, column totals and a grand total. Every count from 1 up
to the threshold (exclusive) is suppressed (primary suppression). Then more cells are suppressed
(complementary suppression) until no suppressed value can be worked out from what is shown: in a
two-way table with totals, a suppressed value can be recovered exactly if and only if its cell is a
bridge in the graph whose nodes are the table's lines and whose edges are the suppressed cells
(Gusfield 1988). So we suppress until every line holds zero or at least two suppressed cells and
no suppressed cell is a bridge. Complements are chosen among the smallest non-zero inner cells
first, so totals stay visible whenever possible and a zero never pins a suppressed value down.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_THRESHOLD = 10
SUPPRESSED_MARK = "*"

Pos = tuple[int, int]


@dataclass
class CountTable:
    """Counts with their totals and which positions are hidden.

    `grid` is the full (rows+1) x (cols+1) table: the last column holds row totals and the last
    row holds column totals (bottom-right is the grand total).
    """

    row_labels: list[str]
    col_labels: list[str]
    grid: list[list[int]]
    hidden: set[Pos] = field(default_factory=set)
    primary: set[Pos] = field(default_factory=set)

    def shown(self, i: int, j: int) -> int | None:
        """The value at (i, j), or None when suppressed."""
        return None if (i, j) in self.hidden else self.grid[i][j]

    def display(self, i: int, j: int) -> str:
        """The value as text, with the suppression mark where hidden."""
        value = self.shown(i, j)
        return SUPPRESSED_MARK if value is None else str(value)

    def rows(self) -> list[tuple[str, list[str]]]:
        """(label, displayed cells including the row total) for each row and the totals row."""
        labels = [*self.row_labels, "Total"]
        return [(labels[i], [self.display(i, j) for j in range(len(self.col_labels) + 1)])
                for i in range(len(labels))]


def with_totals(counts: list[list[int]]) -> list[list[int]]:
    """Append row totals, column totals and the grand total to a matrix of counts."""
    grid = [[*row, sum(row)] for row in counts]
    width = len(grid[0]) if grid else 1
    grid.append([sum(r[j] for r in grid) for j in range(width)])
    return grid


def _bridges(hidden: set[Pos], n_rows: int, n_cols: int) -> set[Pos]:
    """Suppressed cells that are bridges of the line graph (exactly recoverable ones)."""
    adj: dict[tuple[str, int], list[tuple[tuple[str, int], Pos]]] = {}
    for i, j in hidden:
        a, b = ("r", i), ("c", j)
        adj.setdefault(a, []).append((b, (i, j)))
        adj.setdefault(b, []).append((a, (i, j)))
    order: dict = {}
    low: dict = {}
    found: set[Pos] = set()
    counter = 0
    for root in adj:
        if root in order:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack = [(root, None, iter(adj[root]))]
        while stack:
            node, via, edges = stack[-1]
            advanced = False
            for nxt, edge in edges:
                if edge == via:
                    continue
                if nxt in order:
                    low[node] = min(low[node], order[nxt])
                else:
                    order[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append((nxt, edge, iter(adj[nxt])))
                    advanced = True
                    break
            if not advanced:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        found.add(via)
    return found


def _complement(grid: list[list[int]], hidden: set[Pos], line: list[Pos], total: Pos) -> Pos | None:
    """The cell to hide next on a line: smallest non-zero inner cell, then a zero, then the total."""
    open_cells = [p for p in line if p not in hidden and p != total]
    nonzero = [p for p in open_cells if grid[p[0]][p[1]] > 0]
    for pool in (nonzero, open_cells):
        if pool:
            return min(pool, key=lambda p: (grid[p[0]][p[1]], p))
    return total if total not in hidden else None


def suppress(table: CountTable, threshold: int = DEFAULT_THRESHOLD,
             forced: set[Pos] = frozenset()) -> CountTable:
    """Fill `table.hidden` with primary and complementary suppression (and any `forced` cells)."""
    grid = table.grid
    n_rows, n_cols = len(grid), len(grid[0])
    table.primary = {(i, j) for i in range(n_rows) for j in range(n_cols)
                     if 0 < grid[i][j] < threshold}
    hidden = set(table.primary) | set(forced)
    rows = [([(i, j) for j in range(n_cols)], (i, n_cols - 1)) for i in range(n_rows)]
    cols = [([(i, j) for i in range(n_rows)], (n_rows - 1, j)) for j in range(n_cols)]
    lines = rows + cols
    while True:
        added = None
        for line, total in lines:
            if sum(1 for p in line if p in hidden) == 1:
                added = _complement(grid, hidden, line, total)
                if added:
                    break
        if added is None:
            for i, j in sorted(_bridges(hidden, n_rows, n_cols)):
                added = _complement(grid, hidden, rows[i][0], rows[i][1]) or \
                    _complement(grid, hidden, cols[j][0], cols[j][1])
                if added:
                    break
        if added is None:
            break
        hidden.add(added)
    table.hidden = hidden
    return table


def build_table(row_labels: list[str], col_labels: list[str], counts: list[list[int]],
                threshold: int = DEFAULT_THRESHOLD) -> CountTable:
    """A suppressed table of `counts` (rows x cols) with its totals."""
    grid = with_totals(counts) if counts else [[0] * (len(col_labels) + 1)]
    table = CountTable(row_labels, col_labels, grid)
    return suppress(table, threshold)
