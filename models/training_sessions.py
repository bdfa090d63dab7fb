"""Training sessions: a scheduled class of a course, the people enrolled in it and whether they attended."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.audit import Audited
from models.base import TimestampMixin, db
from models.people import Person
from models.training import Completion, Course

SESSION_STATUSES = {"scheduled": "Scheduled", "cancelled": "Cancelled", "closed": "Closed"}
MAX_CAPACITY = 500


class TrainingSession(Audited, TimestampMixin, db.Model):
    """One scheduled class of a course: when, where (a room or an online link), who teaches, how many."""

    __tablename__ = "training_sessions"
    __table_args__ = (
        CheckConstraint("status IN ('scheduled', 'cancelled', 'closed')", name="status"),
        CheckConstraint(f"capacity > 0 AND capacity <= {MAX_CAPACITY}", name="capacity_range"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("hours IS NULL OR (hours > 0 AND hours <= 200)", name="hours_range"),
        Index("ix_training_sessions_course_day", "course_id", "held_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    # Wall-clock times in the district's time zone (the invitation converts them to UTC).
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)
    location: Mapped[str | None] = mapped_column(String(300))
    online_url: Mapped[str | None] = mapped_column(String(500))
    instructor: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int] = mapped_column(Integer)
    hours: Mapped[float | None] = mapped_column(Float)  # None: the course's hours
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    course: Mapped[Course] = relationship()

    @property
    def status_label(self) -> str:
        """Readable status."""
        return SESSION_STATUSES.get(self.status, self.status)

    @property
    def credit_hours(self) -> float:
        """The hours each attendee's completion records."""
        return self.hours if self.hours is not None else self.course.hours

    @property
    def place(self) -> str:
        """Where it is held, in words: the location, the online link, or both."""
        return " / ".join(p for p in (self.location, self.online_url) if p)

    def __str__(self) -> str:
        return f"{self.course.code} on {self.held_on.isoformat()}"


class Enrolment(Audited, db.Model):
    """One person's seat in a session; attendance is marked on the check-off page."""

    __tablename__ = "session_enrolments"
    __table_args__ = (UniqueConstraint("session_id", "person_id", name="uq_session_enrolments_seat"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    enrolled_on: Mapped[date] = mapped_column(Date)
    enrolled_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    attended: Mapped[bool | None] = mapped_column(Boolean)  # None: not marked yet
    certificate_number: Mapped[str | None] = mapped_column(String(100))
    completion_id: Mapped[int | None] = mapped_column(ForeignKey("completions.id", ondelete="SET NULL"))

    session: Mapped[TrainingSession] = relationship()
    person: Mapped[Person] = relationship()
    completion: Mapped[Completion | None] = relationship()
