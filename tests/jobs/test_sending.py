"""Sending: each message is claimed before its SMTP conversation and marked right after, so a killed
sender re-sends at most the message in flight and two senders never send one message twice."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from jobs import send_digests, send_email
from models import db
from models.jobruns import JobRun
from models.notifications import DeliveryAttempt, EmailPreference, OutboxMessage
from models.services.infra.owners import current_owner
from models.services.reminders import outbox
from models.services.reminders.mailer import message_id

ROOT = Path(__file__).resolve().parents[2]
DAY = date(2026, 10, 15)
NOW = datetime(2026, 10, 15, 12, tzinfo=UTC)


def queue(session, n: int, **overrides) -> list[int]:
    """`n` pending reminders to `n` different people, committed; their ids in order."""
    table = OutboxMessage.__table__
    rows = [{"item_key": f"training:{i}:1:2026-11-01", "step": "before-14", "recipient": f"p{i}@example.org",
             "recipient_role": "person", "person_id": None, "escalation": False, "status": "pending",
             "attempts": 0, "subject": f"Reminder: COURSE-{i} is due on 2026-11-01",
             "context": {"person_name": f"Person {i}", "item_label": f"COURSE-{i}", "kind": "training",
                         "due_date": "2026-11-01", "days": -14, "step_label": "14 days before",
                         "role": "person", "path": f"/people/{i}"},
             "created_at": NOW, **overrides} for i in range(n)]
    ids = list(session.execute(table.insert().returning(table.c.id), rows).scalars())
    session.commit()
    return sorted(ids)


def start_sender(app, smtp, log: Path) -> subprocess.Popen:
    """`flask jobs run send-email` as its own process, on the test database and the test mail server."""
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "MAIL_SERVER": "127.0.0.1",
           "MAIL_PORT": str(smtp.port), "MAIL_FROM": "Tracker <no-reply@district.example>",
           "TRACKER_ENV": "development", "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "run", "send-email"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("w"),  # noqa: S603
                            stderr=subprocess.STDOUT)


def wait_until(condition, timeout: float = 60) -> None:
    """Poll `condition` until it holds (fail after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def message_ids(smtp) -> Counter:
    """How many times the server accepted each Message-ID."""
    return Counter(m["Message-ID"] for m in smtp.handler.messages())


def statuses(session) -> dict[str, int]:
    """Outbox rows by status, read fresh."""
    session.expire_all()
    return dict(session.execute(select(OutboxMessage.status, func.count())
                                .group_by(OutboxMessage.status)).all())


@pytest.mark.parametrize("kill_point", ["after-reply", "before-reply"])
def test_sender_killed_mid_batch_resends_at_most_the_message_in_flight(app, session, smtp, tmp_path,
                                                                      kill_point):
    queue(session, 200)
    smtp.handler.delay = 0.02  # a slow server: the kill lands while the sender is mid-work
    first = start_sender(app, smtp, tmp_path / "first.log")
    if kill_point == "before-reply":
        # The server has taken message 80 but the sender never hears the 250: the worst moment.
        smtp.handler.on_accept = lambda n: os.kill(first.pid, signal.SIGKILL) if n == 80 else None
    wait_until(lambda: len(smtp.handler.received) >= 80)
    if kill_point == "after-reply":
        os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)  # reaped: its pid now names no process, so its claims are stranded
    smtp.handler.on_accept = None
    accepted_before_restart = len(smtp.handler.received)
    assert first.returncode == -signal.SIGKILL and accepted_before_restart < 200
    assert statuses(session).get("sending", 0) > 0  # the dead sender's claim is still there

    second = start_sender(app, smtp, tmp_path / "second.log")
    assert second.wait(timeout=120) == 0, (tmp_path / "second.log").read_text()

    ids = message_ids(smtp)
    recipients = Counter(tuple(r) for r, _ in smtp.handler.received)
    assert len(ids) == 200 and len(recipients) == 200  # everyone got it, a re-send kept its Message-ID
    assert sum(ids.values()) - 200 <= 1, [m for m, c in ids.items() if c > 1]
    if kill_point == "before-reply":
        assert sum(ids.values()) == 201  # exactly the message in flight, sent again
    assert statuses(session) == {"sent": 200}
    assert session.scalar(select(func.count()).where(OutboxMessage.claim_token.is_not(None))) == 0
    assert "recovered=" in (tmp_path / "second.log").read_text()
    # The dead claim's first unsent row is the one that may have been on the wire: it says so.
    interrupted = session.scalars(select(DeliveryAttempt)
                                  .where(DeliveryAttempt.outcome == "interrupted")).all()
    assert len(interrupted) == 1 and f":{first.pid} is gone" in interrupted[0].detail
    if kill_point == "before-reply":
        row = session.get(OutboxMessage, interrupted[0].message_id)
        assert [a.outcome for a in row.attempt_log] == ["interrupted", "sent"] and row.attempts == 2
        assert ids[message_id(row, "district.example")] == 2  # the very message sent twice


def test_two_senders_at_once_deliver_each_message_exactly_once(app, session, smtp, tmp_path):
    queue(session, 200)
    smtp.handler.delay = 0.01
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    procs = [start_sender(app, smtp, log) for log in logs]
    for proc, log in zip(procs, logs, strict=True):
        assert proc.wait(timeout=120) == 0, log.read_text()

    ids = message_ids(smtp)
    assert len(ids) == 200 and set(ids.values()) == {1}
    assert statuses(session) == {"sent": 200}
    sent = [int(re.search(r"sent=(\d+)", log.read_text()).group(1)) for log in logs]
    assert sum(sent) == 200
    runs = session.scalars(select(JobRun).order_by(JobRun.started_at)).all()
    assert len(runs) == 2 and {r.status for r in runs} == {"ok"}
    overlap = (min(r.finished_at for r in runs) - max(r.started_at for r in runs)).total_seconds()
    if overlap > 1:  # both were sending at the same time for a while: each took its share
        assert min(sent) > 0, (sent, overlap)


def test_claims_take_at_most_their_size_and_never_share_a_row(app, session):
    queue(session, 60)
    first, second = Session(db.engine), Session(db.engine)
    try:
        mine = {r.id for r in outbox.claim(first, "first:1", NOW)[1]}
        if db.engine.dialect.name == "postgresql":
            # Uncommitted, its rows are locked: the other claim skips them instead of waiting.
            theirs = {r.id for r in outbox.claim(second, "second:2", NOW)[1]}
            first.commit()
        else:  # SQLite: one writer at a time, so the first claim commits before the second runs
            first.commit()
            theirs = {r.id for r in outbox.claim(second, "second:2", NOW)[1]}
        second.commit()
    finally:
        first.close()
        second.close()
    assert len(mine) == len(theirs) == outbox.CLAIM_SIZE and not mine & theirs
    assert statuses(session) == {"sending": 50, "pending": 10}


def test_temporary_failure_mid_claim_releases_row_and_sends_it_later_once(session, smtp):
    ids = queue(session, 3)
    smtp.handler.script = ["250 OK", "451 4.3.0 Try again later"]
    first = send_email.run(session, DAY, settings=smtp.settings(), now=NOW)
    assert (first["sent"], first["deferred"]) == (2, 1)
    row = session.get(OutboxMessage, ids[1])
    assert (row.status, row.attempts, row.claim_token, row.claimed_by) == ("pending", 1, None, None)
    assert row.last_error.startswith("451") and row.next_attempt_at.replace(tzinfo=UTC) > NOW

    assert send_email.run(session, DAY, settings=smtp.settings(), now=NOW)["sent"] == 0  # backoff
    later = row.next_attempt_at.replace(tzinfo=UTC) + timedelta(seconds=1)
    assert send_email.run(session, DAY, settings=smtp.settings(), now=later)["sent"] == 1
    assert send_email.run(session, DAY, settings=smtp.settings(), now=later + timedelta(hours=1))["sent"] == 0

    ids_seen = message_ids(smtp)
    assert len(ids_seen) == 3 and set(ids_seen.values()) == {1}
    session.refresh(row)
    assert (row.status, row.attempts, row.claim_token) == ("sent", 2, None)
    assert [a.outcome for a in row.attempt_log] == ["temporary", "sent"]


def test_sender_failing_mid_claim_gives_the_rest_back_at_once(session, smtp):
    ids = queue(session, 5)
    calls = []

    def failing_clock():  # the 5th reading comes right after the server took the 2nd message
        calls.append(1)
        if len(calls) == 5:
            raise RuntimeError("the sender broke")
        return NOW

    with pytest.raises(RuntimeError):
        send_email.run(session, DAY, settings=smtp.settings(), clock=failing_clock)
    assert statuses(session) == {"sent": 1, "pending": 4}  # nothing left 'sending' in this live process
    assert session.scalar(select(func.count()).where(OutboxMessage.claim_token.is_not(None))) == 0
    assert send_email.run(session, DAY, settings=smtp.settings(), now=NOW)["sent"] == 4
    sent_twice = [m for m, c in message_ids(smtp).items() if c > 1]
    assert len(message_ids(smtp)) == 5 and sent_twice == [message_id(session.get(OutboxMessage, ids[1]),
                                                                     "district.example")]


def test_expired_claim_of_another_host_is_reclaimed_and_live_claim_is_not(session, smtp):
    ids = queue(session, 6)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # noqa: S603
    dead = subprocess.Popen([sys.executable, "-c", "pass"])  # noqa: S603
    dead.wait()
    host = socket.gethostname()
    claims = {  # row: (owner, claim expiry)
        ids[0]: ("other-host:4242", NOW - timedelta(minutes=1)),   # expired: reclaimed
        ids[1]: ("other-host:4242", NOW + timedelta(minutes=5)),   # another host, not expired: kept
        ids[2]: (f"{host}:{dead.pid}", NOW + timedelta(minutes=5)),  # this host, process gone: reclaimed
        ids[3]: (f"{host}:{sleeper.pid}", NOW + timedelta(minutes=5)),  # this host, alive: kept
        ids[4]: (current_owner(), NOW + timedelta(minutes=5)),     # this very process: kept
        ids[5]: (current_owner(), NOW - timedelta(minutes=1)),     # this process, expired: reclaimed
    }
    try:
        for row_id, (owner, expires) in claims.items():
            session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(
                status="sending", claim_token=f"token-{row_id}", claimed_by=owner, claim_expires_at=expires))
        session.commit()
        summary = send_email.run(session, DAY, settings=smtp.settings(), now=NOW)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert (summary["recovered"], summary["sent"]) == (3, 3)
    assert sorted(r[0] for r, _ in smtp.handler.received) == ["p0@example.org", "p2@example.org",
                                                              "p5@example.org"]
    session.expire_all()
    rows = {r.id: r for r in session.scalars(select(OutboxMessage))}
    assert [rows[i].status for i in ids] == ["sent", "sending", "sent", "sending", "sending", "sent"]
    kept = [ids[1], ids[3], ids[4]]
    assert [rows[i].claimed_by for i in kept] == [claims[i][0] for i in kept]
    assert rows[ids[1]].claim_token == f"token-{ids[1]}"


def test_digest_is_committed_before_sending_and_goes_out_later_when_server_is_down(session, smtp_down):
    session.add(EmailPreference(email="p0@example.org", delivery="digest"))
    table = OutboxMessage.__table__
    for i in range(2):
        session.execute(table.insert().values(
            item_key=f"training:0:{i}:2026-11-01", step="before-14", recipient="p0@example.org",
            recipient_role="person", escalation=False, status="held", attempts=0,
            subject=f"Reminder: COURSE-{i} is due on 2026-11-01", context={"path": "/people/0"}))
    session.commit()
    summary = send_digests.run(session, DAY, settings=smtp_down.settings(), now=NOW)
    assert (summary["digests"], summary["reminders"], summary["sent"], summary["deferred"]) == (1, 2, 0, 1)
    assert statuses(session) == {"pending": 1, "in_digest": 2}  # the digest was kept, not rolled back
    smtp_down.start()
    assert send_digests.run(session, DAY, settings=smtp_down.settings(), now=NOW)["digests"] == 0
    later = NOW + timedelta(minutes=2)
    assert send_email.run(session, DAY, settings=smtp_down.settings(), now=later)["sent"] == 1
    assert [m["Subject"] for m in smtp_down.handler.messages()] == [
        "Your SECURe Tracker reminders for 2026-10-15"]
    assert statuses(session) == {"sent": 1, "in_digest": 2}
