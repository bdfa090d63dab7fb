"""Step 3, recruit and hire: selection criteria, vacancies, candidates, screening and background checks."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.audit import Audited
from models.base import TimestampMixin, db, utcnow
from models.hiring_panel import SEATS, Decision, PanelMember, Score
from models.org import Agency, School
from models.people import ROLES, Person

CRITERION_KINDS = {"hard": "Hard requirement (must be met)", "preference": "Preference (scored)"}
VACANCY_STATUSES = {"open": "Open", "filled": "Filled", "cancelled": "Cancelled"}
STAGES = {
    "applied": "Applied",
    "screened": "Screened",
    "interviewed": "Interviewed",
    "recommended": "Recommended",
    "appointed": "Appointed",
    "withdrawn": "Withdrawn",
    "not_selected": "Not selected",
}
OPEN_STAGES = ("applied", "screened", "interviewed", "recommended")
SCREENING_STATUSES = {"pending": "Pending", "met": "Met", "not_met": "Not met"}
BACKGROUND_CHECKS = {
    "criminal_history": "Criminal history",
    "drug_test": "Drug test",
    "psychological": "Psychological evaluation",
    "internal_affairs": "Internal-affairs review",
    "juvenile_complaints": "Juvenile-complaint review",
}
BACKGROUND_RESULTS = {"pending": "Pending", "cleared": "Cleared", "not_cleared": "Not cleared"}
vacancy_schools = Table(
    "vacancy_schools",
    db.Model.metadata,
    Column("vacancy_id", ForeignKey("vacancies.id", ondelete="CASCADE"), primary_key=True),
    Column("school_id", ForeignKey("schools.id"), primary_key=True, index=True),
)


class SelectionCriterion(Audited, TimestampMixin, db.Model):
    """A criterion in force for a role: a hard requirement or a weighted preference."""

    __tablename__ = "selection_criteria"
    __table_args__ = (
        CheckConstraint("kind IN ('hard', 'preference')", name="kind_known"),
        CheckConstraint("weight >= 0", name="weight_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(30), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(12))
    weight: Mapped[int] = mapped_column(Integer, default=1)
    # Background-type requirement: its evidence is shown to HR and admins only.
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def kind_label(self) -> str:
        """Readable kind."""
        return CRITERION_KINDS.get(self.kind, self.kind)

    @property
    def role_label(self) -> str:
        """Readable role."""
        return ROLES.get(self.role, self.role)


class Vacancy(Audited, TimestampMixin, db.Model):
    """A post to fill: role, school(s), agency for SRO posts, dates and status."""

    __tablename__ = "vacancies"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'filled', 'cancelled')", name="status_known"),
        CheckConstraint("closed_on IS NULL OR closed_on >= opened_on", name="closed_after_opened"),
    )
    __audit_collections__ = ("schools",)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(30), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    job_description: Mapped[str | None] = mapped_column(Text)
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)
    scoring_finalized_on: Mapped[date | None] = mapped_column(Date)

    agency: Mapped[Agency | None] = relationship()
    schools: Mapped[list[School]] = relationship(secondary=vacancy_schools, order_by="School.name")
    criteria: Mapped[list[VacancyCriterion]] = relationship(
        back_populates="vacancy", order_by="VacancyCriterion.position, VacancyCriterion.id",
        cascade="all, delete-orphan")
    candidates: Mapped[list[Candidate]] = relationship(
        back_populates="vacancy", order_by="Candidate.last_name, Candidate.first_name",
        cascade="all, delete-orphan")
    panel: Mapped[list[PanelMember]] = relationship(
        back_populates="vacancy", order_by="PanelMember.id", cascade="all, delete-orphan")

    @property
    def role_label(self) -> str:
        """Readable role."""
        return ROLES.get(self.role, self.role)

    @property
    def status_label(self) -> str:
        """Readable status."""
        return VACANCY_STATUSES.get(self.status, self.status)

    @property
    def hard_criteria(self) -> list[VacancyCriterion]:
        """The vacancy's hard requirements, in order."""
        return [c for c in self.criteria if c.kind == "hard"]

    @property
    def preference_criteria(self) -> list[VacancyCriterion]:
        """The vacancy's scored preferences, in order."""
        return [c for c in self.criteria if c.kind == "preference"]


class VacancyCriterion(db.Model):
    """A copy of a criterion as it stood when the vacancy opened (later edits leave it alone)."""

    __tablename__ = "vacancy_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("selection_criteria.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(12))
    weight: Mapped[int] = mapped_column(Integer, default=1)
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)

    vacancy: Mapped[Vacancy] = relationship(back_populates="criteria")


class Candidate(Audited, TimestampMixin, db.Model):
    """Someone who applied for a vacancy: an existing person or a newcomer."""

    __tablename__ = "candidates"
    __table_args__ = (
        CheckConstraint("years_of_service IS NULL OR years_of_service >= 0", name="years_not_negative"),
        UniqueConstraint("vacancy_id", "email", name="uq_candidates_vacancy_email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"),
                                                  index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    licence_number: Mapped[str | None] = mapped_column(String(50))
    current_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    years_of_service: Mapped[int | None] = mapped_column(Integer)
    volunteered: Mapped[bool] = mapped_column(Boolean, default=False)
    stage: Mapped[str] = mapped_column(String(20), default="applied", index=True)

    vacancy: Mapped[Vacancy] = relationship(back_populates="candidates")
    person: Mapped[Person | None] = relationship()
    current_agency: Mapped[Agency | None] = relationship()
    transitions: Mapped[list[StageTransition]] = relationship(
        back_populates="candidate", order_by="StageTransition.id", cascade="all, delete-orphan")
    screening: Mapped[list[ScreeningResult]] = relationship(
        back_populates="candidate", cascade="all, delete-orphan")
    background: Mapped[list[BackgroundCheck]] = relationship(
        back_populates="candidate", cascade="all, delete-orphan")
    decision: Mapped[Decision | None] = relationship(back_populates="candidate",
                                                     cascade="all, delete-orphan")

    @property
    def full_name(self) -> str:
        """First and last name."""
        return f"{self.first_name} {self.last_name}"

    @property
    def stage_label(self) -> str:
        """Readable stage."""
        return STAGES.get(self.stage, self.stage)

    @property
    def is_open(self) -> bool:
        """Whether the candidate is still in the running."""
        return self.stage in OPEN_STAGES


class StageTransition(db.Model):
    """One move of a candidate between stages: who, when and why (append-only)."""

    __tablename__ = "candidate_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"),
                                              index=True)
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(254), default="system")
    reason: Mapped[str | None] = mapped_column(Text)

    candidate: Mapped[Candidate] = relationship(back_populates="transitions")

    @property
    def to_label(self) -> str:
        """Readable stage reached."""
        return STAGES.get(self.to_stage, self.to_stage)

    @property
    def from_label(self) -> str:
        """Readable stage left ('—' for the application itself)."""
        return STAGES.get(self.from_stage, "—") if self.from_stage else "—"


class ScreeningResult(Audited, TimestampMixin, db.Model):
    """Whether a candidate meets one hard requirement, with the evidence."""

    __tablename__ = "screening_results"
    __table_args__ = (
        UniqueConstraint("candidate_id", "criterion_id", name="uq_screening_results_candidate_criterion"),
        CheckConstraint("status IN ('pending', 'met', 'not_met')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"),
                                              index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("vacancy_criteria.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    evidence: Mapped[str | None] = mapped_column(Text)

    candidate: Mapped[Candidate] = relationship(back_populates="screening")
    criterion: Mapped[VacancyCriterion] = relationship()


class BackgroundCheck(Audited, TimestampMixin, db.Model):
    """One background result; its detail is for HR and admins only."""

    __tablename__ = "background_checks"
    __table_args__ = (
        UniqueConstraint("candidate_id", "check_type", name="uq_background_checks_candidate_type"),
        CheckConstraint("result IN ('pending', 'cleared', 'not_cleared')", name="result_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"),
                                              index=True)
    check_type: Mapped[str] = mapped_column(String(30))
    result: Mapped[str] = mapped_column(String(12), default="pending")
    detail: Mapped[str | None] = mapped_column(Text)
    checked_on: Mapped[date | None] = mapped_column(Date)

    candidate: Mapped[Candidate] = relationship(back_populates="background")

    @property
    def type_label(self) -> str:
        """Readable check name."""
        return BACKGROUND_CHECKS.get(self.check_type, self.check_type)


__all__ = ["SEATS", "Decision", "PanelMember", "Score"]  # re-exported: panel, scores and decisions
