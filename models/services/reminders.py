"""Flags and reminders: turn due items into flags and outbox rows, once per (item, step, recipient)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.notifications import EmailPreference, Flag, OutboxMessage, ReminderStep
from models.services.recipients import resolve_recipients

TRAINING_FLAG_STATUSES = ("due_soon", "overdue", "expired")
EVALUATION_FLAG_STATUSES = ("due", "overdue")
CHUNK = 2000


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


def training_items(session: Session, today: date) -> list[DueItem]:
    """Training that is due soon, overdue or expired, from the Step 4 compliance engine."""
    from models.services.store_reads import compliance_source
    from models.training import Course

    sub = compliance_source(session, today).subquery()
    stmt = (select(sub.c.person_id, sub.c.requirement_id, sub.c.course_id, sub.c.due_date, sub.c.status,
                   sub.c.completion_id, sub.c.expires_on)
            .where(sub.c.status.in_(TRAINING_FLAG_STATUSES)))
    # Course names come from a second, small query: joining them onto the engine's SELECT is far slower.
    names = {cid: f"{code} {title}"[:200] for cid, code, title in
             session.execute(select(Course.id, Course.code, Course.title))}
    items = []
    for r in session.execute(stmt):
        renewing = r.status == "expired" or (r.status == "due_soon" and r.completion_id is not None)
        deadline = (r.expires_on if renewing and r.expires_on else r.due_date)
        if deadline is None:
            continue
        items.append(DueItem(f"training:{r.person_id}:{r.requirement_id}:{deadline.isoformat()}",
                             "training", r.person_id, names.get(r.course_id, "Training"), deadline,
                             r.status))
    return items


def evaluation_items(session: Session, today: date) -> list[DueItem]:
    """Evaluations that are due or overdue, from the Step 5 due-date engine."""
    from models.services.store_reads import evaluation_due_source

    sub = evaluation_due_source(session, today).subquery()
    stmt = select(sub).where(sub.c.status.in_(EVALUATION_FLAG_STATUSES))
    items = []
    for r in session.execute(stmt):
        if r.due_date is None:
            continue
        cycle = "first review" if r.cycle == "first-review" else f"school year {r.cycle}"
        key = f"evaluation:{r.person_id}:{r.assignment_id}:{r.cycle}:{r.due_date.isoformat()}"
        items.append(DueItem(key, "evaluation", r.person_id, f"Evaluation ({cycle})", r.due_date,
                             r.status, r.evaluation_id))
    return items


DEFAULT_SOURCES: tuple[Source, ...] = (training_items, evaluation_items)


def insert_ignoring_duplicates(session: Session, table, rows: list[dict], keys: list[str]) -> list[int]:
    """INSERT ... ON CONFLICT DO NOTHING on `keys`, in chunks; the ids of the rows actually added."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).on_conflict_do_nothing(index_elements=keys).returning(table.c.id)
    added: list[int] = []
    for start in range(0, len(rows), CHUNK):
        added.extend(session.execute(stmt, rows[start:start + CHUNK]).scalars().all())
    return added


def load_plan(session: Session) -> dict[str, list[ReminderStep]]:
    """Active reminder steps by kind, in order of their offset."""
    plan: dict[str, list[ReminderStep]] = {}
    stmt = select(ReminderStep).where(ReminderStep.active.is_(True)).order_by(ReminderStep.offset_days)
    for step in session.scalars(stmt):
        plan.setdefault(step.kind, []).append(step)
    return plan


def steps_reached(steps: list[ReminderStep], days: int) -> tuple[tuple[str, ReminderStep] | None,
                                                                   list[ReminderStep]]:
    """The latest ordinary step reached `days` after the due date (with its key), and escalations reached.

    A repeating step gets a key per occurrence ("overdue-2"), so each week is a new reminder; steps
    missed while the job was not running are not sent late, only the latest one is.
    """
    ordinary = [s for s in steps if not s.escalation and s.offset_days <= days]
    current = None
    if ordinary:
        step = ordinary[-1]
        key = step.code
        if step.repeat_days:
            key = f"{step.code}-{(days - step.offset_days) // step.repeat_days + 1}"
        current = (key, step)
    return current, [s for s in steps if s.escalation and s.offset_days <= days]


def _subject(item: DueItem, step: ReminderStep, days: int, role: str, person_name: str) -> str:
    who = "" if role == "person" else f" for {person_name}"
    due = item.due_date.isoformat()
    if step.escalation:
        text = f"Escalation: {item.label}{who} is {days} days overdue (due {due})"
    elif days < 0:
        text = f"Reminder: {item.label}{who} is due on {due}"
    elif days == 0:
        text = f"Due today: {item.label}{who}"
    else:
        text = f"Overdue: {item.label}{who} was due on {due}"
    return text[:200]


def _message_status(escalation: bool, pref: EmailPreference | None) -> str:
    if escalation or pref is None:
        return "pending"
    if pref.unsubscribed_at is not None:
        return "suppressed"
    return "held" if pref.delivery == "digest" else "pending"


def flag_and_queue(session: Session, today: date, sources: Iterable[Source] = DEFAULT_SOURCES) -> dict:
    """Open, update and close flags for every due item, and queue each reminder step once."""
    items = {i.item_key: i for source in sources for i in source(session, today)}
    plan = load_plan(session)
    open_flags = {r.item_key: r for r in session.execute(
        select(Flag.id, Flag.item_key, Flag.status, Flag.current_step, Flag.escalated_on)
        .where(Flag.closed_on.is_(None)))}
    new_rows, changed, to_send = [], [], []
    for key, item in items.items():
        days = (today - item.due_date).days
        current, escalations = steps_reached(plan.get(item.kind, []), days)
        step_key = current[0] if current else None
        escalated = today if escalations else None
        old = open_flags.get(key)
        if old is None:
            new_rows.append({"item_key": key, "kind": item.kind, "person_id": item.person_id,
                             "label": item.label, "due_date": item.due_date, "status": item.status,
                             "first_flagged_on": today, "current_step": step_key,
                             "escalated_on": escalated, "evaluation_id": item.evaluation_id})
        elif (old.status, old.current_step, bool(old.escalated_on)) != (item.status, step_key,
                                                                       bool(escalated)):
            changed.append({"fid": old.id, "status": item.status, "current_step": step_key,
                            "escalated_on": old.escalated_on or escalated})
        if current and (old is None or old.current_step != step_key):
            to_send.append((item, days, current[1], step_key))
        if escalations and (old is None or old.escalated_on is None):
            to_send.extend((item, days, s, s.code) for s in escalations)
    table = Flag.__table__
    opened = insert_ignoring_duplicates(session, table, new_rows, ["item_key"])
    reopen = [{"k": r["item_key"]} for r in new_rows]
    if reopen:  # a flag closed earlier whose item is due again (say a completion was removed)
        session.execute(table.update().where(table.c.item_key == bindparam("k"),
                                             table.c.closed_on.is_not(None))
                        .values(closed_on=None), reopen)
    if changed:
        session.execute(table.update().where(table.c.id == bindparam("fid"))
                        .values(status=bindparam("status"), current_step=bindparam("current_step"),
                                escalated_on=bindparam("escalated_on")), changed)
    closed = [{"fid": r.id, "k": k} for k, r in open_flags.items() if k not in items]
    if closed:
        session.execute(table.update().where(table.c.id == bindparam("fid")).values(closed_on=today),
                        closed)
        out = OutboxMessage.__table__
        session.execute(out.update().where(out.c.item_key == bindparam("k"),
                                           out.c.status.in_(("pending", "sending", "held")))
                        .values(status="cancelled"), closed)
    queued = queue_messages(session, today, to_send)
    return {"items": len(items), "flags_opened": len(opened), "flags_updated": len(changed),
            "flags_closed": len(closed), "messages_queued": queued}


def queue_messages(session: Session, today: date,
                   to_send: list[tuple[DueItem, int, ReminderStep, str]]) -> int:
    """Insert one outbox row per (item, step, recipient), ignoring any that already exist."""
    if not to_send:
        return 0
    recipients = resolve_recipients(session, {item.person_id for item, *_ in to_send},
                                    {item.evaluation_id for item, *_ in to_send} - {None}, today)
    prefs = {p.email: p for p in session.scalars(select(EmailPreference))}
    rows, seen = [], set()
    for item, days, step, step_key in to_send:
        person = recipients.people.get(item.person_id)
        if person is None:
            continue
        for role in step.recipient_list:
            for email in recipients.for_role(role, item.person_id, item.evaluation_id):
                email = email.lower()
                if (item.item_key, step_key, email) in seen:
                    continue
                seen.add((item.item_key, step_key, email))
                rows.append({
                    "item_key": item.item_key, "step": step_key, "recipient": email,
                    "recipient_role": role, "person_id": item.person_id,
                    "escalation": step.escalation,
                    "subject": _subject(item, step, days, role, person.name),
                    "context": {"person_name": person.name, "item_label": item.label,
                                "kind": item.kind, "due_date": item.due_date.isoformat(),
                                "days": days, "step_label": step.label, "role": role,
                                "path": f"/people/{item.person_id}"},
                    "status": _message_status(step.escalation, prefs.get(email)),
                    "attempts": 0,
                })
    return len(insert_ignoring_duplicates(session, OutboxMessage.__table__, rows,
                                          ["item_key", "step", "recipient"]))
