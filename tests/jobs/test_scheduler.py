"""The scheduler: once per district day across DST changes, a lease for one process, runs recorded."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import func, select

from jobs import lease
from jobs.registry import JOBS, JobSpec
from jobs.scheduler import build_scheduler, fire
from models import db
from models.jobruns import JobRun
from tests.factories import make_district
from tests.jobs.conftest import ctrl_c_reaches_child
from tests.jobs.test_engines import DAY, _sro_with_training_due

CHICAGO = ZoneInfo("America/Chicago")
CALLS: list[tuple[str, date]] = []
ROOT = Path(__file__).resolve().parents[2]


def record_call(session, today, **kwargs):
    """A stand-in job that only remembers it ran."""
    CALLS.append((kwargs.get("name", "?"), today))
    return {"ran": 1}


def _fire_times(trigger, start, days):
    """The trigger's next fire time from each local midnight (what the scheduler would do each day)."""
    times = []
    for i in range(days):
        midnight = datetime.combine(start + timedelta(days=i), datetime.min.time(), tzinfo=CHICAGO)
        nxt = trigger.get_next_fire_time(None, midnight)
        if nxt not in times:
            times.append(nxt)
    return times


@pytest.mark.parametrize("first_day", [date(2026, 3, 7), date(2026, 10, 31)], ids=["spring", "fall"])
def test_day_crossing_dst_runs_each_daily_job_once(app, session, first_day):
    make_district(session, time_zone="America/Chicago")
    session.commit()
    CALLS.clear()
    stand_in = record_call
    specs = [JobSpec(s.name, stand_in, s.cron, s.daily) for s in JOBS if s.daily]
    # 01:30 happens twice on the fall-back night: the database key, not the trigger, keeps it to one run.
    specs.append(JobSpec("ambiguous-hour", stand_in, {"hour": 1, "minute": 30}))
    expected = {}
    for spec in specs:
        times = _fire_times(CronTrigger(timezone=CHICAGO, **spec.cron), first_day, 3)
        if spec.name == "ambiguous-hour" and first_day.month == 10:
            # Fire at both 01:30s of 1 November (06:30 and 07:30 UTC) as a DST-confused clock might.
            times += [datetime(2026, 11, 1, 6, 30, tzinfo=UTC), datetime(2026, 11, 1, 7, 30, tzinfo=UTC)]
        for when in times:
            fire(db.engine, spec, app.config, CHICAGO, owner="", when=when)
        # One run per district day the trigger fires on: each of the three days for a daily job,
        # the next Sunday for the weekly one.
        expected[spec.name] = sorted({t.astimezone(CHICAGO).date() for t in times})
    days = [first_day + timedelta(days=i) for i in range(3)]
    assert all(expected[s.name] == days for s in specs if "day_of_week" not in s.cron)
    for spec in specs:
        runs = session.execute(select(JobRun.run_date, func.count()).where(JobRun.job == spec.name)
                               .group_by(JobRun.run_date)).all()
        assert sorted(runs) == [(d, 1) for d in expected[spec.name]], spec.name
    assert len(CALLS) == sum(len(d) for d in expected.values())


def test_scheduler_is_configured_as_the_house_style_says(app, session):
    scheduler = build_scheduler(db.engine, app.config, CHICAGO, owner="me")
    jobs = {j.id: j for j in scheduler.get_jobs()}
    assert set(jobs) == {s.name for s in JOBS}
    defaults = scheduler._job_defaults  # applied to every job when the scheduler starts
    assert defaults["coalesce"] is True and defaults["max_instances"] == 1
    assert defaults["misfire_grace_time"] >= 60
    assert str(scheduler.timezone) == "America/Chicago"
    for job in jobs.values():
        assert str(job.trigger.timezone) == "America/Chicago"
    assert "hour='5'" in str(jobs["flag-overdue"].trigger)


def test_lease_lets_one_owner_in_until_it_expires_or_is_released(app, session):
    ttl = timedelta(seconds=30)
    now = datetime(2026, 10, 15, 12, tzinfo=UTC)
    assert lease.acquire(db.engine, "a", ttl, now)[0]
    held, holder, _ = lease.acquire(db.engine, "b", ttl, now + timedelta(seconds=5))
    assert not held and holder == "a"
    assert lease.acquire(db.engine, "a", ttl, now + timedelta(seconds=20))[0]  # renewal
    assert lease.acquire(db.engine, "b", ttl, now + timedelta(seconds=51))[0]  # a's lease ran out
    lease.release(db.engine, "b")
    assert lease.acquire(db.engine, "a", ttl)[0]


def test_run_job_from_cli_is_recorded(runner, session):
    make_district(session)
    session.commit()
    result = runner.invoke(args=["jobs", "run", "flag-overdue", "--today", "2026-10-15"])
    assert result.exit_code == 0, result.output
    assert "flag-overdue for 2026-10-15" in result.output
    run = session.scalar(select(JobRun))
    assert run.job == "flag-overdue" and run.status == "ok" and run.counts["items"] == 0
    bad = runner.invoke(args=["jobs", "run", "no-such-job"])
    assert bad.exit_code != 0 and "no job is named" in bad.output


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL (TEST_DATABASE_URL)")
def test_two_scheduler_processes_one_runs_other_waits(app, session, smtp, tmp_path):
    _sro_with_training_due(session)
    make_district(session)
    session.commit()
    env = {**os.environ, "DATABASE_URL": os.environ["TEST_DATABASE_URL"], "MAIL_SERVER": "127.0.0.1",
           "MAIL_PORT": str(smtp.port), "TRACKER_ENV": "development", "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "--interval", "1",
           "--lease-seconds", "3", "--today", DAY.isoformat()]
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    procs = [subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("w"),  # noqa: S603
                              stderr=subprocess.STDOUT, preexec_fn=ctrl_c_reaches_child)  # noqa: PLW1509
             for log in logs]
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not smtp.handler.received:
            time.sleep(0.3)
        time.sleep(4)  # several more send-email runs: nothing must go out twice
    finally:
        for p in procs:
            p.send_signal(signal.SIGINT)
        try:
            for p in procs:
                p.wait(timeout=20)
        finally:
            for p in procs:
                if p.poll() is None:  # a scheduler that did not stop must not outlive the test
                    p.kill()
                    p.wait()
    text = [log.read_text() for log in logs]
    session.expire_all()
    owners = set(session.scalars(select(JobRun.owner)))
    assert len(owners) == 1, owners
    assert sum("holds the lease" in t for t in text) >= 1
    assert any("waiting" in t for t in text), text
    received = [(tuple(rcpt), m["Subject"]) for (rcpt, _), m in zip(smtp.handler.received,
                                                                     smtp.handler.messages(), strict=True)]
    assert received and len(received) == len(set(received))
    assert (("sam@example.org",), "Reminder: YMHFA Youth Mental Health First Aid is due on 2026-10-29") \
        in received
    flag_runs = session.scalar(select(func.count(JobRun.id)).where(JobRun.job == "flag-overdue"))
    assert flag_runs == 1
