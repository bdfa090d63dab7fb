"""The sending protocol: claim a few due rows in one statement, mark each right after the server answers.

pending --claim--> sending --server accepted--> sent
                           --4xx, refused, timeout--> pending (later, with backoff) | parked (12th time)
                           --5xx--> parked
                           --the sender died or its claim expired--> pending (recover_stranded)

A claim is one statement, WITH due AS MATERIALIZED (SELECT id ... LIMIT n) UPDATE ... WHERE id IN due
RETURNING id. On PostgreSQL the SELECT locks with FOR UPDATE SKIP LOCKED, so two senders take different
rows at once; SQLite drops that clause, but there the whole statement runs under the database's single
write lock, so the second sender's SELECT only sees rows the first left pending. The caller commits the
claim before talking to the server, and each mark before the next message, so a sender killed at any
moment has sent at most one message that is not recorded (it goes out again with the same Message-ID).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from models.notifications import DeliveryAttempt, OutboxMessage
from models.services.infra.owners import abandoned

CLAIM_SIZE = 25  # a dead sender strands this many rows at most, until the next run frees them
CLAIM_TTL = timedelta(minutes=5)  # renewed while the sender works through its claim
BASE_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=6)
MAX_ATTEMPTS = 12
NO_SERVER = "No mail server is configured (MAIL_SERVER is empty)."
_UNCLAIMED = {"claim_token": None, "claimed_by": None, "claim_expires_at": None}
_table = OutboxMessage.__table__
# The per-message statements are built once: a sender runs them for every message it sends.
_ATTEMPT = DeliveryAttempt.__table__.insert()
_SENT = (update(_table).where(_table.c.id == bindparam("row_id"),
                              or_(_table.c.claim_token == bindparam("token"), _table.c.status == "pending"))
         .values(status="sent", sent_at=bindparam("now"), attempts=_table.c.attempts + 1, last_error=None,
                 next_attempt_at=None, **_UNCLAIMED))


def _due(now: datetime, only: tuple) -> list:
    return [_table.c.status == "pending", *only,
            or_(_table.c.next_attempt_at.is_(None), _table.c.next_attempt_at <= now)]


def recover_stranded(session: Session, now: datetime) -> int:
    """Put rows claimed by a sender that died, or whose claim expired, back to pending; how many.

    A claim is sent in id order, so its lowest row still 'sending' is the one that may have been on
    the wire: it alone gets an 'interrupted' attempt and a note; the rest were never tried.
    """
    claims = session.execute(select(_table.c.claim_token, _table.c.claimed_by, _table.c.claim_expires_at)
                             .where(_table.c.status == "sending").distinct()).all()
    recovered = 0
    for token, owner, expires_at in claims:
        reason = abandoned(owner or "", expires_at, now)
        if reason is None:
            continue
        # The token in each WHERE keeps rows that were re-claimed or marked meanwhile out of this.
        held = (_table.c.status == "sending", _table.c.claim_token == token)
        in_flight = session.execute(select(_table.c.id, _table.c.attempts).where(*held)
                                    .order_by(_table.c.id).limit(1)).first()
        if in_flight is None:
            continue
        note = (f"Released: {reason} before recording the server's answer; it may have been delivered "
                "once already (a re-send carries the same Message-ID).")
        # A message that keeps taking its sender down with it is parked like any repeated failure.
        parked = in_flight.attempts + 1 >= MAX_ATTEMPTS
        if session.execute(update(_table).where(_table.c.id == in_flight.id, *held).values(
                attempts=in_flight.attempts + 1, status="parked" if parked else "pending",
                last_error=f"Gave up after {in_flight.attempts + 1} tries; last: {note}" if parked else note,
                **_UNCLAIMED)).rowcount:
            _attempt(session, in_flight.id, now, "interrupted", None, note)
            recovered += 1
        rest = update(_table).where(*held).values(status="pending", **_UNCLAIMED)
        recovered += session.execute(rest).rowcount
    return recovered


def claim(session: Session, owner: str, now: datetime, *, size: int = CLAIM_SIZE, ttl: timedelta = CLAIM_TTL,
          only: tuple = ()) -> tuple[str, list[OutboxMessage]]:
    """Take up to `size` due rows (oldest first, narrowed by the `only` conditions) for `owner`."""
    token = uuid.uuid4().hex
    # MATERIALIZED: PostgreSQL may otherwise plan the LIMIT ... SKIP LOCKED subquery as the inner side
    # of a nested loop and re-run it per row, each run locking further rows (100 claimed, not 25).
    due = (select(_table.c.id).where(*_due(now, only)).order_by(_table.c.id).limit(size)
           .with_for_update(skip_locked=True).cte("due").prefix_with("MATERIALIZED"))
    # status = 'pending' again outside: PostgreSQL re-checks it on rows another claim changed meanwhile.
    ids = session.execute(
        update(_table).where(_table.c.id.in_(select(due.c.id)), _table.c.status == "pending")
        .values(status="sending", claim_token=token, claimed_by=owner, claim_expires_at=now + ttl)
        .returning(_table.c.id)).scalars().all()
    if not ids:
        return token, []
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)
                           .execution_options(populate_existing=True)).all()
    return token, list(rows)


def renew(session: Session, token: str, now: datetime, ttl: timedelta = CLAIM_TTL) -> None:
    """Push the expiry of the rows still held under `token` forward (a long claim is not stolen)."""
    session.execute(update(_table).where(_table.c.status == "sending", _table.c.claim_token == token)
                    .values(claim_expires_at=now + ttl))


def release(session: Session, token: str) -> int:
    """Give back the rows still held under `token`, untried (a sender that fails mid-claim); how many."""
    return session.execute(update(_table).where(_table.c.status == "sending", _table.c.claim_token == token)
                           .values(status="pending", **_UNCLAIMED)).rowcount


def _attempt(session: Session, row_id: int, now: datetime, outcome: str, code: int | None,
             detail: str) -> None:
    session.execute(_ATTEMPT, {"message_id": row_id, "attempted_at": now, "outcome": outcome, "code": code,
                               "detail": detail[:1000]})


def mark_sent(session: Session, row_id: int, token: str, now: datetime) -> bool:
    """Record that the server accepted the row; False if the claim was no longer ours (logged anyway).

    It matches the claim token whatever the status, so a reminder cancelled while it was on the wire
    reads 'sent' (true), and a row already released as stranded but not yet re-sent is not sent twice.
    """
    _attempt(session, row_id, now, "sent", 250, "Accepted")
    return session.execute(_SENT, {"row_id": row_id, "token": token, "now": now}).rowcount == 1


def mark_failed(session: Session, row_id: int, attempts: int, token: str, now: datetime, *, permanent: bool,
                code: int | None, detail: str) -> str | None:
    """Record a failed attempt: back to pending with backoff, or parked; that status (None: not ours now)."""
    _attempt(session, row_id, now, "permanent" if permanent else "temporary", code, detail)
    attempts += 1
    if permanent or attempts >= MAX_ATTEMPTS:
        status, next_at = "parked", None
        error = detail if permanent else f"Gave up after {attempts} temporary failures; last: {detail}"
    else:
        status, next_at, error = "pending", now + min(BASE_DELAY * 2 ** (attempts - 1), MAX_DELAY), detail
    done = session.execute(
        update(_table).where(_table.c.id == row_id, _table.c.claim_token == token,
                             _table.c.status == "sending")
        .values(status=status, attempts=attempts, last_error=error, next_attempt_at=next_at,
                **_UNCLAIMED)).rowcount
    return status if done else None


def skip_unsendable(session: Session, now: datetime, only: tuple = ()) -> int:
    """No mail server: mark due rows as 'would have been sent' so admins can read them on the Outbox page."""
    return session.execute(update(_table).where(*_due(now, only))
                           .values(status="skipped", last_error=NO_SERVER)).rowcount
