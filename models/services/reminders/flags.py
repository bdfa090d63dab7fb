"""Flags follow the engines: the items a person must act on, and one reconciliation of the flags table.

A flag is an item the engines report as due soon, overdue or expired (training) or due or overdue
(evaluations). `sync_flags` opens, updates and closes flags so that the open ones are exactly the
items reported; it is called wherever those rows change: the store refresh of every write that moves
a status (same transaction), the daily rebuild of the stores, and the `flag-overdue` job. Reminder
bookkeeping (`current_step`, `escalated_on`) is left alone here: only the job queues reminders.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from models.notifications import Flag, OutboxMessage
from models.services.infra.upserts import chunks, insert_or_update
from models.services.training.compliance import act_by
from models.training import Course

TRAINING_FLAG_STATUSES = ("due_soon", "overdue", "expired")
EVALUATION_FLAG_STATUSES = ("due", "overdue")
KINDS = ("training", "evaluation")
# Outbox rows not yet delivered, cancelled when their item is resolved; one being sent that still goes
# out reads "sent" (the sender marks it by its claim), otherwise it stays cancelled.
UNSENT = ("pending", "sending", "held")


@dataclass(frozen=True)
class DueItem:
    """Something a person must do by a date, as the engines report it."""

    item_key: str
    kind: str
    person_id: int
    label: str
    due_date: date
    status: str
    evaluation_id: int | None = None


Source = Callable[[Session, date], Iterable[DueItem]]


def training_items(bind: Session | Connection, rows: Select) -> list[DueItem]:
    """Flag items from compliance rows (the engine's or the store's columns) that need attention."""
    sub = rows.subquery()
    # The store's rows hold no act_by column: the engine's one rule computes it from theirs.
    deadline = act_by(sub.c.due_date, sub.c.completion_id, sub.c.expires_on).label("act_by")
    stmt = (select(sub.c.person_id, sub.c.requirement_id, sub.c.course_id, deadline, sub.c.status)
            .where(sub.c.status.in_(TRAINING_FLAG_STATUSES)))
    # Course names come from a second, small query: joining them onto the engine's SELECT is far slower.
    names = {cid: f"{code} {title}"[:200] for cid, code, title in
             bind.execute(select(Course.id, Course.code, Course.title))}
    items = []
    for r in bind.execute(stmt):
        deadline = r.act_by  # a renewal (or a lapsed certificate) is due when the completion expires
        if deadline is None:
            continue
        items.append(DueItem(f"training:{r.person_id}:{r.requirement_id}:{deadline.isoformat()}",
                             "training", r.person_id, names.get(r.course_id, "Training"), deadline,
                             r.status))
    return items


def evaluation_items(bind: Session | Connection, rows: Select) -> list[DueItem]:
    """Flag items from evaluation-due rows (the engine's or the store's columns): due or overdue."""
    sub = rows.subquery()
    items = []
    for r in bind.execute(select(sub).where(sub.c.status.in_(EVALUATION_FLAG_STATUSES))):
        if r.due_date is None:
            continue
        cycle = "first review" if r.cycle == "first-review" else f"school year {r.cycle}"
        key = f"evaluation:{r.person_id}:{r.assignment_id}:{r.cycle}:{r.due_date.isoformat()}"
        items.append(DueItem(key, "evaluation", r.person_id, f"Evaluation ({cycle})", r.due_date,
                             r.status, r.evaluation_id))
    return items


def sync_flags(bind: Session | Connection, day: date, items: Iterable[DueItem], *,
               kinds: Iterable[str] = KINDS, person_ids: Iterable[int] | None = None) -> dict[str, int]:
    """Make the open flags of `kinds` (for `person_ids`, or everyone) exactly `items`, as of `day`.

    New items open a flag; an item flagged before and closed since is reopened (its reminder steps
    are kept, so nothing is sent twice); a changed status, label or evaluation is updated; an open
    flag whose item is no longer reported is closed and its unsent reminders are cancelled.
    """
    kinds = tuple(kinds)
    scope = [Flag.kind.in_(kinds)]
    people = None if person_ids is None else sorted(set(person_ids))
    if people == []:
        return {"opened": 0, "updated": 0, "closed": 0}
    wanted = {i.item_key: i for i in items if i.kind in kinds and (people is None or i.person_id in people)}
    cols = (Flag.id, Flag.item_key, Flag.status, Flag.label, Flag.evaluation_id)
    if people is None:
        current = {r.item_key: r for r in bind.execute(select(*cols).where(Flag.closed_on.is_(None), *scope))}
    else:
        current = {}
        for batch in chunks(people):
            current.update((r.item_key, r) for r in bind.execute(
                select(*cols).where(Flag.closed_on.is_(None), Flag.person_id.in_(batch), *scope)))
    table = Flag.__table__
    new_rows = [{"item_key": key, "kind": i.kind, "person_id": i.person_id, "label": i.label,
                 "due_date": i.due_date, "status": i.status, "first_flagged_on": day,
                 "evaluation_id": i.evaluation_id, "closed_on": None}
                for key, i in wanted.items() if key not in current]
    opened = insert_or_update(bind, table, new_rows, ["item_key"],
                              ["closed_on", "status", "label", "evaluation_id"],
                              where=table.c.closed_on.is_not(None))
    changed = [{"fid": row.id, "status": i.status, "label": i.label, "evaluation_id": i.evaluation_id}
               for key, row in current.items() if (i := wanted.get(key)) is not None
               and (row.status, row.label, row.evaluation_id) != (i.status, i.label, i.evaluation_id)]
    if changed:
        bind.execute(update(table).where(table.c.id == bindparam("fid"))
                     .values(status=bindparam("status"), label=bindparam("label"),
                             evaluation_id=bindparam("evaluation_id")), changed)
    gone = [(row.id, key) for key, row in current.items() if key not in wanted]
    for batch in chunks(gone):
        bind.execute(update(table).where(table.c.id.in_([fid for fid, _ in batch])).values(closed_on=day))
        out = OutboxMessage.__table__
        bind.execute(update(out).where(out.c.item_key.in_([key for _, key in batch]),
                                       out.c.status.in_(UNSENT)).values(status="cancelled"))
    return {"opened": len(opened), "updated": len(changed), "closed": len(gone)}
