"""The scheduler lease: one database row says which process runs the jobs and until when."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from models.base import utcnow
from models.jobruns import SchedulerLease
from models.services.infra.owners import aware

LEASE = "scheduler"


def acquire(engine: Engine, owner: str, ttl: timedelta, now: datetime | None = None
            ) -> tuple[bool, str, datetime | None]:
    """Take or renew the lease for `owner`: (held, current holder, expiry); atomic on both databases."""
    now = now or utcnow()
    table = SchedulerLease.__table__
    with Session(engine) as session:
        _create_expired_row(session, table, now)
        result = session.execute(
            update(table).where(table.c.name == LEASE,
                                or_(table.c.owner == owner, table.c.expires_at < now))
            .values(owner=owner, expires_at=now + ttl, renewed_at=now))
        held = result.rowcount == 1
        row = session.execute(select(table.c.owner, table.c.expires_at, table.c.acquired_at)
                              .where(table.c.name == LEASE)).one()
        if held and row.acquired_at is None:
            session.execute(update(table).where(table.c.name == LEASE).values(acquired_at=now))
        session.commit()
    return held, row.owner, aware(row.expires_at)


def _create_expired_row(session: Session, table, now: datetime) -> None:
    """Create the lease row, already expired, unless it exists."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(insert(table).values(name=LEASE, owner="", expires_at=now - timedelta(seconds=1))
                    .on_conflict_do_nothing(index_elements=["name"]))


def holds(engine: Engine, owner: str, now: datetime | None = None) -> bool:
    """Whether `owner` holds an unexpired lease."""
    now = now or utcnow()
    table = SchedulerLease.__table__
    with engine.connect() as conn:
        row = conn.execute(select(table.c.owner, table.c.expires_at).where(table.c.name == LEASE)).first()
    return bool(row) and row.owner == owner and aware(row.expires_at) > now


def release(engine: Engine, owner: str) -> None:
    """Give the lease up at once so another scheduler can take over."""
    table = SchedulerLease.__table__
    with engine.begin() as conn:
        conn.execute(update(table).where(table.c.name == LEASE, table.c.owner == owner)
                     .values(expires_at=utcnow() - timedelta(seconds=1)))
