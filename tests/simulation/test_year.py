"""A year in the life of a small district, day by day, with the faults real operation brings.

About 150 people at four schools live 400 days (a fixed seed): training done on time and late,
single and imported in bulk, waivers, hires, people leaving and changing roles, evaluations
walked through submit, co-sign and acknowledge, school years rolling over, and each day the
scheduler's jobs. On chosen days the mail server is down, a sender is killed mid-batch, two senders
run at once and a daily job is killed mid-run. After every day the invariants below must hold.

SIM_DAYS (default 400) and SIM_SEED choose a shorter, longer or different run (`SIM_DAYS=1200 make
test`); SIM_FAULTS (a comma-separated list of the fault names below, or "none") injects only those.
"""

from __future__ import annotations

import os
import random
import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from jobs import runs
from jobs.registry import JOBS, get_job
from jobs.scheduler import default_owner, execute
from models import db
from models.jobruns import JobRun
from models.notifications import Flag, OutboxMessage
from models.services.reminders import flags
from models.services.reminders.mailer import MailSettings, message_id
from models.services.reminders.queueing import load_plan, steps_reached
from models.services.stores import checks as store_checks
from models.services.stores import refresh as stores
from models.stores import compliance_items, evaluation_due_items
from tests.jobs.conftest import free_port
from tests.simulation import district
from tests.simulation.faults import MailServer, kill_daily_job_mid_run, kill_sender_mid_batch

DAYS = int(os.environ.get("SIM_DAYS", "400"))
SEED = int(os.environ.get("SIM_SEED", "20261201"))
# The year ends before the machine's own today, so a sender process reading the real clock finds
# every simulated retry time already past (the in-process jobs get the simulated clock).
START = date(2025, 10, 27)
ZONE = ZoneInfo("America/Chicago")
PORT = free_port()
SENDER = "SECURe Tracker <no-reply@sim.example>"
FAULTS = {30: "mail server down", 31: "mail server down", 32: "mail server down",
          33: "sender killed", 90: "two senders", 120: "daily job killed",
          200: "mail server down", 201: "sender killed", 260: "two senders", 330: "daily job killed"}
if os.environ.get("SIM_FAULTS"):
    FAULTS = {n: f for n, f in FAULTS.items() if f in os.environ["SIM_FAULTS"].split(",")}
DELIVERED = ("sent", "in_digest", "suppressed", "cancelled")


@pytest.fixture
def app_config():
    return {"FIXED_TODAY": START, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": PORT, "MAIL_FROM": SENDER}


@pytest.fixture
def mail():
    server = MailServer(PORT)
    server.start()
    yield server
    server.stop()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A district-local time of `day`, in UTC (what the scheduler would pass)."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE).astimezone(UTC)


class Operations:
    """The scheduler's day, run in this process with the simulated clock (the real code path)."""

    def __init__(self, app, tmp_path):
        self.app, self.engine, self.tmp = app, db.engine, tmp_path
        self.env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                    "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(PORT), "MAIL_FROM": SENDER,
                    "TRACKER_ENV": "development", "SECRET_KEY": app.config["SECRET_KEY"]}
        self.crashes = 0

    def run(self, name: str, day: date, now: datetime, slot: str | None = None):
        spec = get_job(name)
        slot = slot or ("daily" if spec.daily else now.astimezone(ZONE).strftime("%H:%M:%S"))
        return execute(self.engine, spec, today=day, config=self.app.config, slot=slot,
                       owner=default_owner(), now=now)

    def morning(self, day: date, fault: str | None) -> None:
        self.run("refresh-stores", day, at(day, 0, 5))
        self.run("snapshot-compliance", day, at(day, 4))
        if fault == "daily job killed":
            kill_daily_job_mid_run(self.env, day, at(day, 5, 30), self.tmp / "hang.marker")
            self.restart_scheduler(day, at(day, 5, 45))
        else:
            self.run("flag-overdue", day, at(day, 5, 30))
        self.run("send-digests", day, at(day, 6, 30))

    def catch_up(self, day: date, now: datetime) -> None:
        """The scheduler's catch-up (at start and every two minutes): runs today's daily jobs that are
        missing, failed or abandoned, and marks abandoned runs nobody will retry as stopped."""
        for spec in runs.catch_up(self.engine, ZONE, JOBS, now=now):
            self.run(spec.name, day, now)

    restart_scheduler = catch_up  # a scheduler that starts again does the same at once

    def send(self, day: date, now: datetime, fault: str | None, mail: MailServer) -> None:
        if fault == "sender killed":
            self.crashes += kill_sender_mid_batch(self.env, mail)
            self.catch_up(day, now)
        if fault == "two senders":
            threads = [threading.Thread(target=self.run, args=("send-email", day, now, f"sim-{i}"))
                       for i in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        self.run("send-email", day, now)


def reported_items(session) -> set[tuple[str, str]]:
    """(item key, status) of everything the stored engine rows report (checked equal to the engines)."""
    items = flags.training_items(session, select(compliance_items))
    items += flags.evaluation_items(session, select(evaluation_due_items))
    return {(i.item_key, i.status) for i in items}


def reminders_caught_up(session, day: date) -> list[str]:
    """After the morning jobs: every open flag is at the step the plan gives today, and it was queued."""
    problems = []
    plan = load_plan(session)
    queued = set(session.execute(select(OutboxMessage.item_key, OutboxMessage.step)).all())
    for f in session.execute(select(Flag.item_key, Flag.kind, Flag.due_date, Flag.current_step)
                             .where(Flag.closed_on.is_(None))):
        current, escalations = steps_reached(plan.get(f.kind, []), (day - f.due_date).days)
        step = current[0] if current else None
        if f.current_step != step:
            problems.append(f"{f.item_key} should be at step {step}, is at {f.current_step}")
        elif step and (f.item_key, step) not in queued:
            problems.append(f"{f.item_key} reached {step} but no reminder was queued")
        if escalations and (f.item_key, escalations[0].code) not in queued:
            problems.append(f"{f.item_key} is past its escalation but none was queued")
    session.rollback()
    return problems


def end_of_day(session, day: date, now: datetime, mail: MailServer, ops: Operations) -> list[str]:
    """At the end of the day, after the day's writes and sends."""
    problems = []
    session.expire_all()
    # 1. The stored rows are today's and equal the engines; open flags are exactly the items they
    #    report (no page shows a stale flag): the day's writes moved them at once (flags they opened
    #    get their first reminder tomorrow).
    if stores.store_day(session, stores.COMPLIANCE) != day:
        problems.append(f"stores hold {stores.store_day(session, stores.COMPLIANCE)}, not {day}")
    differences = store_checks.differences(session)
    if any(differences.values()):
        problems.append(f"stored rows differ from the engines: {differences}")
    reported = reported_items(session)
    flagged = set(session.execute(select(Flag.item_key, Flag.status).where(Flag.closed_on.is_(None))).all())
    if flagged != reported:
        problems.append(f"flags differ from the engines: {len(flagged - reported)} stale, "
                        f"{len(reported - flagged)} missing, e.g. {sorted(flagged ^ reported)[:3]}")
    # 2. Every reminder queued was delivered exactly once (one duplicate per injected crash at most).
    if mail.inbox.duplicates() > ops.crashes:
        dupes = sorted(k for k, n in mail.inbox.ids.items() if n > 1)
        problems.append(f"{mail.inbox.duplicates()} duplicate deliveries after {ops.crashes} crashes: "
                        f"{dupes[:3]}")
    domain = MailSettings(sender=SENDER).domain
    sent_today = session.execute(select(OutboxMessage.id, OutboxMessage.item_key, OutboxMessage.step,
                                        OutboxMessage.recipient)
                                 .where(OutboxMessage.status == "sent", OutboxMessage.sent_at >= at(day, 0)))
    lost = [r.id for r in sent_today if mail.inbox.ids[message_id(r, domain)] == 0]
    if lost:
        problems.append(f"{len(lost)} messages marked sent never reached the server: {lost[:5]}")
    if mail.up:
        waiting = session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status.not_in(DELIVERED + ("held",)),
            (OutboxMessage.next_attempt_at.is_(None)) | (OutboxMessage.next_attempt_at <= now)))
        if waiting:
            problems.append(f"{waiting} messages are due but not delivered while the mail server is up")
    # 3. No job run is left running, and each of today's daily jobs ended well (retried if it had to).
    unfinished = session.execute(select(JobRun.job, JobRun.run_date, JobRun.slot, JobRun.status,
                                        JobRun.owner, func.substr(JobRun.error, -300))
                                 .where((JobRun.status == "running")
                                        | ((JobRun.slot == "daily") & (JobRun.run_date == day)
                                           & (JobRun.status != "ok")))).all()
    if unfinished:
        problems.append(f"job runs not finished well: {unfinished}")
    session.rollback()
    return problems


def test_a_year_in_the_life_keeps_every_invariant(app, session, mail, tmp_path):
    rng = random.Random(SEED)
    staff = district.build(session, START, rng)
    ops = Operations(app, tmp_path)
    for n in range(DAYS):
        day = START + timedelta(days=n)
        fault = FAULTS.get(n)
        if fault == "mail server down":
            mail.stop()
        ops.morning(day, fault)
        problems = reminders_caught_up(session, day)
        assert not problems, f"morning of day {n} ({day}, {fault or 'no fault'}):\n" + "\n".join(problems)
        ops.send(day, at(day, 6, 35), fault, mail)
        district.ordinary_day(session, staff, day)
        ops.send(day, at(day, 17), None, mail)
        problems = end_of_day(session, day, at(day, 17), mail, ops)
        assert not problems, f"end of day {n} ({day}, {fault or 'no fault'}):\n" + "\n".join(problems)
        if fault == "mail server down" and FAULTS.get(n + 1) != "mail server down":
            mail.start()
    done = {what: staff.log.count(what) for what in sorted(set(staff.log))}
    finals = session.scalar(select(func.count()).select_from(OutboxMessage)
                            .where(OutboxMessage.status == "sent"))
    # The year really happened: every kind of action, and a real volume of mail (a short
    # SIM_DAYS run may not reach the rarer actions, so only a run of 100 days or more is held to it).
    if DAYS >= 100:
        kinds = ("completion", "import", "hire", "evaluation acknowledged")
        assert all(done.get(k, 0) > 0 for k in kinds), done
        assert finals > 100, finals
    assert ops.crashes >= 1 or "sender killed" not in FAULTS.values()
