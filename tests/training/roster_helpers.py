"""Helpers for the roster-file tests: the import command in a measured child process, uploads, counts."""

from __future__ import annotations

import html
import io
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from models.audit import AuditEvent
from models.training import Completion
from tests.conftest import PG_URL, post_form
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class ChildRun:
    """What a child `flask training import` did."""

    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_mib: float


# Linux keeps a process's peak RSS across vfork+exec, so a child started from pytest would report
# at least pytest's own size; this small launcher starts the command and reports its peak alone.
LAUNCHER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
with open(sys.argv[1], "w") as report:
    report.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def cli_in_child(tmp_path, file: Path, *, limit: float = 20) -> ChildRun:
    """Run the real command in a child process on this test's database, measuring time and peak memory."""
    env = {**os.environ, "DATABASE_URL": PG_URL or f"sqlite:///{tmp_path / 'test.db'}",
           "TRACKER_ENV": "development", "PYTHONUNBUFFERED": "1"}
    out, err, peak = tmp_path / "child.out", tmp_path / "child.err", tmp_path / "child.maxrss"
    cmd = [sys.executable, "-c", LAUNCHER, str(peak),
           sys.executable, "-m", "flask", "--app", "wsgi", "training", "import", str(file)]
    start = time.monotonic()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        launcher = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=stdout, stderr=stderr,  # noqa: S603
                                    start_new_session=True)
    # A runaway import fails the test instead of hanging it (the group holds the launcher and the command).
    watchdog = threading.Timer(limit, os.killpg, (launcher.pid, signal.SIGKILL))
    watchdog.start()
    try:
        _, status, _ = os.wait4(launcher.pid, 0)
    finally:
        watchdog.cancel()
    seconds = time.monotonic() - start
    launcher.returncode = os.waitstatus_to_exitcode(status)
    assert peak.exists(), f"the import was killed after {limit} s"
    return ChildRun(launcher.returncode, out.read_text(), err.read_text(), seconds,
                    int(peak.read_text()) / 1024)  # ru_maxrss is in KiB on Linux


def counts(session) -> tuple[int, int]:
    session.expire_all()
    return (session.scalar(select(func.count()).select_from(Completion)),
            session.scalar(select(func.count()).select_from(AuditEvent)))


def coordinator(client, auth, session):
    user = make_user(session, "coordinator", email="co@x.org")
    session.commit()
    auth.login(user.email)
    return user


def upload(client, data: bytes, filename: str):
    """Upload a roster for its preview: (response, page text)."""
    response = post_form(client, "/training/import", {"file": (io.BytesIO(data), filename)},
                         content_type="multipart/form-data")
    return response, html.unescape(response.get_data(as_text=True))


def preview_token(page: str) -> str | None:
    """The token of the preview's confirm button, or None when the page offers no confirmation."""
    match = re.search(r'<input type="hidden" name="token" value="([0-9a-f]+)">', page)
    return match.group(1) if match else None


def confirm(client, token: str):
    """Press the preview's confirm button: (response, page text; the next page's when redirected)."""
    response = post_form(client, "/training/import/confirm", {"token": token}, token_from="/training/import")
    page = client.get(response.headers["Location"]) if response.status_code == 302 else response
    return response, html.unescape(page.get_data(as_text=True))


def assert_clerk_sentence(text: str) -> None:
    """No exception text reaches the clerk."""
    lowered = text.lower()
    for word in ("traceback", "zip", "codec", "error tokenizing", "crc", "exception"):
        assert word not in lowered, word
