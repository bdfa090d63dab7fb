"""Reporting data: outcome counts per school and term, the SECURe self-assessment, compliance snapshots."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.audit import Audited
from models.base import TimestampMixin, db
from models.org import School

# The rubric's outcome measures and the federal Civil Rights Data Collection's dimensions.
OUTCOME_MEASURES = {
    "referral": "Referrals to law enforcement",
    "arrest": "School-related arrests",
    "citation": "Citations",
    "use_of_force": "Uses of force",
}
OUTCOME_DIMENSIONS = {
    "race_ethnicity": ("Race/ethnicity", {
        "hispanic": "Hispanic or Latino",
        "american_indian": "American Indian or Alaska Native",
        "asian": "Asian",
        "pacific_islander": "Native Hawaiian or Other Pacific Islander",
        "black": "Black or African American",
        "white": "White",
        "two_or_more": "Two or more races",
    }),
    "sex": ("Sex", {"female": "Female", "male": "Male", "nonbinary": "Nonbinary"}),
    "disability": ("Disability", {
        "idea": "Students with disabilities (IDEA)",
        "section_504": "Students with disabilities (Section 504 only)",
        "none": "Students without disabilities",
    }),
    "english_learner": ("English learner status", {
        "el": "English learners", "not_el": "Not English learners",
    }),
}

SELF_ASSESSMENT_STATUSES = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "met": "Met",
    "not_applicable": "Not applicable",
}
CHECKLISTS = {"start": "Checklist to Start", "improve": "Checklist to Improve"}
STEPS = {
    3: "Step 3: Recruit and hire effective SROs and school personnel",
    4: "Step 4: Keep SROs and school personnel well trained",
    5: "Step 5: Continually evaluate SROs and school personnel, and recognize good performance",
}


class OutcomeCount(Audited, TimestampMixin, db.Model):
    """One aggregate count: e.g. 12 arrests of Hispanic students at a school in a term. Never a student."""

    __tablename__ = "outcome_counts"
    __table_args__ = (
        UniqueConstraint("school_id", "term", "measure", "dimension", "category",
                         name="uq_outcome_counts_cell"),
        CheckConstraint("count >= 0", name="count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    term: Mapped[str] = mapped_column(String(30), index=True)
    measure: Mapped[str] = mapped_column(String(20))
    dimension: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(30))
    count: Mapped[int] = mapped_column(Integer)

    school: Mapped[School] = relationship()


class SelfAssessmentItem(Audited, TimestampMixin, db.Model):
    """A checklist item of the SECURe rubric, with the district's own status, owner and notes."""

    __tablename__ = "self_assessment_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    step: Mapped[int] = mapped_column(Integer, index=True)
    checklist: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="not_started")
    owner: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    # Names a computed measure in models.services.reports.self_assessment.EVIDENCE (None: no data can tell).
    evidence_key: Mapped[str | None] = mapped_column(String(40))

    @property
    def status_label(self) -> str:
        """Readable status."""
        return SELF_ASSESSMENT_STATUSES.get(self.status, self.status)


class ComplianceSnapshot(db.Model):
    """Training compliance of one school on one day, stored by the daily job for the trend chart."""

    __tablename__ = "compliance_snapshots"
    __table_args__ = (UniqueConstraint("school_id", "day", name="uq_compliance_snapshots_school_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    total: Mapped[int] = mapped_column(Integer, default=0)
    in_good_standing: Mapped[int] = mapped_column(Integer, default=0)
    overdue: Mapped[int] = mapped_column(Integer, default=0)
    expired: Mapped[int] = mapped_column(Integer, default=0)
    due_soon: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def rate(self) -> float | None:
        """Share of requirement rows in good standing, or None with nothing to count."""
        return self.in_good_standing / self.total if self.total else None
