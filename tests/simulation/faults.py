"""Real faults: a mail server that counts, stalls and goes down; processes killed mid-work."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from aiosmtpd.controller import Controller

from jobs import flag_overdue

ROOT = Path(__file__).resolve().parents[2]
MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.MULTILINE | re.IGNORECASE)


class Inbox:
    """An aiosmtpd handler that counts deliveries per Message-ID and can answer slowly."""

    def __init__(self):
        self.ids: Counter = Counter()
        self.total = 0
        self.delay = 0.0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        found = MESSAGE_ID.search(envelope.original_content)
        with self.lock:
            self.ids[found.group(1).decode() if found else "?"] += 1
            self.total += 1
        return "250 OK"

    def duplicates(self) -> int:
        """Deliveries beyond the first of each Message-ID."""
        with self.lock:
            return sum(n - 1 for n in self.ids.values() if n > 1)


class MailServer:
    """A real SMTP server on loopback that can go down and come back."""

    def __init__(self, port: int):
        self.port, self.inbox, self.controller = port, Inbox(), None

    def start(self) -> None:
        if self.controller is None:
            self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
            self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def up(self) -> bool:
        return self.controller is not None


def _wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def kill_sender_mid_batch(env: dict, server: MailServer, after: int = 5) -> bool:
    """Start `flask jobs run send-email` and SIGKILL it once it has delivered `after` messages."""
    start = server.inbox.total
    server.inbox.delay = 0.05  # a slow server: the kill lands inside the batch
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "run", "send-email"],  # noqa: S603
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        reached = _wait_for(lambda: server.inbox.total >= start + after or proc.poll() is not None, 90)
        killed = reached and proc.poll() is None
        if killed:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        server.inbox.delay = 0.0
    return killed


HANGING_JOB = """
import sys
from datetime import date, datetime
from jobs.registry import JobSpec
from jobs.scheduler import default_owner, execute
from models import db
from tests.simulation.faults import flag_overdue_then_hang
from wsgi import app
with app.app_context():
    spec = JobSpec("flag-overdue", flag_overdue_then_hang)
    execute(db.engine, spec, today=date.fromisoformat(sys.argv[1]), config=app.config, slot="daily",
            owner=default_owner(), now=datetime.fromisoformat(sys.argv[2]))
"""


def flag_overdue_then_hang(session, today, **kwargs):
    """The real flag-overdue job, then the process hangs before its commit (until it is killed)."""
    flag_overdue.run(session, today, **kwargs)
    session.flush()
    Path(os.environ["SIM_MARKER"]).touch()
    time.sleep(600)


def kill_daily_job_mid_run(env: dict, day, now, marker: Path) -> None:
    """Run the day's flag-overdue in a scheduler-like process and SIGKILL it in the middle of the job."""
    marker.unlink(missing_ok=True)
    proc = subprocess.Popen([sys.executable, "-c", HANGING_JOB, day.isoformat(), now.isoformat()],  # noqa: S603
                            cwd=ROOT, env={**env, "SIM_MARKER": str(marker)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        if not _wait_for(lambda: marker.exists() or proc.poll() is not None, 120):
            raise AssertionError("the job never reached its hang")
        if proc.poll() is not None:
            raise AssertionError(f"the job process ended early: {proc.stderr.read().decode()[-2000:]}")
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
