"""Job-run bookkeeping: start or take over a run's row, keep its lease alive, finish it, decide retries.

A run is one job_runs row per (job, district day, slot). A daily run that failed, or whose process
died (its owner is gone or its lease ran out), is taken over on the same row by a compare-and-swap
UPDATE that bumps `attempts`, so two processes can never both take it and a day has at most
MAX_ATTEMPTS tries of a daily job.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from jobs.registry import JobSpec
from models.jobruns import JobRun
from models.services.infra.owners import abandoned, aware, is_this_process, owner_gone
from models.services.infra.upserts import insert_ignoring_duplicates

log = logging.getLogger("jobs.runs")
MAX_ATTEMPTS = 3
RUN_TTL = timedelta(minutes=10)  # a run not renewed for this long is presumed dead
HEARTBEAT_SECONDS = 60.0
RETRY_BACKOFF = timedelta(minutes=5)  # times the attempts so far: 5 minutes, then 10


@dataclass(frozen=True)
class Started:
    """The run row this process now owns and which attempt it is, or why it must not run."""

    run_id: int | None
    attempt: int = 1
    skipped: str = ""


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th ..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _abandoned(run: JobRun, now: datetime) -> str | None:
    """Why `run` may be taken over; never a run of this process, which is alive and still running it.

    (Its heartbeat may have failed to renew the lease, say while its own job held SQLite's write lock.)
    """
    return None if is_this_process(run.owner) else abandoned(run.owner, run.expires_at, now)


def _update():
    # Plain SQL updates: nothing in the session is refreshed from them (SQLite hands back naive times).
    return update(JobRun).execution_options(synchronize_session=False)


def _unchanged(run: JobRun, now: datetime) -> list:
    """Conditions that still hold only if nobody touched `run` since it was read and judged abandoned."""
    seen = [JobRun.id == run.id, JobRun.attempts == run.attempts, JobRun.status == run.status,
            JobRun.owner == run.owner]
    if run.status == "running" and not owner_gone(run.owner):  # judged by its lease: still expired
        seen.append(or_(JobRun.expires_at.is_(None), JobRun.expires_at < now))
    return seen


def begin(engine: Engine, job: str, today: date, slot: str, *, owner: str, now: datetime,
          scheduled_for: datetime | None = None) -> Started:
    """Insert the run's row, or take over a failed or abandoned one with attempts left."""
    with Session(engine) as session:
        ids = insert_ignoring_duplicates(session, JobRun.__table__, [{
            "job": job, "run_date": today, "slot": slot, "scheduled_for": scheduled_for, "started_at": now,
            "status": "running", "owner": owner, "attempts": 1, "expires_at": now + RUN_TTL}],
            ["job", "run_date", "slot"])
        session.commit()
        if ids:
            return Started(ids[0])
        run = session.scalar(select(JobRun).where(JobRun.job == job, JobRun.run_date == today,
                                                  JobRun.slot == slot))
        if run.status == "ok":
            return Started(None, skipped="already ran")
        if run.attempts >= MAX_ATTEMPTS:
            return Started(None, skipped=f"gave up after {run.attempts} attempts")
        run_id, attempt = run.id, run.attempts + 1
        error = run.error  # a failed attempt's error stays visible until this one ends
        if run.status == "running":
            reason = _abandoned(run, now)
            if reason is None:
                return Started(None, skipped=f"running in {run.owner}")
            error = f"The {ordinal(run.attempts)} attempt did not finish: {reason}; taken over by {owner}."
        taken = session.execute(_update().where(*_unchanged(run, now)).values(
            attempts=attempt, status="running", owner=owner, started_at=now, finished_at=None,
            expires_at=now + RUN_TTL, scheduled_for=scheduled_for or run.scheduled_for, counts=None,
            error=error)).rowcount
        session.commit()
    if taken != 1:
        return Started(None, skipped="another process took it over first")
    return Started(run_id, attempt)


def finish(engine: Engine, started: Started, *, now: datetime, summary: dict | None,
           error: str | None) -> None:
    """Record the outcome, unless another process took the run over meanwhile (then it is theirs)."""
    values = {"finished_at": now, "status": "failed" if error else "ok", "counts": summary,
              "expires_at": None}
    if error:  # on success the error of an earlier attempt stays, so the page can still show it
        values["error"] = error
    with Session(engine) as session:
        done = session.execute(_update().where(
            JobRun.id == started.run_id, JobRun.attempts == started.attempt, JobRun.status == "running")
            .values(**values)).rowcount
        session.commit()
    if done != 1:
        log.warning("Run %s (attempt %s) was taken over while it ran; its outcome is not recorded.",
                    started.run_id, started.attempt)


class Heartbeat:
    """While a job runs, a daemon thread pushes its lease forward with short sessions of its own."""

    def __init__(self, engine: Engine, started: Started, clock: Callable[[], datetime]):
        self.engine, self.started, self.clock = engine, started, clock
        self.every = HEARTBEAT_SECONDS
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{started.run_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _beat(self) -> None:
        while not self._stop.wait(self.every):
            try:
                with Session(self.engine) as session:
                    session.execute(_update().where(
                        JobRun.id == self.started.run_id, JobRun.attempts == self.started.attempt,
                        JobRun.status == "running").values(expires_at=self.clock() + RUN_TTL))
                    session.commit()
            except SQLAlchemyError as exc:
                # SQLite: the job itself may hold the write lock for longer than the busy timeout.
                log.warning("Could not renew the lease of run %s (%s); trying again in %g s.",
                            self.started.run_id, type(exc).__name__, self.every)


def time_today(spec: JobSpec, zone: ZoneInfo, today: date) -> datetime | None:
    """When a daily job is due on `today` (district time), or None if its schedule skips that day."""
    midnight = datetime.combine(today, time.min, tzinfo=zone)
    first = CronTrigger(timezone=zone, **spec.cron).get_next_fire_time(None, midnight)
    return first if first is not None and first.date() == today else None


def retry_at(run: JobRun) -> datetime | None:
    """When a failed run with attempts left may be tried again."""
    if run.status != "failed" or run.attempts >= MAX_ATTEMPTS or run.finished_at is None:
        return None
    return aware(run.finished_at) + RETRY_BACKOFF * run.attempts


def catch_up(engine: Engine, zone: ZoneInfo, jobs: Iterable[JobSpec], *, now: datetime,
             fixed_today: date | None = None) -> list[JobSpec]:
    """The daily jobs to run now: today's run missing, failed (after its backoff) or abandoned.

    Abandoned runs that nobody will retry (other days, intra-day jobs, attempts used up) are marked
    failed, so the Jobs page no longer says they are running.
    """
    local = now.astimezone(zone)
    today = fixed_today or local.date()
    local_now = datetime.combine(today, local.time(), tzinfo=zone)
    daily = {spec.name: spec for spec in jobs if spec.daily}
    due, retried = [], set()
    with Session(engine) as session:
        runs = {r.job: r for r in session.scalars(select(JobRun).where(
            JobRun.run_date == today, JobRun.slot == "daily", JobRun.job.in_(daily)))}
        for name, spec in daily.items():
            when = time_today(spec, zone, today)
            if when is None or when > local_now:
                continue
            run = runs.get(name)
            if run is not None and run.attempts < MAX_ATTEMPTS:
                retried.add(run.id)
            if (run is None
                    or (run.status == "failed" and retry_at(run) is not None and retry_at(run) <= now)
                    or (run.status == "running" and run.attempts < MAX_ATTEMPTS
                        and _abandoned(run, now))):
                due.append(spec)
        for run in session.scalars(select(JobRun).where(JobRun.status == "running")):
            reason = None if run.id in retried else _abandoned(run, now)
            if reason:
                gave_up = f" Gave up after {run.attempts} attempts." if run.attempts >= MAX_ATTEMPTS else ""
                session.execute(_update().where(*_unchanged(run, now)).values(
                    status="failed", finished_at=now, expires_at=None,
                    error=f"Stopped without finishing: {reason}.{gave_up}"))
        session.commit()
    return due


@dataclass(frozen=True)
class RunState:
    """What the Jobs page says about a run beside its status."""

    note: str = ""
    retry_at: datetime | None = None


def describe(run: JobRun, *, today: date, now: datetime, daily: set[str]) -> RunState:
    """Attempts, a dead owner, the next retry or giving up, in words."""
    retryable = run.job in daily and run.slot == "daily"
    attempt = f"{ordinal(run.attempts)} attempt" if run.attempts > 1 else ""
    if run.status == "running":
        reason = abandoned(run.owner, run.expires_at, now)
        if reason:
            return RunState(f"Stopped: {reason}; the scheduler takes it over or marks it failed")
        return RunState(attempt)
    if run.status != "failed" or not retryable:
        return RunState(f"on the {attempt}" if attempt else "")
    if run.attempts >= MAX_ATTEMPTS:
        return RunState(f"Gave up after {run.attempts} attempts")
    if run.run_date != today:
        return RunState(f"Attempt {run.attempts} of {MAX_ATTEMPTS}; not retried: its day is over")
    when = retry_at(run)
    return RunState(f"Attempt {run.attempts} of {MAX_ATTEMPTS}; next try after {when:%H:%M} UTC", when)
