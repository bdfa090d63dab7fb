"""Step 3 panels, scores and appointment decisions (split from models/hiring.py)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import User
from models.audit import Audited
from models.base import TimestampMixin, db
from models.people import Assignment

if TYPE_CHECKING:
    from models.hiring import Candidate, Vacancy, VacancyCriterion

SEATS = {
    "school_administrator": "School administrator",
    "agency": "Agency",
    "teacher": "Teacher",
    "parent": "Parent",
    "student": "Student",
    "community": "Community",
}


class PanelMember(Audited, TimestampMixin, db.Model):
    """A seat on a vacancy's selection panel, with the member's account if they have one."""

    __tablename__ = "panel_members"
    __table_args__ = (UniqueConstraint("vacancy_id", "user_id", name="uq_panel_members_vacancy_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    seat: Mapped[str] = mapped_column(String(30))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    vacancy: Mapped[Vacancy] = relationship(back_populates="panel")
    user: Mapped[User | None] = relationship()

    @property
    def seat_label(self) -> str:
        """Readable seat."""
        return SEATS.get(self.seat, self.seat)


class Score(Audited, TimestampMixin, db.Model):
    """A panel member's 1–5 rating of a candidate on one preference, with a comment."""

    __tablename__ = "panel_scores"
    __table_args__ = (
        UniqueConstraint("member_id", "candidate_id", "criterion_id", name="uq_panel_scores_member"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("panel_members.id", ondelete="CASCADE"),
                                           index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"),
                                              index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("vacancy_criteria.id", ondelete="CASCADE"))
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)

    member: Mapped[PanelMember] = relationship()
    criterion: Mapped[VacancyCriterion] = relationship()


class Decision(Audited, TimestampMixin, db.Model):
    """The appointment of a candidate: rationale, authority, concurrence and any override."""

    __tablename__ = "hiring_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"),
                                              unique=True)
    decided_on: Mapped[date] = mapped_column(Date)
    rationale: Mapped[str] = mapped_column(Text)
    appointing_authority: Mapped[str] = mapped_column(String(200))
    district_concurrence: Mapped[bool] = mapped_column(Boolean, default=False)
    concurrence_by: Mapped[str | None] = mapped_column(String(200))
    override_justification: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[date] = mapped_column(Date)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id", ondelete="SET NULL"))

    candidate: Mapped[Candidate] = relationship(back_populates="decision")
    assignment: Mapped[Assignment | None] = relationship()
