"""Job `send-email`: hand pending outbox rows to the SMTP server, a small claim at a time."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from email.message import EmailMessage

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from models.base import utcnow
from models.services.infra.owners import current_owner
from models.services.reminders import outbox
from models.services.reminders.mailer import Connection, MailSettings, Outcome, build_message

Clock = Callable[[], datetime]


def pick_clock(now: datetime | None, clock: Clock | None) -> Clock:
    """The clock a send uses: the one given, time frozen at `now` (tests), or the real one."""
    return clock or ((lambda: now) if now else utcnow)


def _record(session: Session, counts: Counter, token: str, row_id: int, attempts: int, outcome: Outcome,
            now: datetime) -> None:
    if outcome.kind == "sent":
        outbox.mark_sent(session, row_id, token, now)
        counts["sent"] += 1
        return
    status = outbox.mark_failed(session, row_id, attempts, token, now, permanent=outcome.kind == "permanent",
                                code=outcome.code, detail=outcome.detail)
    counts["parked" if status == "parked" else "deferred"] += 1


def _claim(session: Session, settings: MailSettings, clock: Clock, owner: str, only: tuple
           ) -> tuple[str, list[tuple[int, int, str, EmailMessage]]]:
    """A committed claim, as plain data: (id, attempts so far, recipient, message) per row."""
    token, rows = outbox.claim(session, owner, clock(), only=only)
    batch = [(row.id, row.attempts, row.recipient, build_message(row, settings)) for row in rows]
    # Only plain data leaves: the per-message commits then have no ORM rows to expire.
    session.commit()
    return token, batch


def deliver(session: Session, settings: MailSettings, clock: Clock, owner: str, only: tuple = ()) -> Counter:
    """Free stranded claims, then claim, send and mark due rows until none is left, committing each step."""
    counts: Counter = Counter(recovered=outbox.recover_stranded(session, clock()))
    session.commit()
    if not settings.server:
        counts["skipped"] = outbox.skip_unsendable(session, clock(), only)
        session.commit()
        return counts
    with Connection(settings) as connection:
        while True:
            token, batch = _claim(session, settings, clock, owner, only)
            if not batch:
                return counts
            try:
                if not _send_claim(session, connection, counts, token, batch, clock):
                    return counts
            except BaseException:
                # Whatever broke (a stop, a lost database), the rest of the claim goes back at once;
                # if even that fails, the claim's expiry frees it for the next run.
                session.rollback()
                with contextlib.suppress(SQLAlchemyError):
                    outbox.release(session, token)
                    session.commit()
                raise


def _send_claim(session: Session, connection: Connection, counts: Counter, token: str, batch: list,
                clock: Clock) -> bool:
    """Send one claim message by message; False if the server could not be reached (stop the run)."""
    renewed = clock()
    for index, (row_id, attempts, recipient, message) in enumerate(batch):
        outcome = connection.send(message, recipient)
        now = clock()
        if outcome.unreachable:
            # No connection at all: this claim goes back with backoff, the rest waits for the next run.
            for rest_id, rest_attempts, *_ in batch[index:]:
                _record(session, counts, token, rest_id, rest_attempts, outcome, now)
            session.commit()
            return False
        _record(session, counts, token, row_id, attempts, outcome, now)
        if now - renewed > outbox.CLAIM_TTL / 5:
            outbox.renew(session, token, now)
            renewed = now
        session.commit()  # before the next message: a crash from here on re-sends nothing
    return True


def run(session: Session, today: date, *, settings: MailSettings | None = None, now: datetime | None = None,
        clock: Clock | None = None, owner: str | None = None, **_) -> dict:
    """Send everything due, recording each message as soon as the server has answered."""
    counts = deliver(session, settings or MailSettings(), pick_clock(now, clock), owner or current_owner())
    return {"sent": counts["sent"], "deferred": counts["deferred"], "parked": counts["parked"],
            "skipped": counts["skipped"], "recovered": counts["recovered"]}
