"""Fixed-window rate limits counted in the database, so every worker process shares one count.

Each hit is one atomic upsert (INSERT ... ON CONFLICT DO UPDATE ... RETURNING), which SQLite (3.35+) and
PostgreSQL both run without a race: two workers hitting the same key in the same window never lose a count.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from models.api_tokens import RateLimitCounter
from models.services.infra.text import UNSAFE

_table = RateLimitCounter.__table__
KEEP_SECONDS = 86400  # longer than any window we use


@dataclass(frozen=True)
class Verdict:
    """The outcome of one counted request."""

    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window resets

    @property
    def remaining(self) -> int:
        """Requests left in this window."""
        return max(self.limit - self.count, 0)


def parse_limit(spec: str) -> tuple[int, int]:
    """'300/60' -> (300 requests, 60 seconds)."""
    count, _, seconds = str(spec).partition("/")
    return int(count), int(seconds or 60)


def stored_key(key: str) -> str:
    """`key` as the counter row holds it: a digest when it is too long or holds a control character.

    Keys carry what a client typed (an email), and PostgreSQL refuses NUL in text; a digest keeps two
    long keys from sharing a count, as cutting them short would.
    """
    if len(key) <= _table.c.key.type.length and not UNSAFE.search(key):
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _upsert(dialect: str):
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert


def hit(connection: Connection, key: str, limit: int, window: int, now: float) -> Verdict:
    """Count one request for `key` at epoch time `now`; allowed while the window's count <= limit.

    Runs on its own connection/transaction so a refused or failed request still counts.
    """
    start = int(now // window) * window
    insert = _upsert(connection.dialect.name)
    stmt = insert(_table).values(key=stored_key(key), window_start=start, count=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[_table.c.key, _table.c.window_start],
        set_={"count": _table.c.count + 1},
    ).returning(_table.c.count)
    count = connection.execute(stmt).scalar_one()
    if count == 1:
        # First hit of a new window for this key: a cheap moment to drop windows long gone.
        connection.execute(delete(_table).where(_table.c.window_start < start - KEEP_SECONDS))
    retry_after = max(int(start + window - now + 0.999), 1)
    return Verdict(allowed=count <= limit, count=count, limit=limit, retry_after=retry_after)
