"""Reminders: the latest step of each flagged item, queued once per (item, step, recipient).

Flags themselves follow the engines (models/services/reminders/flags.py); this module is the one place that
queues reminders, run by the daily `flag-overdue` job.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from models.notifications import EmailPreference, Flag, OutboxMessage, ReminderStep
from models.scoping import Scope
from models.services.infra.upserts import insert_ignoring_duplicates
from models.services.reminders.flags import DueItem, Source, sync_flags
from models.services.reminders.flags import evaluation_items as evaluation_items_from
from models.services.reminders.flags import training_items as training_items_from
from models.services.reminders.recipients import resolve_recipients
from models.services.stores.reads import compliance_source, evaluation_due_source


def training_items(session: Session, today: date) -> list[DueItem]:
    """Training that is due soon, overdue or expired, from the Step 4 compliance engine (or its store)."""
    return training_items_from(session, compliance_source(session, Scope.everyone(today)))


def evaluation_items(session: Session, today: date) -> list[DueItem]:
    """Evaluations that are due or overdue, from the Step 5 due-date engine (or its store)."""
    return evaluation_items_from(session, evaluation_due_source(session, Scope.everyone(today)))


DEFAULT_SOURCES: tuple[Source, ...] = (training_items, evaluation_items)


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
    """Bring every flag in line with the engines, then queue each flag's newly reached reminder step once."""
    items = {i.item_key: i for source in sources for i in source(session, today)}
    synced = sync_flags(session, today, items.values())
    plan = load_plan(session)
    flags = {r.item_key: r for r in session.execute(
        select(Flag.id, Flag.item_key, Flag.current_step, Flag.escalated_on).where(Flag.closed_on.is_(None)))}
    moved, to_send = [], []
    for key, item in items.items():
        flag = flags[key]
        days = (today - item.due_date).days
        current, escalations = steps_reached(plan.get(item.kind, []), days)
        step_key = current[0] if current else None
        escalate = bool(escalations) and flag.escalated_on is None
        if step_key != flag.current_step or escalate:
            moved.append({"fid": flag.id, "current_step": step_key,
                          "escalated_on": today if escalate else flag.escalated_on})
        if current and step_key != flag.current_step:
            to_send.append((item, days, current[1], step_key))
        if escalate:
            to_send.extend((item, days, s, s.code) for s in escalations)
    if moved:
        table = Flag.__table__
        session.execute(update(table).where(table.c.id == bindparam("fid"))
                        .values(current_step=bindparam("current_step"),
                                escalated_on=bindparam("escalated_on")), moved)
    queued = queue_messages(session, today, to_send)
    return {"items": len(items), "flags_opened": synced["opened"], "flags_updated": synced["updated"],
            "flags_closed": synced["closed"], "steps_reached": len(moved), "messages_queued": queued}


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
