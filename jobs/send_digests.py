"""Job `send-digests`: gather each recipient's held reminders into one daily email and send it."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from jobs.send_email import Clock, deliver, pick_clock
from models.notifications import OutboxMessage
from models.services.infra.owners import current_owner
from models.services.infra.upserts import insert_ignoring_duplicates
from models.services.reminders.mailer import MailSettings


def run(session: Session, today: date, *, settings: MailSettings | None = None, now: datetime | None = None,
        clock: Clock | None = None, owner: str | None = None, **_) -> dict:
    """Build one digest per recipient for `today` (unique key: a second run adds none) and send them."""
    held: dict[str, list[OutboxMessage]] = defaultdict(list)
    for row in session.scalars(select(OutboxMessage).where(OutboxMessage.status == "held")
                               .order_by(OutboxMessage.recipient, OutboxMessage.id)):
        held[row.recipient].append(row)
    digests = [{
        "item_key": f"digest:{email}:{today.isoformat()}", "step": "digest", "recipient": email,
        "recipient_role": "digest", "person_id": None, "escalation": False, "status": "pending",
        "attempts": 0,
        "subject": f"Your SECURe Tracker reminders for {today.isoformat()}",
        "context": {"items": [{"subject": r.subject, "path": (r.context or {}).get("path", "/")}
                              for r in rows]},
    } for email, rows in held.items()]
    new_ids = insert_ignoring_duplicates(session, OutboxMessage.__table__, digests,
                                         ["item_key", "step", "recipient"])
    created = list(session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(new_ids))))
    links = [{"rid": r.id, "did": d.id} for d in created for r in held[d.recipient]]
    if links:
        table = OutboxMessage.__table__
        session.execute(table.update().where(table.c.id == bindparam("rid"))
                        .values(status="in_digest", digest_id=bindparam("did")), links)
    # The digests exist, pending, before anything is sent: a failed or killed send cannot undo them,
    # and any digest still pending (from today or an earlier run) goes out through the usual protocol.
    session.commit()
    counts = deliver(session, settings or MailSettings(), pick_clock(now, clock), owner or current_owner(),
                     only=(OutboxMessage.step == "digest",))
    return {"digests": len(created), "reminders": len(links), "sent": counts["sent"],
            "deferred": counts["deferred"], "parked": counts["parked"]}
