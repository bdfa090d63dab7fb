"""Training: the course catalog, requirements per role, completions, certificates, waivers, state presets."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    inspect,
    true,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.audit import Audited
from models.base import TimestampMixin, db, utcnow
from models.errors import DomainError
from models.people import Person

DUE_RULES = {
    "before_start": "Before the assignment starts",
    "within_days": "Within N days of the assignment start",
    "fixed_date": "By a fixed date",
}
# State presets a district can switch on (domain reference §4); None = the national set.
PRESETS = {"TX": "Texas", "IL": "Illinois", "OH": "Ohio", "NC": "North Carolina"}
DEFAULT_DUE_SOON_DAYS = 30
MAX_HOURS = 200  # the most hours one completion (or a course) records
MUTABLE_COMPLETION_FIELDS = {"verified_by_user_id", "verified_at"}

# Completing `equivalent_course_id` satisfies any requirement for `course_id`.
course_equivalents = Table(
    "course_equivalents",
    db.Model.metadata,
    Column("course_id", ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True),
    Column("equivalent_course_id", ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True),
)



class Course(Audited, TimestampMixin, db.Model):
    """A course in the catalog."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    provider: Mapped[str | None] = mapped_column(String(200))
    hours: Mapped[float] = mapped_column(Float, default=0)
    topics: Mapped[str | None] = mapped_column(Text)
    issues_certificate: Mapped[bool] = mapped_column(Boolean, default=True)
    # Retired courses keep their history and requirements but are no longer offered for new records.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    equivalents: Mapped[list[Course]] = relationship(
        secondary=course_equivalents,
        primaryjoin=lambda: Course.id == course_equivalents.c.course_id,
        secondaryjoin=lambda: Course.id == course_equivalents.c.equivalent_course_id,
        order_by="Course.code",
    )

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Requirement(Audited, TimestampMixin, db.Model):
    """A course (or an equivalent) required for some roles, with a due rule and a renewal interval."""

    __tablename__ = "requirements"
    __table_args__ = (
        CheckConstraint("due_rule IN ('before_start', 'within_days', 'fixed_date')", name="due_rule"),
        CheckConstraint("due_rule != 'within_days' OR due_days IS NOT NULL", name="days_given"),
        CheckConstraint("due_rule != 'fixed_date' OR fixed_due_date IS NOT NULL", name="date_given"),
        CheckConstraint("renewal_months IS NULL OR renewal_months > 0", name="renewal_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    due_rule: Mapped[str] = mapped_column(String(20))
    due_days: Mapped[int | None] = mapped_column(Integer)
    fixed_due_date: Mapped[date | None] = mapped_column(Date)
    renewal_months: Mapped[int | None] = mapped_column(Integer)  # None = one-time
    grandfather_date: Mapped[date | None] = mapped_column(Date)
    due_soon_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_DUE_SOON_DAYS)
    # A renewal's window opens this many days before the expiry ("renewal opens"); None: no window.
    recert_window_days: Mapped[int | None] = mapped_column(Integer)
    preset: Mapped[str | None] = mapped_column(String(2))  # None = national; else a PRESETS key
    note: Mapped[str | None] = mapped_column(Text)

    course: Mapped[Course] = relationship()
    role_links: Mapped[list[RequirementRole]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="RequirementRole.role")

    @property
    def roles(self) -> list[str]:
        """Roles this requirement applies to."""
        return [link.role for link in self.role_links]

    def describe_due(self) -> str:
        """The due rule in words."""
        if self.due_rule == "before_start":
            return "before the assignment starts"
        if self.due_rule == "within_days":
            return f"within {self.due_days} days of the assignment start"
        return f"by {self.fixed_due_date.isoformat() if self.fixed_due_date else '?'}"

    def describe_renewal(self) -> str:
        """The renewal interval in words."""
        return f"every {self.renewal_months} months" if self.renewal_months else "once"


class RequirementRole(db.Model):
    """One role a requirement applies to."""

    __tablename__ = "requirement_roles"
    __table_args__ = (Index("ix_requirement_roles_role", "role", "requirement_id"),)

    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirements.id", ondelete="CASCADE"),
                                                primary_key=True)
    role: Mapped[str] = mapped_column(String(30), primary_key=True)


class DistrictPreset(TimestampMixin, db.Model):
    """A state preset a district has switched on: its requirements then apply too."""

    __tablename__ = "district_presets"

    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"),
                                             primary_key=True)
    preset: Mapped[str] = mapped_column(String(2), primary_key=True)


class Completion(Audited, db.Model):
    """One completed course for one person: append-only (a renewal adds a row)."""

    __tablename__ = "completions"
    __table_args__ = (
        # The import's dedupe key; its index is also the engine's lookup path (person, course, date).
        UniqueConstraint("person_id", "course_id", "completed_on", name="uq_completions_key"),
        UniqueConstraint("source", "external_id", name="uq_completions_source_external_id"),
        CheckConstraint("hours IS NULL OR (hours >= 0 AND hours <= 200)", name="hours_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    completed_on: Mapped[date] = mapped_column(Date)
    hours: Mapped[float | None] = mapped_column(Float)
    certificate_number: Mapped[str | None] = mapped_column(String(100))
    certificate_file: Mapped[str | None] = mapped_column(String(80))  # random name under UPLOAD_DIR
    certificate_name: Mapped[str | None] = mapped_column(String(255))  # the uploader's file name
    certificate_type: Mapped[str | None] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(20), default="form")
    external_id: Mapped[str | None] = mapped_column(String(100))  # the sending system's id (API)
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verified_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    person: Mapped[Person] = relationship()
    course: Mapped[Course] = relationship()
    verified_by = relationship("User", foreign_keys=[verified_by_user_id])


class Waiver(Audited, TimestampMixin, db.Model):
    """A requirement waived for one person, with who granted it and why."""

    __tablename__ = "waivers"
    __table_args__ = (UniqueConstraint("person_id", "requirement_id", name="uq_waivers_person_req"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirements.id", ondelete="CASCADE"),
                                                index=True)
    granted_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_by_label: Mapped[str] = mapped_column(String(254))
    granted_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)

    person: Mapped[Person] = relationship()
    requirement: Mapped[Requirement] = relationship()


@event.listens_for(Session, "before_flush")
def _completions_are_append_only(session, flush_context, instances) -> None:
    """Completions are history: never deleted, and only verification may change on one."""
    for obj in session.deleted:
        if isinstance(obj, Completion):
            raise DomainError("Completion records are permanent; record a correction as a new completion.")
    for obj in session.dirty:
        if isinstance(obj, Completion) and session.is_modified(obj):
            state = inspect(obj)
            changed = {a.key for a in state.mapper.column_attrs if state.attrs[a.key].history.has_changes()}
            if changed - MUTABLE_COMPLETION_FIELDS:
                raise DomainError("Completion records cannot be edited; add a new completion instead.")
