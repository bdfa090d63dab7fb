"""Admins edit the reminder plan: each step's timing, recipients and whether it escalates."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from models.errors import ValidationFailed
from models.notifications import RECIPIENT_ROLES, ReminderStep


def _int(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def update_step(session: Session, step: ReminderStep, data: dict[str, Any]) -> ReminderStep:
    """Change a reminder step, listing every problem at once."""
    problems: list[tuple[str | None, str]] = []
    label = (data.get("label") or "").strip()
    if not label:
        problems.append(("label", "Give the step a name people will recognise."))
    offset = _int(data.get("offset_days"))
    if offset is None or not -365 <= offset <= 365:
        problems.append(("offset_days", "Days from the due date must be a whole number from -365 to 365 "
                                        "(negative means before the due date)."))
    repeat = _int(data.get("repeat_days"))
    if data.get("repeat_days") not in (None, "") and (repeat is None or not 1 <= repeat <= 90):
        problems.append(("repeat_days", "Repeat every must be a whole number of days from 1 to 90, "
                                        "or empty for a one-time reminder."))
    recipients = [r for r in (data.get("recipients") or [])]
    unknown = [r for r in recipients if r not in RECIPIENT_ROLES]
    if not recipients or unknown:
        problems.append(("recipients", "Choose at least one recipient from the list."))
    escalation = bool(data.get("escalation"))
    if escalation and offset is not None and offset <= 0:
        problems.append(("offset_days", "An escalation must come after the due date (a positive number)."))
    if problems:
        raise ValidationFailed(problems)
    step.label, step.offset_days, step.repeat_days = label, offset, repeat
    step.recipients = ",".join(r for r in RECIPIENT_ROLES if r in recipients)
    step.escalation, step.active = escalation, bool(data.get("active"))
    session.flush()
    return step
