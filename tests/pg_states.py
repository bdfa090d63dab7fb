"""Saved states of the PostgreSQL test database: the rows of every table, kept in a schema of their own.

The SQLite suite copies a saved database file into each test; PostgreSQL has one database for the
whole run, so a state is saved as a copy of each non-empty table (`CREATE TABLE snap_N.t AS TABLE t`)
and the sequences' positions, and restored by emptying the tables and inserting the copies back, in
one transaction. Replica mode skips the append-only triggers (and the foreign-key checks, harmless
when every table is replaced at once) for that transaction only; the suite logs in as a superuser.
A fingerprint of every row and sequence tells whether the database still holds a saved state.
"""

from __future__ import annotations

import hashlib
import itertools

from models import db

SCHEMA_PREFIX = "snap_"
_ids = itertools.count()


def _tables() -> list[str]:
    """The app's tables in dependency order."""
    return [t.name for t in db.metadata.sorted_tables]


def drop_saved_states() -> None:
    """Drop the schemas earlier runs saved states in (each run starts with none)."""
    with db.engine.begin() as conn:
        names = conn.exec_driver_sql(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %(p)s", {"p": f"{SCHEMA_PREFIX}%"}).scalars()
        for name in list(names):
            conn.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')


def save() -> tuple[str, dict[str, int], list[tuple[str, int | None]]]:
    """Copy every non-empty table into a new schema; return it, the row counts and the sequences."""
    schema = f"{SCHEMA_PREFIX}{next(_ids)}"
    with db.engine.begin() as conn:
        counts = dict(zip(_tables(), conn.exec_driver_sql(
            "SELECT " + ", ".join(f'(SELECT count(*) FROM "{t}")' for t in _tables())).one(), strict=True))
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        for table, n in counts.items():
            if n:
                conn.exec_driver_sql(f'CREATE TABLE "{schema}"."{table}" AS TABLE public."{table}"')
        sequences = [tuple(r) for r in conn.exec_driver_sql(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' "
            "ORDER BY sequencename")]
    return schema, {t: n for t, n in counts.items() if n}, sequences


def restore(schema: str, counts: dict[str, int], sequences: list[tuple[str, int | None]]) -> None:
    """Make every table hold exactly the saved rows, and every sequence its saved position."""
    statements = ["SET LOCAL session_replication_role = replica"]
    statements += [f'DELETE FROM "{t}"' for t in reversed(_tables())]
    statements += [f'INSERT INTO "{t}" SELECT * FROM "{schema}"."{t}"' for t in _tables() if t in counts]
    statements += [f"SELECT setval('public.\"{name}\"', {value}, true)" if value is not None
                   else f"SELECT setval('public.\"{name}\"', 1, false)" for name, value in sequences]
    with db.engine.begin() as conn:
        conn.exec_driver_sql("; ".join(statements))


def fingerprint() -> str:
    """A digest of every row of every table and every sequence's position (no session left open)."""
    db.session.remove()
    parts = [f"(SELECT coalesce(string_agg(md5(x::text), '' ORDER BY md5(x::text)), '') FROM \"{t}\" x)"
             for t in _tables()]
    parts.append("(SELECT coalesce(string_agg(sequencename || ':' || coalesce(last_value, 0), ',' "
                 "ORDER BY sequencename), '') FROM pg_sequences WHERE schemaname = 'public')")
    with db.engine.connect() as conn:
        values = conn.exec_driver_sql("SELECT " + ", ".join(parts)).one()
    digest = hashlib.sha1()  # noqa: S324 - a change check, not security
    for value in values:
        digest.update(value.encode())
        digest.update(b"|")
    return digest.hexdigest()
