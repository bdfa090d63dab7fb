"""Set-based inserts that tolerate rows already there: ON CONFLICT on both databases, in chunks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

CHUNK = 2000  # rows per statement: well under either database's bind-parameter limit


def _insert(bind: Session | Connection, table):
    dialect = bind.dialect.name if isinstance(bind, Connection) else bind.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def chunks(values: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    """`values` in lists of at most `size` (for IN lists and executemany batches)."""
    batch: list[Any] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def insert_ignoring_duplicates(bind: Session | Connection, table, rows: list[dict],
                               keys: list[str]) -> list[int]:
    """INSERT ... ON CONFLICT DO NOTHING on `keys`, in chunks; the ids of the rows actually added."""
    if not rows:
        return []
    stmt = _insert(bind, table).on_conflict_do_nothing(index_elements=keys).returning(table.c.id)
    added: list[int] = []
    for batch in chunks(rows):
        added.extend(bind.execute(stmt, batch).scalars().all())
    return added


def insert_or_update(bind: Session | Connection, table, rows: list[dict], keys: list[str],
                     update: list[str], where=None) -> list[int]:
    """INSERT ... ON CONFLICT DO UPDATE the `update` columns (only where `where` holds); affected ids."""
    if not rows:
        return []
    stmt = _insert(bind, table)
    stmt = stmt.on_conflict_do_update(index_elements=keys, set_={c: stmt.excluded[c] for c in update},
                                      where=where).returning(table.c.id)
    touched: list[int] = []
    for batch in chunks(rows):
        touched.extend(bind.execute(stmt, batch).scalars().all())
    return touched
