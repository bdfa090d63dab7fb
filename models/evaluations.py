"""Evaluations (Step 5): versioned templates, cycle rules, signed evaluations, amendments, recognition."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import User
from models.audit import Audited
from models.base import TimestampMixin, db, utcnow
from models.org import School
from models.people import Assignment, Person

AUDIENCES = {"sro": "School resource officers", "school_personnel": "School personnel"}
# Rating 0 means "not observed" and is left out of the weighted overall; None means "not rated yet".
NOT_OBSERVED = 0
DEFAULT_SCALE = [
    {"value": 4, "label": "Exemplary"},
    {"value": 3, "label": "Proficient"},
    {"value": 2, "label": "Needs improvement"},
    {"value": 1, "label": "Unsatisfactory"},
]
COMMENT_REQUIRED_AT_OR_BELOW = 2
EVALUATION_STATUSES = {
    "draft": "Draft",
    "submitted": "Awaiting agency supervisor's signature",
    "signed": "Awaiting acknowledgement",
    "final": "Final",
}
SIGNATURE_ROLES = {"principal": "Principal", "supervisor": "Agency supervisor", "person": "Evaluated person"}
RECOGNITION_KINDS = {
    "commendation": "Commendation",
    "district_award": "District award",
    "nomination": "Nomination",
}


class EvaluationTemplate(Audited, TimestampMixin, db.Model):
    """One version of an evaluation form for an audience; editing makes a new version."""

    __tablename__ = "evaluation_templates"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), index=True)  # the same for every version
    version: Mapped[int] = mapped_column(Integer, default=1)
    audience: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    scale: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=lambda: list(DEFAULT_SCALE))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)

    criteria: Mapped[list[TemplateCriterion]] = relationship(
        back_populates="template", order_by="TemplateCriterion.position",
        cascade="all, delete-orphan")

    @property
    def audience_label(self) -> str:
        """Readable audience."""
        return AUDIENCES.get(self.audience, self.audience)

    def scale_label(self, value: int | None) -> str:
        """Label of a rating value on this template's scale."""
        if value is None:
            return "Not rated"
        if value == NOT_OBSERVED:
            return "Not observed"
        for level in self.scale:
            if level["value"] == value:
                return f"{value} – {level['label']}"
        return str(value)

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"


class TemplateCriterion(Audited, db.Model):
    """A criterion of a template version, with its guidance and weight."""

    __tablename__ = "evaluation_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_templates.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    guidance: Mapped[str | None] = mapped_column(Text)
    weight: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal("1"))
    # "training_compliance": the form shows the Step 4 snapshot beside this criterion.
    source: Mapped[str | None] = mapped_column(String(40))

    template: Mapped[EvaluationTemplate] = relationship(back_populates="criteria")


class CycleRule(Audited, TimestampMixin, db.Model):
    """How often an audience is evaluated: annual at the school year's end, plus a first review."""

    __tablename__ = "evaluation_cycle_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    audience: Mapped[str] = mapped_column(String(20), unique=True)
    annual: Mapped[bool] = mapped_column(Boolean, default=True)
    first_review_days: Mapped[int | None] = mapped_column(Integer, default=90)


class Evaluation(Audited, TimestampMixin, db.Model):
    """One person's evaluation for one cycle, from draft to final (then locked)."""

    __tablename__ = "evaluations"
    __table_args__ = (
        Index("ix_evaluations_person_cycle", "person_id", "cycle"),
        CheckConstraint("status IN ('draft', 'submitted', 'signed', 'final')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignments.id", ondelete="SET NULL"), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("evaluation_templates.id"), index=True)
    audience: Mapped[str] = mapped_column(String(20))
    cycle: Mapped[str] = mapped_column(String(20))  # "first-review" or "2026-2027"
    due_date: Mapped[date | None] = mapped_column(Date)
    evaluator_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    goals: Mapped[str | None] = mapped_column(Text)
    progress: Mapped[str | None] = mapped_column(Text)
    strengths: Mapped[str | None] = mapped_column(Text)
    growth_areas: Mapped[str | None] = mapped_column(Text)
    overall_score: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    compliance_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    person_response: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finalized_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    # The service sets version_id itself (old + 1) so every save is a checked UPDATE.
    __mapper_args__ = {"version_id_col": version_id, "version_id_generator": False}

    person: Mapped[Person] = relationship()
    assignment: Mapped[Assignment | None] = relationship()
    template: Mapped[EvaluationTemplate] = relationship()
    evaluator: Mapped[User | None] = relationship()
    ratings: Mapped[list[EvaluationRating]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", order_by="EvaluationRating.position")
    signatures: Mapped[list[EvaluationSignature]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", order_by="EvaluationSignature.signed_at")
    amendments: Mapped[list[EvaluationAmendment]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", order_by="EvaluationAmendment.id")

    @property
    def status_label(self) -> str:
        """Readable status."""
        return EVALUATION_STATUSES.get(self.status, self.status)

    @property
    def is_locked(self) -> bool:
        """Whether the evaluation is final (changes only by amendment)."""
        return self.status == "final"

    @property
    def cycle_label(self) -> str:
        """Readable cycle."""
        return "First review" if self.cycle == "first-review" else f"School year {self.cycle}"

    def signature(self, role: str) -> EvaluationSignature | None:
        """The signature given in `role`, if any."""
        return next((s for s in self.signatures if s.role == role), None)

    @property
    def required_signatures(self) -> tuple[str, ...]:
        """Signatures needed before the person can acknowledge."""
        return ("principal", "supervisor") if self.audience == "sro" else ("principal",)

    @property
    def missing_signatures(self) -> list[str]:
        """Required signature roles not yet given."""
        return [r for r in self.required_signatures if self.signature(r) is None]


class EvaluationRating(Audited, db.Model):
    """The rating and comment for one criterion of one evaluation."""

    __tablename__ = "evaluation_ratings"
    __table_args__ = (UniqueConstraint("evaluation_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("evaluation_criteria.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    rating: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)

    evaluation: Mapped[Evaluation] = relationship(back_populates="ratings")
    criterion: Mapped[TemplateCriterion] = relationship()


class EvaluationSignature(Audited, db.Model):
    """Who signed an evaluation in which capacity, and when."""

    __tablename__ = "evaluation_signatures"
    __table_args__ = (UniqueConstraint("evaluation_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    signer_name: Mapped[str] = mapped_column(String(254))
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    evaluation: Mapped[Evaluation] = relationship(back_populates="signatures")

    @property
    def role_label(self) -> str:
        """Readable signing capacity."""
        return SIGNATURE_ROLES.get(self.role, self.role)


class EvaluationAmendment(Audited, db.Model):
    """A correction attached to a final evaluation (the evaluation itself never changes)."""

    __tablename__ = "evaluation_amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    body: Mapped[str] = mapped_column(Text)

    evaluation: Mapped[Evaluation] = relationship(back_populates="amendments")


class Recognition(Audited, TimestampMixin, db.Model):
    """A commendation, district award or nomination, optionally earned through an evaluation."""

    __tablename__ = "recognitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    awarded_on: Mapped[date] = mapped_column(Date)
    approved_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_by_name: Mapped[str] = mapped_column(String(254))
    evaluation_id: Mapped[int | None] = mapped_column(
        ForeignKey("evaluations.id", ondelete="SET NULL"), index=True)

    person: Mapped[Person] = relationship()
    school: Mapped[School | None] = relationship()
    evaluation: Mapped[Evaluation | None] = relationship()

    @property
    def kind_label(self) -> str:
        """Readable kind."""
        return RECOGNITION_KINDS.get(self.kind, self.kind)
