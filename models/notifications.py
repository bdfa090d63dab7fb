"""Reminders: the reminder plan, flags on overdue items, the email outbox and delivery attempts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.audit import Audited
from models.base import TimestampMixin, db, utcnow
from models.people import Person

FLAG_KINDS = {"training": "Training", "evaluation": "Evaluation"}
RECIPIENT_ROLES = {
    "person": "The person",
    "coordinator": "Training coordinators",
    "evaluator": "The evaluator",
    "principal": "The principal",
    "supervisor": "The agency supervisor",
    "hr": "HR staff",
}
# Outbox statuses: pending -> sending (claimed by one sender) -> sent | parked, or back to pending
# (temporary failure, or its sender died); held (waiting for the digest) -> in_digest;
# suppressed (recipient unsubscribed); skipped (no mail server configured: shown, never sent).
OUTBOX_STATUSES = {
    "pending": "Pending",
    "sending": "Being sent",
    "sent": "Sent",
    "parked": "Parked (needs an admin)",
    "held": "Held for the daily digest",
    "in_digest": "Sent in a digest",
    "suppressed": "Not sent (unsubscribed)",
    "skipped": "Not sent (no mail server)",
    "cancelled": "Not sent (item resolved)",
}
DELIVERY_CHOICES = {"single": "One email per reminder", "digest": "One daily digest"}


class ReminderStep(Audited, TimestampMixin, db.Model):
    """One step of the reminder plan: when (days from the due date), who, and how often."""

    __tablename__ = "reminder_steps"
    __table_args__ = (UniqueConstraint("kind", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # training | evaluation
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(120))
    # Days relative to the due date: -30 is thirty days before, 0 the day, 30 thirty days overdue.
    offset_days: Mapped[int] = mapped_column(Integer)
    repeat_days: Mapped[int | None] = mapped_column(Integer)  # e.g. 7: again every week after
    recipients: Mapped[str] = mapped_column(String(200), default="person")  # comma-separated roles
    escalation: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def recipient_list(self) -> list[str]:
        """Recipient roles as a list."""
        return [r for r in (self.recipients or "").split(",") if r]

    @property
    def when_label(self) -> str:
        """'30 days before', 'on the due date', 'every 7 days from 7 days overdue'."""
        d = self.offset_days
        when = "on the due date" if d == 0 else (f"{-d} days before" if d < 0 else f"{d} days overdue")
        return f"every {self.repeat_days} days from {when}" if self.repeat_days else when


class Flag(db.Model):
    """An item the daily job found due soon, overdue or expiring; closed once it is resolved."""

    __tablename__ = "flags"
    __table_args__ = (Index("ix_flags_open", "closed_on", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # e.g. "training:12:3:2026-11-01" (person, requirement, due date): a new deadline is a new flag.
    item_key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    first_flagged_on: Mapped[date] = mapped_column(Date)
    current_step: Mapped[str | None] = mapped_column(String(60))
    escalated_on: Mapped[date | None] = mapped_column(Date)
    evaluation_id: Mapped[int | None] = mapped_column(Integer)  # evaluations: the one under way, if any
    closed_on: Mapped[date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship()

    @property
    def is_open(self) -> bool:
        """Whether the item still needs attention."""
        return self.closed_on is None


class OutboxMessage(db.Model):
    """One reminder to one recipient; the unique (item, step, recipient) key makes it exactly once."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        UniqueConstraint("item_key", "step", "recipient"),
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_key: Mapped[str] = mapped_column(String(160))
    step: Mapped[str] = mapped_column(String(60))
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    recipient_role: Mapped[str] = mapped_column(String(20), default="person")
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    escalation: Mapped[bool] = mapped_column(Boolean, default=False)
    subject: Mapped[str] = mapped_column(String(200))
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id"), index=True)
    # While status is 'sending': which sender holds the row (host:pid), under which claim, until when.
    claim_token: Mapped[str | None] = mapped_column(String(36))
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    claim_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    attempt_log: Mapped[list[DeliveryAttempt]] = relationship(
        back_populates="message", order_by="DeliveryAttempt.id", cascade="all, delete-orphan"
    )

    @property
    def status_label(self) -> str:
        """Readable status."""
        return OUTBOX_STATUSES.get(self.status, self.status)

    @property
    def optional(self) -> bool:
        """Whether the recipient may unsubscribe from this kind of message (never escalations)."""
        return not self.escalation


class DeliveryAttempt(db.Model):
    """One try at handing a message to the mail server, and what the server said."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    outcome: Mapped[str] = mapped_column(String(20))  # sent | temporary | permanent | interrupted
    code: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(Text)

    message: Mapped[OutboxMessage] = relationship(back_populates="attempt_log")


class EmailPreference(Audited, TimestampMixin, db.Model):
    """How an address wants reminders: one by one or in a daily digest; unsubscribed from optional ones."""

    __tablename__ = "email_preferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    delivery: Mapped[str] = mapped_column(String(10), default="single")
    unsubscribed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
