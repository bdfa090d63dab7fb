"""Scheduled job bookkeeping: one row per run, and the lease that allows one scheduler at a time."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import db, utcnow


class JobRun(db.Model):
    """A run of a job: what, for which day, when, how many, and any error.

    The unique (job, run_date, slot) key makes a second run of a daily job for the same district
    day a no-op (slot is "daily" for daily jobs, the scheduled time for intra-day ones, and
    "manual-..." for runs started from the command line). A failed or abandoned daily run is taken
    over by a later attempt on the same row (attempts counts them; expires_at is the run's lease,
    pushed forward by a heartbeat while it runs).
    """

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "run_date", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(60), index=True)
    run_date: Mapped[date] = mapped_column(Date)
    slot: Mapped[str] = mapped_column(String(60), default="daily")
    scheduled_for: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default="running")  # running | ok | failed
    owner: Mapped[str] = mapped_column(String(120), default="")
    counts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SchedulerLease(db.Model):
    """Who runs the scheduler: a second process waits until the lease expires."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner: Mapped[str] = mapped_column(String(120), default="")
    acquired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    renewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
