"""People (personnel records) and their assignments to schools."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.audit import Audited
from models.base import TimestampMixin, db
from models.org import Agency, School

# Person types and assignment roles share one vocabulary (domain reference §2).
PERSON_TYPES = {
    "sro": "School resource officer",
    "sro_supervisor": "SRO supervisor",
    "principal": "Principal",
    "assistant_principal": "Assistant principal",
    "counselor": "Counselor",
    "teacher": "Teacher",
    "security_officer": "School security officer",
    "staff": "Other school staff",
}
ROLES = PERSON_TYPES
EMPLOYERS = {"district": "The district", "agency": "A police agency"}

assignment_schools = Table(
    "assignment_schools",
    db.Model.metadata,
    Column("assignment_id", ForeignKey("assignments.id", ondelete="CASCADE"), primary_key=True),
    Column("school_id", ForeignKey("schools.id"), primary_key=True, index=True),
)


class Person(Audited, TimestampMixin, db.Model):
    """A personnel record: an SRO, a principal, a teacher, and so on."""

    __tablename__ = "people"
    __table_args__ = (
        CheckConstraint(
            "(employer = 'agency' AND agency_id IS NOT NULL)"
            " OR (employer = 'district' AND agency_id IS NULL)",
            name="employer_matches_agency",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    person_type: Mapped[str] = mapped_column(String(30), index=True)
    employer: Mapped[str] = mapped_column(String(10), default="district")
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    licence_number: Mapped[str | None] = mapped_column(String(50), unique=True)

    agency: Mapped[Agency | None] = relationship()
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="person",
        order_by="Assignment.start_date.desc()",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def full_name(self) -> str:
        """First and last name."""
        return f"{self.first_name} {self.last_name}"

    @property
    def type_label(self) -> str:
        """Readable person type."""
        return PERSON_TYPES.get(self.person_type, self.person_type)

    @property
    def employer_label(self) -> str:
        """Readable employer: the agency's name or 'the district'."""
        return self.agency.name if self.agency else "District"

    def __str__(self) -> str:
        return self.full_name


class Assignment(Audited, TimestampMixin, db.Model):
    """A person placed in a role at one or more schools between two dates."""

    __tablename__ = "assignments"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
        Index("ix_assignments_role_dates", "role", "start_date", "end_date"),
    )
    __audit_collections__ = ("schools",)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    # Why an SRO was placed before their before-assignment training was complete (audited).
    placement_exception_reason: Mapped[str | None] = mapped_column(Text)

    person: Mapped[Person] = relationship(back_populates="assignments")
    schools: Mapped[list[School]] = relationship(
        secondary=assignment_schools, order_by="School.name"
    )

    @property
    def role_label(self) -> str:
        """Readable role."""
        return ROLES.get(self.role, self.role)

    def is_active(self, today: date) -> bool:
        """Whether the assignment covers `today`."""
        return self.start_date <= today and (self.end_date is None or self.end_date >= today)
