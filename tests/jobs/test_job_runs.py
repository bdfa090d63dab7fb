"""Job runs that recover: a daily job killed or failed runs again the same day, a bounded number of times."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from jobs import runs
from jobs.registry import JobSpec
from jobs.scheduler import execute
from models import db
from models.jobruns import JobRun
from tests.factories import make_user
from tests.jobs.conftest import ctrl_c_reaches_child

ROOT = Path(__file__).resolve().parents[2]
DAY = date(2026, 10, 15)
CHICAGO = ZoneInfo("America/Chicago")
CALLS: list[date] = []


def slow_job(session, today, **_):
    """A stand-in daily job for a subprocess: notes each call, then works while the hold file exists."""
    folder = Path(os.environ["STAND_IN_DIR"])
    with (folder / "calls").open("a") as f:
        f.write(f"{os.getpid()}\n")
    while (folder / "hold").exists():
        time.sleep(0.05)
    return {"ran": 1}


def failing_job(session, today, **_):
    """A stand-in daily job that always fails."""
    CALLS.append(today)
    raise RuntimeError("the source is unreachable")


def counting_job(session, today, **_):
    """A stand-in daily job that only remembers it ran."""
    CALLS.append(today)
    return {"ran": 1}


SLOW = JobSpec("slow-daily", slow_job, {"hour": 0, "minute": 0})
SCHEDULER = """
import logging, sys
from datetime import date, timedelta
from jobs import runs, scheduler
from models import db
from tests.jobs.test_job_runs import SLOW
from wsgi import app

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
runs.HEARTBEAT_SECONDS = 0.3
runs.RUN_TTL = timedelta(minutes=5)  # long: the restart must notice the dead owner, not wait for this
scheduler.CATCH_UP_SECONDS = 0.5
with app.app_context():
    scheduler.run_scheduler(db.engine, dict(app.config), lease_seconds=2, jobs=(SLOW,),
                            fixed_today=date.fromisoformat(sys.argv[1]))
"""


def start_scheduler(app, tmp_path: Path, log: Path) -> subprocess.Popen:
    """A scheduler process running only the SLOW stand-in, for the pinned day."""
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "STAND_IN_DIR": str(tmp_path),
           "TRACKER_ENV": "development", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-c", SCHEDULER, DAY.isoformat()],  # noqa: S603
                            cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            preexec_fn=ctrl_c_reaches_child)  # noqa: PLW1509 - single-threaded here


def wait_until(condition, timeout: float = 60) -> None:
    """Poll `condition` until it holds (fail after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def the_run(session, job: str) -> JobRun | None:
    """The daily run of `job` for DAY, read fresh."""
    session.expire_all()
    return session.scalar(select(JobRun).where(JobRun.job == job, JobRun.run_date == DAY))


def calls(tmp_path: Path) -> list[str]:
    """Pids of the processes that entered the slow stand-in, in order."""
    path = tmp_path / "calls"
    return path.read_text().split() if path.exists() else []


def tick(app, spec: JobSpec, now: datetime) -> None:
    """One catch-up pass at `now`, running what it asks for (what the scheduler does, without threads)."""
    for due in runs.catch_up(db.engine, CHICAGO, (spec,), now=now, fixed_today=DAY):
        execute(db.engine, due, today=DAY, config=app.config, slot="daily", owner="test-scheduler", now=now)


def test_daily_job_killed_mid_run_runs_again_once_after_restart(app, session, tmp_path):
    (tmp_path / "hold").touch()
    first = start_scheduler(app, tmp_path, tmp_path / "first.log")
    try:
        wait_until(lambda: len(calls(tmp_path)) == 1)  # inside the job's function
        run = the_run(session, SLOW.name)
        assert (run.status, run.attempts, run.owner) == ("running", 1, f"{socket.gethostname()}:{first.pid}")
        lease_then = run.expires_at
        wait_until(lambda: the_run(session, SLOW.name).expires_at > lease_then, timeout=10)  # heartbeat
    finally:
        os.kill(first.pid, signal.SIGKILL)  # also when an assertion failed: never leave a scheduler behind
        first.wait(timeout=10)
    (tmp_path / "hold").unlink()

    second = start_scheduler(app, tmp_path, tmp_path / "second.log")
    try:
        wait_until(lambda: the_run(session, SLOW.name).status == "ok")
        time.sleep(2)  # several more catch-up passes: none may run it a third time
    finally:
        second.send_signal(signal.SIGINT)
        try:
            second.wait(timeout=20)
        except subprocess.TimeoutExpired:
            second.kill()  # a scheduler that ignores Ctrl-C must not outlive the test
            second.wait()
            raise
    log = (tmp_path / "second.log").read_text()
    assert calls(tmp_path) == [str(first.pid), str(second.pid)], log
    run = the_run(session, SLOW.name)
    assert (run.status, run.attempts, run.owner) == ("ok", 2, f"{socket.gethostname()}:{second.pid}")
    assert f"process {socket.gethostname()}:{first.pid} is gone" in run.error and "taken over" in run.error
    assert session.scalar(select(func.count(JobRun.id))) == 1
    assert "slow-daily for 2026-10-15: 2nd attempt" in log


def test_failed_daily_job_is_retried_up_to_three_attempts_then_left_failed(app, session, client, auth):
    make_user(session, "admin", email="admin@example.org")
    session.commit()
    CALLS.clear()
    # A stand-in under a registry name: the Jobs page knows registry jobs as daily ones.
    spec = JobSpec("flag-overdue", failing_job, {"hour": 5, "minute": 30})
    start = datetime(2026, 10, 15, 11, tzinfo=UTC)  # 06:00 in Chicago, half an hour after its time
    auth.login("admin@example.org")
    pages = []
    for minutes in (0, 4, 6, 15, 17, 120, 600):  # backoff: 5 minutes after the 1st, 10 after the 2nd
        tick(app, spec, start + timedelta(minutes=minutes))
        pages.append(client.get("/admin/jobs").get_data(as_text=True))
    assert len(CALLS) == 3
    run = the_run(session, spec.name)
    assert (run.status, run.attempts) == ("failed", 3) and "the source is unreachable" in run.error
    assert "Attempt 1 of 3; next try after 11:05 UTC" in pages[0]
    assert "Attempt 2 of 3; next try after 11:16 UTC" in pages[2]
    assert "Gave up after 3 attempts" in pages[-1] and "RuntimeError: the source is unreachable" in pages[-1]


def test_catch_up_runs_a_missed_daily_job_only_once_its_time_has_come(app, session):
    CALLS.clear()
    spec = JobSpec("morning-daily", counting_job, {"hour": 10, "minute": 0})
    at_ten = datetime(2026, 10, 15, 15, tzinfo=UTC)  # 10:00 in Chicago (CDT)
    tick(app, spec, at_ten - timedelta(minutes=1))
    assert CALLS == [] and the_run(session, spec.name) is None
    tick(app, spec, at_ten + timedelta(minutes=1))  # the scheduler was down at 10:00
    tick(app, spec, at_ten + timedelta(minutes=30))
    assert CALLS == [DAY]
    run = the_run(session, spec.name)
    assert (run.status, run.attempts, run.error) == ("ok", 1, None)


def test_running_job_of_live_owner_is_kept_and_expired_one_of_another_host_is_taken_over(app, session):
    CALLS.clear()
    spec = JobSpec("counted-daily", counting_job, {"hour": 5})
    now = datetime(2026, 10, 15, 12, tzinfo=UTC)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # noqa: S603
    try:
        session.add(JobRun(job=spec.name, run_date=DAY, slot="daily", started_at=now, status="running",
                           owner=f"{socket.gethostname()}:{sleeper.pid}", attempts=1,
                           expires_at=now + timedelta(minutes=5)))
        session.commit()
        assert execute(db.engine, spec, today=DAY, config=app.config, slot="daily", now=now,
                       owner="me") is None
    finally:
        sleeper.kill()
        sleeper.wait()
    run = the_run(session, spec.name)
    run.owner = "other-host:4242"  # a pid that may not exist here: another host is judged by its lease
    session.commit()
    assert execute(db.engine, spec, today=DAY, config=app.config, slot="daily", now=now, owner="me") is None
    assert CALLS == []
    assert execute(db.engine, spec, today=DAY, config=app.config, slot="daily", owner="me",
                   now=now + timedelta(minutes=6)) == {"ran": 1}  # the other host's lease ran out
    run = the_run(session, spec.name)
    assert (run.status, run.attempts, run.owner, CALLS) == ("ok", 2, "me", [DAY])
    assert "other-host:4242 stopped renewing it" in run.error


def test_catch_up_marks_abandoned_runs_it_will_not_retry_failed(app, session):
    now = datetime(2026, 10, 15, 12, tzinfo=UTC)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])  # noqa: S603
    dead.wait()
    owner = f"cli {socket.gethostname()}:{dead.pid}"
    session.add_all([
        JobRun(job="send-email", run_date=DAY, slot="manual-1", started_at=now, status="running",
               owner=owner, attempts=1, expires_at=now + timedelta(minutes=5)),
        JobRun(job="flag-overdue", run_date=DAY - timedelta(days=1), slot="daily", started_at=now,
               status="running", owner="other-host:1", attempts=1, expires_at=now - timedelta(minutes=1)),
        JobRun(job="flag-overdue", run_date=DAY, slot="daily", started_at=now, status="running",
               owner="other-host:1", attempts=1, expires_at=now + timedelta(minutes=5)),
    ])
    session.commit()
    runs.catch_up(db.engine, CHICAGO, (), now=now, fixed_today=DAY)
    session.expire_all()
    rows = session.scalars(select(JobRun).order_by(JobRun.id)).all()
    assert [r.status for r in rows] == ["failed", "failed", "running"]  # the last one is still alive
    assert f"process {owner} is gone" in rows[0].error and "Stopped without finishing" in rows[1].error


def test_jobs_page_shows_attempts_takeovers_and_stopped_runs(app, session, client, auth):
    make_user(session, "admin", email="admin@example.org")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])  # noqa: S603
    dead.wait()
    now = datetime(2026, 10, 15, 12, tzinfo=UTC)
    session.add_all([
        JobRun(job="flag-overdue", run_date=DAY, slot="daily", started_at=now, finished_at=now, status="ok",
               owner="host:2", attempts=2, counts={"items": 3},
               error="The 1st attempt did not finish: the process host:1 is gone; taken over by host:2."),
        JobRun(job="send-digests", run_date=DAY, slot="daily", started_at=now, status="running",
               owner=f"{socket.gethostname()}:{dead.pid}", attempts=1,
               expires_at=datetime.now(UTC) + timedelta(minutes=5)),
        JobRun(job="snapshot-compliance", run_date=DAY, slot="daily", started_at=now, status="running",
               owner=f"{socket.gethostname()}:{os.getpid()}", attempts=2,
               expires_at=datetime.now(UTC) + timedelta(minutes=5), error="Traceback: earlier failure"),
    ])
    session.commit()
    auth.login("admin@example.org")
    html = client.get("/admin/jobs").get_data(as_text=True)
    assert "(on the 2nd attempt)" in html and "Earlier attempt" in html and "taken over by host:2" in html
    assert f"Stopped: the process {socket.gethostname()}:{dead.pid} is gone" in html
    assert "(2nd attempt)" in html and "Traceback: earlier failure" in html
