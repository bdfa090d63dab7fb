"""Job `send-email`: hand pending outbox rows to the SMTP server, one connection per batch."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.notifications import OutboxMessage
from models.services.mailer import MailSettings, send_batch

BATCH = 200


def due_rows(session: Session, now: datetime, limit: int, after_id: int = 0) -> list[OutboxMessage]:
    """Pending rows whose next attempt is due, oldest first (locked on PostgreSQL, skipped if busy)."""
    stmt = (select(OutboxMessage)
            .where(OutboxMessage.status == "pending", OutboxMessage.id > after_id,
                   or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))
            .order_by(OutboxMessage.id).limit(limit).with_for_update(skip_locked=True))
    return list(session.scalars(stmt))


def run(session: Session, today: date, *, settings: MailSettings | None = None,
        now: datetime | None = None, batch_size: int = BATCH, **_) -> dict:
    """Send everything due, committing after each batch so a crash never re-sends a recorded message."""
    settings = settings or MailSettings()
    now = now or utcnow()
    counts: Counter = Counter()
    last_id = 0
    while True:
        rows = due_rows(session, now, batch_size, last_id)
        if not rows:
            break
        last_id = rows[-1].id
        counts.update(send_batch(session, rows, settings, now))
        session.commit()
    return {"sent": counts["sent"], "deferred": counts["deferred"], "parked": counts["parked"],
            "skipped": counts["skipped"]}
