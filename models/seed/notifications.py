"""The default reminder plan (domain reference §6); admins edit it afterwards as data."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.notifications import ReminderStep

# (code, label, offset_days, repeat_days, recipients, escalation)
_COMMON = [
    ("before-30", "30 days before the due date", -30, None, "person", False),
    ("before-14", "14 days before the due date", -14, None, "person", False),
    ("before-7", "7 days before the due date", -7, None, "person", False),
    ("due-today", "On the due date", 0, None, "person", False),
]
DEFAULT_PLAN = {
    "training": _COMMON + [
        ("overdue", "Overdue (weekly)", 7, 7, "person,coordinator,principal,supervisor", False),
        ("escalation", "Escalation to HR after 30 days overdue", 30, None, "hr", True),
    ],
    "evaluation": _COMMON + [
        ("overdue", "Overdue (weekly)", 7, 7, "person,evaluator,principal,supervisor", False),
        ("escalation", "Escalation to HR after 30 days overdue", 30, None, "hr", True),
    ],
}


def ensure_default_plan(session: Session) -> bool:
    """Add the default plan when no step exists at all; False if a plan is already there."""
    if session.scalar(select(func.count(ReminderStep.id))):
        return False
    for kind, steps in DEFAULT_PLAN.items():
        for code, label, offset, repeat, recipients, escalation in steps:
            session.add(ReminderStep(kind=kind, code=code, label=label, offset_days=offset,
                                     repeat_days=repeat, recipients=recipients,
                                     escalation=escalation, active=True))
    session.flush()
    return True


def seed_reminder_plan(session: Session, today: date) -> bool:
    """Demo seed step: the default reminder plan (idempotent)."""
    return ensure_default_plan(session)
