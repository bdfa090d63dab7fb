"""The one scheduler: a BlockingScheduler in the district's time zone, guarded by a database lease.

Each firing is recorded in job_runs under a unique (job, run_date, slot) key, so a daily job runs
once per district day even when a daylight-saving change repeats its hour or a second process fires.
A catch-up pass (at start and every few minutes) runs daily jobs whose run today is missing, failed
with attempts left, or abandoned by a dead process (jobs/runs.py keeps that bookkeeping).
"""

from __future__ import annotations

import inspect
import logging
import threading
import traceback
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from jobs import lease, runs
from jobs.registry import JOBS, JobSpec
from models.base import utcnow
from models.org import District
from models.services.infra.owners import current_owner
from models.services.reminders.mailer import MailSettings
from models.services.stores import hooks as store_hooks

log = logging.getLogger("jobs.scheduler")
MISFIRE_GRACE = 15 * 60  # a job missed by up to 15 minutes (a restart, a busy machine) still runs
CATCH_UP_SECONDS = 120.0  # how often the scheduler looks for daily runs missed, failed or abandoned


def district_zone(engine: Engine) -> ZoneInfo:
    """The district's time zone (UTC before set-up)."""
    with Session(engine) as session:
        name = session.scalar(select(District.time_zone).order_by(District.id).limit(1))
    return ZoneInfo(name or "UTC")


def default_owner() -> str:
    """Name of this process (host:pid), as the lease and the job runs record it."""
    return current_owner()


def _extras(function, config: Mapping, now: datetime | None) -> dict:
    """The optional keyword arguments (settings, now) that this job's run function accepts."""
    params = inspect.signature(function).parameters
    takes_all = any(p.kind is p.VAR_KEYWORD for p in params.values())
    extras = {"settings": MailSettings.from_config(config), "now": now}
    return {k: v for k, v in extras.items() if takes_all or k in params}


def execute(engine: Engine, spec: JobSpec, *, today: date, config: Mapping, slot: str,
            scheduled_for: datetime | None = None, owner: str = "", now: datetime | None = None
            ) -> dict | None:
    """Run one job once for (job, today, slot) and record it; None if that run must not happen now.

    A failed or abandoned daily run with attempts left is taken over (jobs/runs.py); `now` pins the
    clock for tests, both for the job and for the bookkeeping.
    """
    clock = (lambda: now) if now else utcnow
    started = runs.begin(engine, spec.name, today, slot, owner=owner, now=clock(),
                         scheduled_for=scheduled_for)
    if started.run_id is None:
        log.info("%s for %s (%s): %s; skipping.", spec.name, today, slot, started.skipped)
        return None
    if started.attempt > 1:
        log.info("%s for %s: %s attempt.", spec.name, today, runs.ordinal(started.attempt))
    summary, error = None, None
    store_hooks.install()  # a job's writes keep the stored rows current, with or without an app
    with runs.Heartbeat(engine, started, clock), Session(engine) as session:
        try:
            function = spec.target
            summary = function(session, today, **_extras(function, config, now))
            session.commit()
        except Exception:  # record the failure on the run; the scheduler keeps going
            session.rollback()
            error = traceback.format_exc(limit=5)
            log.exception("%s failed", spec.name)
    runs.finish(engine, started, now=clock(), summary=summary, error=error)
    log.info("%s for %s: %s", spec.name, today, error.splitlines()[-1] if error else summary)
    return summary if not error else {"error": error}


def fire(engine: Engine, spec: JobSpec, config: Mapping, zone: ZoneInfo, *, owner: str,
         when: datetime | None = None, fixed_today: date | None = None) -> dict | None:
    """What the scheduler calls: the district day of `when` decides the run; the lease must be ours."""
    when = when or utcnow()
    if owner and not lease.holds(engine, owner):
        log.warning("%s not run: this scheduler no longer holds the lease.", spec.name)
        return None
    local = when.astimezone(zone)
    slot = "daily" if spec.daily else local.strftime("%H:%M:%S")
    return execute(engine, spec, today=fixed_today or local.date(), config=config, slot=slot,
                   scheduled_for=when, owner=owner)


def build_scheduler(engine: Engine, config: Mapping, zone: ZoneInfo, *, owner: str,
                    interval: float | None = None, fixed_today: date | None = None,
                    jobs: tuple[JobSpec, ...] = JOBS) -> BlockingScheduler:
    """A BlockingScheduler with every registry job (an interval trigger when `interval` is set: tests)."""
    scheduler = BlockingScheduler(timezone=zone, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE})
    for spec in jobs:
        trigger = (IntervalTrigger(seconds=interval, timezone=zone) if interval
                   else CronTrigger(timezone=zone, **spec.cron))
        first = {"next_run_time": datetime.now(zone)} if spec.at_start and not interval else {}
        scheduler.add_job(fire, trigger, args=[engine, spec, config, zone], id=spec.name, name=spec.name,
                          kwargs={"owner": owner, "fixed_today": fixed_today}, **first)
    return scheduler


def run_scheduler(engine: Engine, config: Mapping, *, lease_seconds: float = 60,
                  interval: float | None = None, fixed_today: date | None = None,
                  stop: threading.Event | None = None, owner: str | None = None,
                  jobs: tuple[JobSpec, ...] = JOBS) -> None:
    """Wait for the lease, then run the jobs until stopped; give the lease back on the way out."""
    owner = owner or default_owner()
    stop = stop or threading.Event()
    ttl = timedelta(seconds=lease_seconds)
    while not stop.is_set():
        held, holder, until = lease.acquire(engine, owner, ttl)
        if not held:
            log.info("Another scheduler (%s) holds the lease until %s; waiting.", holder,
                     until.isoformat() if until else "?")
            stop.wait(max(lease_seconds / 3, 0.5))
            continue
        log.info("Scheduler %s holds the lease; starting the jobs.", owner)
        zone = district_zone(engine)
        scheduler = build_scheduler(engine, config, zone, owner=owner, interval=interval,
                                    fixed_today=fixed_today, jobs=jobs)

        def renew(scheduler=scheduler) -> None:
            if stop.is_set() or not lease.acquire(engine, owner, ttl)[0]:
                log.warning("Scheduler %s lost the lease; stopping its jobs.", owner)
                scheduler.shutdown(wait=False)

        def catch_up(scheduler=scheduler, zone=zone) -> None:
            for spec in runs.catch_up(engine, zone, jobs, now=utcnow(), fixed_today=fixed_today):
                log.info("%s: today's run is missing, failed or abandoned; running it now.", spec.name)
                scheduler.modify_job(spec.name, next_run_time=datetime.now(zone))

        scheduler.add_job(renew, IntervalTrigger(seconds=max(lease_seconds / 3, 0.5)), id="lease",
                          name="renew the lease")
        # Internal, like the lease: it only decides, and the job's own entry runs it (and records it).
        scheduler.add_job(catch_up, IntervalTrigger(seconds=CATCH_UP_SECONDS), id="catch-up",
                          name="catch up on daily jobs", next_run_time=datetime.now(zone))
        try:
            scheduler.start()
        finally:
            lease.release(engine, owner)
            log.info("Scheduler %s released the lease.", owner)
