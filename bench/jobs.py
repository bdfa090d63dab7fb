"""Benchmark: the flag-overdue job on the Step 4 statewide dataset, and sending 10,000 emails over SMTP.

    .venv/bin/python bench/jobs.py               # 60,000 people (the dataset of bench/compliance.py)
    .venv/bin/python bench/jobs.py --scale 0.1   # a quick run

Targets: flagging under 10 s on SQLite; 10,000 outbox emails to a local aiosmtpd server under 60 s.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import socket
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # before bench/, so `jobs` is the package, not this file

from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import create_engine, func, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

import models  # noqa: E402, F401
from jobs import flag_overdue, send_email  # noqa: E402
from models.base import Base  # noqa: E402
from models.notifications import Flag, OutboxMessage  # noqa: E402
from models.services.reminders.mailer import MailSettings  # noqa: E402
from models.services.stores import hooks as store_hooks  # noqa: E402
from models.services.stores.refresh import ensure_current  # noqa: E402

# bench/compliance.py (the Step 4 benchmark) builds the statewide dataset; reuse its builder.
_spec = importlib.util.spec_from_file_location("bench_compliance", ROOT / "bench" / "compliance.py")
statewide = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(statewide)
TODAY = statewide.TODAY


def prepare(scale: float) -> Path:
    """The Step 4 statewide dataset plus recipients, copied so the runs may dirty it."""
    statewide.DATA.mkdir(parents=True, exist_ok=True)
    source = statewide.DATA / f"statewide-{scale:g}.db"
    if not source.exists():
        statewide.build(source, scale)
    con = sqlite3.connect(source)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    target = statewide.DATA / f"jobs-{scale:g}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copy(source, target)
    engine = create_engine(f"sqlite:///{target}")
    Base.metadata.create_all(engine)  # the reminder tables, if the dataset predates them
    engine.dispose()
    con = sqlite3.connect(target)
    n_schools = con.execute("SELECT count(*) FROM schools").fetchone()[0]
    users = [(1, "coordinator@bench.example", "coordinator", None), (2, "hr@bench.example", "hr", None),
             (3, "supervisor@bench.example", "supervisor", 1)]
    users += [(3 + i, f"principal{i}@bench.example", "principal", None) for i in range(1, n_schools + 1)]
    con.executemany("INSERT INTO users (id, email, password_hash, role, agency_id, active, failed_logins,"
                    " created_at, updated_at) VALUES (?, ?, 'x', ?, ?, 1, 0, '2026-01-01', '2026-01-01')",
                    users)
    con.executemany("INSERT INTO user_schools (user_id, school_id) VALUES (?, ?)",
                    [(3 + i, i) for i in range(1, n_schools + 1)])
    con.commit()
    con.close()
    return target


def bench_flagging(db: Path) -> None:
    """First run (every flag and reminder new) and a second run the same day (nothing to do)."""
    engine = create_engine(f"sqlite:///{db}")
    runs = [("flag-overdue, first run (all new)", TODAY), ("flag-overdue, same day again (no-op)", TODAY),
            ("flag-overdue, next day (steady state)", TODAY + timedelta(days=1))]
    for label, day in runs:
        with Session(engine) as session:
            t0 = time.perf_counter()
            # The scheduler's refresh-stores job at 00:05, before flagging (once a day).
            if ensure_current(session, day):
                session.commit()
                label_refresh = f"refresh-stores for {day.isoformat()}"
                print(f"{label_refresh:<48} {time.perf_counter() - t0:8.3f} s")
            t0 = time.perf_counter()
            summary = flag_overdue.run(session, day)
            session.commit()
            print(f"{label:<48} {time.perf_counter() - t0:8.3f} s   {summary}")
    with Session(engine) as session:
        flags = session.scalar(select(func.count(Flag.id)))
        rows = session.scalar(select(func.count(OutboxMessage.id)))
    print(f"    {flags:,} open flags, {rows:,} outbox rows")
    engine.dispose()


class Counter:
    """An SMTP handler that accepts and counts."""

    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def bench_sending(n: int) -> None:
    """Queue `n` messages in a fresh database and send them all to a local aiosmtpd server."""
    tmp = Path(tempfile.mkdtemp())
    engine = create_engine(f"sqlite:///{tmp / 'send.db'}")
    Base.metadata.create_all(engine)
    now = datetime.now(UTC)
    rows = [{"item_key": f"training:{i}:1:2026-11-01", "step": "before-14",
             "recipient": f"p{i}@bench.example", "recipient_role": "person", "person_id": None,
             "escalation": False, "status": "pending",
             "attempts": 0, "subject": f"Reminder: COURSE-{i % 50} is due on 2026-11-01",
             "context": {"person_name": f"Person {i}", "item_label": f"COURSE-{i % 50}", "kind": "training",
                         "due_date": "2026-11-01", "days": -14, "step_label": "14 days before",
                         "role": "person", "path": f"/people/{i}"}, "created_at": now}
            for i in range(n)]
    with Session(engine) as session:
        session.execute(OutboxMessage.__table__.insert(), rows)
        session.commit()
    handler = Counter()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings = MailSettings(server="127.0.0.1", port=port, sender="Tracker <no-reply@bench.example>",
                            base_url="https://tracker.example", secret_key="bench")
    try:
        with Session(engine) as session:
            t0 = time.perf_counter()
            summary = send_email.run(session, TODAY, settings=settings)
            elapsed = time.perf_counter() - t0
    finally:
        controller.stop()
        engine.dispose()
        shutil.rmtree(tmp, ignore_errors=True)
    label = f"send-email, {n} messages to aiosmtpd"
    print(f"{label:<48} {elapsed:8.3f} s   {summary} "
          f"received={handler.count} ({n / elapsed:,.0f}/s)")


def main() -> None:
    """Prepare the dataset and time both jobs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 60,000 people")
    parser.add_argument("--emails", type=int, default=10_000)
    args = parser.parse_args()
    store_hooks.install()  # no app here: the sessions below keep the stores current all the same
    db = prepare(args.scale)
    con = sqlite3.connect(db)
    print("dataset:", ", ".join(f"{con.execute(f'SELECT count(*) FROM {t}').fetchone()[0]:,} {t}"
                                for t in ("schools", "people", "assignments", "completions", "users")))
    con.close()
    bench_flagging(db)
    bench_sending(args.emails)


if __name__ == "__main__":
    main()
