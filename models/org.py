"""Organizations: the district, its schools, and the police agencies that place SROs."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.audit import Audited
from models.base import TimestampMixin, db

SCHOOL_LEVELS = ("elementary", "middle", "high", "k12", "other")


class District(Audited, TimestampMixin, db.Model):
    """A school district: the tenant whose data the app holds."""

    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    state: Mapped[str] = mapped_column(String(2))
    time_zone: Mapped[str] = mapped_column(String(64), default="America/Chicago")
    enrollment: Mapped[int | None] = mapped_column(Integer)
    # Month/day the school year ends: the default evaluation due date (Step 5).
    school_year_end_month: Mapped[int] = mapped_column(Integer, default=6)
    school_year_end_day: Mapped[int] = mapped_column(Integer, default=30)

    schools: Mapped[list[School]] = relationship(back_populates="district")

    def __str__(self) -> str:
        return self.name


class School(Audited, TimestampMixin, db.Model):
    """A school in the district."""

    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    level: Mapped[str] = mapped_column(String(20), default="other")
    address: Mapped[str | None] = mapped_column(String(300))

    district: Mapped[District] = relationship(back_populates="schools")

    def __str__(self) -> str:
        return self.name


class Agency(Audited, TimestampMixin, db.Model):
    """A police or sheriff's agency that employs SROs."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="police")

    def __str__(self) -> str:
        return self.name
